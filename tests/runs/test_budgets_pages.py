"""Setting budgets: owners set their team's on the team page, admins set any team's and any
user's on /budgets/; everyone else is refused; bad amounts are refused naming the field."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from playground.runs.models import Budget, Run
from tests.presets.factories import make_team, make_user

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_admin(name: str = "root") -> User:
    admin = make_user(name)
    admin.is_staff = True
    admin.save()
    return admin


@pytest.fixture
def core():
    make_user("ann"), make_user("bob"), make_user("eve")
    return make_team("Core", ann="owner", bob="viewer")


def test_an_owner_sets_the_team_budget_and_sees_the_months_spend_beside_it(core):
    ann = User.objects.get(username="ann")
    Run.objects.create(
        created_at=datetime.datetime.now(datetime.UTC),
        user=ann,
        team=core,
        provider="openai",
        mode="chat",
        status="finished",
        cost_usd=Decimal("4.10"),
    )
    client = signed_in(ann)
    page = client.post(reverse("budget-team-set", args=[core.pk]), {"monthly_usd": "5"})
    assert page.status_code == 302 and page["Location"] == reverse("team-detail", args=[core.pk])
    budget = Budget.objects.get(team=core)
    assert budget.monthly_usd == Decimal("5.00") and budget.set_by == ann
    text = client.get(reverse("team-detail", args=[core.pk])).content.decode()
    assert "$5.00 a month · $4.10 used this month (82 %)" in text
    assert 'name="monthly_usd"' in text


def test_an_empty_amount_removes_the_budget(core):
    Budget.objects.create(team=core, monthly_usd=Decimal("5"))
    signed_in(User.objects.get(username="ann")).post(
        reverse("budget-team-set", args=[core.pk]), {"monthly_usd": "  "}
    )
    assert not Budget.objects.exists()


def test_a_member_who_is_no_owner_sees_the_budget_but_may_not_set_it(core):
    Budget.objects.create(team=core, monthly_usd=Decimal("5"))
    bob = signed_in(User.objects.get(username="bob"))
    text = bob.get(reverse("team-detail", args=[core.pk])).content.decode()
    assert "$5.00 a month · $0.00 used this month (0 %)" in text
    assert 'name="monthly_usd"' not in text
    answer = bob.post(reverse("budget-team-set", args=[core.pk]), {"monthly_usd": "500"})
    assert answer.status_code == 403
    assert Budget.objects.get(team=core).monthly_usd == Decimal("5.00")


def test_someone_outside_the_team_is_not_told_it_exists(core):
    eve = signed_in(User.objects.get(username="eve"))
    assert (
        eve.post(reverse("budget-team-set", args=[core.pk]), {"monthly_usd": "5"}).status_code
        == 404
    )
    assert (
        eve.post(reverse("budget-team-set", args=[99999]), {"monthly_usd": "5"}).status_code == 404
    )
    assert not Budget.objects.exists()


def test_only_admins_set_a_users_budget(core):
    for name in ("ann", "bob"):
        client = signed_in(User.objects.get(username=name))
        answer = client.post(reverse("budget-user-set"), {"username": name, "monthly_usd": "99"})
        assert answer.status_code == 404
    assert not Budget.objects.exists()


def test_a_user_reads_their_own_budget_and_their_teams_but_sets_none_there(core):
    bob = User.objects.get(username="bob")
    Budget.objects.create(user=bob, monthly_usd=Decimal("20"))
    Budget.objects.create(team=core, monthly_usd=Decimal("5"))
    Budget.objects.create(team=make_team("Elsewhere", eve="owner"), monthly_usd=Decimal("7"))
    page = signed_in(bob).get(reverse("budget-list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "$20.00 a month · $0.00 used this month (0 %)" in text
    assert "Team Core" in text and "$5.00 a month" in text
    assert "Elsewhere" not in text and "$7.00" not in text
    assert 'name="monthly_usd"' not in text


def test_an_admin_sets_any_users_and_any_teams_budget(core):
    admin = signed_in(make_admin())
    assert (
        admin.post(
            reverse("budget-user-set"), {"username": "bob", "monthly_usd": "12.50"}
        ).status_code
        == 302
    )
    assert admin.post(
        reverse("budget-team-set", args=[core.pk]),
        {"monthly_usd": "100", "next": reverse("budget-list")},
    )["Location"] == reverse("budget-list")
    assert Budget.objects.get(user__username="bob").monthly_usd == Decimal("12.50")
    assert Budget.objects.get(team=core).monthly_usd == Decimal("100.00")
    text = admin.get(reverse("budget-list")).content.decode()
    assert "User bob" in text and "Team Core" in text
    assert "$12.50 a month · $0.00 used this month (0 %)" in text


def test_an_unknown_username_is_refused_naming_the_field():
    admin = signed_in(make_admin())
    page = admin.post(
        reverse("budget-user-set"), {"username": "nobody", "monthly_usd": "5"}, follow=True
    )
    assert "username: no user is named “nobody”." in page.content.decode()


def test_a_redirect_elsewhere_is_not_followed(core):
    ann = signed_in(User.objects.get(username="ann"))
    answer = ann.post(
        reverse("budget-team-set", args=[core.pk]),
        {"monthly_usd": "5", "next": "https://evil.example/"},
    )
    assert answer["Location"] == reverse("team-detail", args=[core.pk])


@pytest.mark.parametrize(
    "amount",
    [
        "-1",
        "-0.01",
        "abc",
        "1e309",
        "1E+10",
        "10000000000",
        "9" * 5000,
        "NaN",
        "Infinity",
        "1.234",
        "1,000",
        "$5",
        "0x10",
        "١٢",
    ],
)
def test_a_bad_amount_is_refused_naming_the_field(core, amount):
    Budget.objects.create(team=core, monthly_usd=Decimal("5"))
    ann = signed_in(User.objects.get(username="ann"))
    page = ann.post(
        reverse("budget-team-set", args=[core.pk]), {"monthly_usd": amount}, follow=True
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "monthly_usd: Monthly budget (USD) must be a number of dollars from 0 to" in text
    assert Budget.objects.get(team=core).monthly_usd == Decimal("5.00")


@pytest.mark.parametrize(
    ("amount", "kept"),
    [("0", "0.00"), ("-0", "0.00"), (" 12.5 ", "12.50"), ("9999999999.99", "9999999999.99")],
)
def test_a_good_amount_is_kept_in_cents(core, amount, kept):
    signed_in(User.objects.get(username="ann")).post(
        reverse("budget-team-set", args=[core.pk]), {"monthly_usd": amount}
    )
    assert str(Budget.objects.get(team=core).monthly_usd) == kept


def test_an_admin_in_the_team_finds_every_budget_from_the_team_page(core):
    admin = make_admin()
    core.memberships.create(user=admin, role="viewer")
    text = signed_in(admin).get(reverse("team-detail", args=[core.pk])).content.decode()
    assert 'name="monthly_usd"' in text
    assert f'href="{reverse("budget-list")}"' in text
