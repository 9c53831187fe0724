"""Budgets: what a run's budgets have spent this month (UTC), and the verdict on the next run."""

import datetime
from decimal import Decimal

import pytest

from playground.fragments import budget_warnings
from playground.runs.budgets import budget_check, month_bounds
from playground.runs.models import Budget, Run
from tests.presets.factories import make_team, make_user

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 12, 15, 12, 0, tzinfo=UTC)


def add_run(user, cost: str | None, *, at: datetime.datetime = NOW, team=None) -> Run:
    return Run.objects.create(
        created_at=at,
        user=user,
        team=team,
        provider="openai",
        model="gpt-4o",
        mode="chat",
        status="finished",
        cost_usd=None if cost is None else Decimal(cost),
    )


def test_the_month_is_the_calendar_month_in_utc():
    start, end = month_bounds(datetime.datetime(2026, 12, 31, 23, 59, tzinfo=UTC))
    assert (start, end) == (
        datetime.datetime(2026, 12, 1, tzinfo=UTC),
        datetime.datetime(2027, 1, 1, tzinfo=UTC),
    )
    # 00:30 on the 1st in Paris is still the previous month in UTC.
    paris = datetime.timezone(datetime.timedelta(hours=1))
    assert month_bounds(datetime.datetime(2026, 12, 1, 0, 30, tzinfo=paris))[0] == (
        datetime.datetime(2026, 11, 1, tzinfo=UTC)
    )


def test_only_runs_of_this_utc_month_count():
    ann = make_user("ann")
    Budget.objects.create(user=ann, monthly_usd=Decimal("10.00"))
    add_run(ann, "100", at=datetime.datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC))
    paris = datetime.timezone(datetime.timedelta(hours=1))
    add_run(ann, "100", at=datetime.datetime(2026, 12, 1, 0, 30, tzinfo=paris))  # Nov 30 UTC
    add_run(ann, "1.25", at=datetime.datetime(2026, 12, 1, 0, 0, tzinfo=UTC))
    add_run(ann, "2.00", at=datetime.datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC))
    add_run(ann, "100", at=datetime.datetime(2027, 1, 1, 0, 0, tzinfo=UTC))
    state = budget_check(user=ann, team_id=None, now=NOW)
    assert [use.spent for use in state.uses] == [Decimal("3.25")]
    assert state.refusal == "" and state.warnings == ()


def test_runs_of_unknown_cost_add_nothing():
    ann = make_user("ann")
    Budget.objects.create(user=ann, monthly_usd=Decimal("5.00"))
    for _ in range(3):
        add_run(ann, None)
    add_run(ann, "1.00")
    state = budget_check(user=ann, team_id=None, now=NOW)
    assert state.uses[0].spent == Decimal("1.00")
    assert state.refusal == ""


def test_a_spent_user_budget_refuses_naming_it_what_was_spent_and_when_it_resets():
    ann = make_user("ann")
    Budget.objects.create(user=ann, monthly_usd=Decimal("5.00"))
    add_run(ann, "3.00")
    add_run(ann, "2.12")
    state = budget_check(user=ann, team_id=None, now=NOW)
    assert state.refusal == (
        "Your monthly budget of $5.00 is spent: $5.12 used this month "
        "(resets 2027-01-01 00:00 UTC). Ask an admin to raise it."
    )
    assert state.warnings == ()


def test_exactly_the_budget_is_spent_and_refused():
    ann = make_user("ann")
    Budget.objects.create(user=ann, monthly_usd=Decimal("5.00"))
    add_run(ann, "5.00")
    assert budget_check(user=ann, team_id=None, now=NOW).refusal.startswith(
        "Your monthly budget of $5.00 is spent: $5.00 used"
    )


def test_a_budget_of_zero_refuses_every_run():
    ann = make_user("ann")
    Budget.objects.create(user=ann, monthly_usd=Decimal("0"))
    assert (
        "Your monthly budget of $0.00 is spent"
        in budget_check(user=ann, team_id=None, now=NOW).refusal
    )


def test_at_80_percent_the_run_warns_and_below_it_does_not():
    ann = make_user("ann")
    Budget.objects.create(user=ann, monthly_usd=Decimal("5.00"))
    add_run(ann, "3.99")
    assert budget_check(user=ann, team_id=None, now=NOW).warnings == ()
    add_run(ann, "0.11")
    state = budget_check(user=ann, team_id=None, now=NOW)
    assert state.refusal == ""
    assert state.warnings == ("82 % of your monthly budget used ($4.10 of $5.00)",)


def test_spending_is_shown_rounded_down_so_it_never_looks_spent_before_it_is():
    ann = make_user("ann")
    Budget.objects.create(user=ann, monthly_usd=Decimal("5.00"))
    add_run(ann, "4.999")
    state = budget_check(user=ann, team_id=None, now=NOW)
    assert state.refusal == ""
    assert state.warnings == ("99 % of your monthly budget used ($4.99 of $5.00)",)


def test_the_team_budget_counts_every_members_runs_of_its_presets_and_nothing_else():
    ann, bob = make_user("ann"), make_user("bob")
    team = make_team("Core", ann="owner", bob="viewer")
    other = make_team("Other", ann="owner")
    Budget.objects.create(team=team, monthly_usd=Decimal("5.00"))
    add_run(ann, "2.00", team=team)
    add_run(bob, "2.10", team=team)
    add_run(ann, "50", team=other)  # another team's
    add_run(ann, "50")  # no team
    state = budget_check(user=ann, team_id=team.pk, now=NOW)
    assert state.warnings == ("82 % of the team Core monthly budget used ($4.10 of $5.00)",)
    add_run(bob, "1.00", team=team)
    assert budget_check(user=ann, team_id=team.pk, now=NOW).refusal == (
        "The team Core monthly budget of $5.00 is spent: $5.10 used this month "
        "(resets 2027-01-01 00:00 UTC). Ask an admin or an owner of the team to raise it."
    )
    # A run outside the team's presets is not the team's business.
    assert budget_check(user=ann, team_id=None, now=NOW).refusal == ""


def test_the_user_budget_counts_their_runs_in_every_team():
    ann = make_user("ann")
    team = make_team("Core", ann="owner")
    Budget.objects.create(user=ann, monthly_usd=Decimal("5.00"))
    add_run(ann, "3.00", team=team)
    add_run(ann, "2.50")
    assert budget_check(user=ann, team_id=None, now=NOW).refusal.startswith(
        "Your monthly budget of $5.00 is spent: $5.50"
    )


def test_both_budgets_apply_and_the_users_refusal_is_told_first():
    ann = make_user("ann")
    team = make_team("Core", ann="owner")
    Budget.objects.create(user=ann, monthly_usd=Decimal("1.00"))
    Budget.objects.create(team=team, monthly_usd=Decimal("1.00"))
    add_run(ann, "1.50", team=team)
    state = budget_check(user=ann, team_id=team.pk, now=NOW)
    assert len(state.uses) == 2
    assert state.refusal.startswith("Your monthly budget")


def test_both_budgets_warn_together():
    ann = make_user("ann")
    team = make_team("Core", ann="owner")
    Budget.objects.create(user=ann, monthly_usd=Decimal("10.00"))
    Budget.objects.create(team=team, monthly_usd=Decimal("10.00"))
    add_run(ann, "9.00", team=team)
    assert budget_check(user=ann, team_id=team.pk, now=NOW).warnings == (
        "90 % of your monthly budget used ($9.00 of $10.00)",
        "90 % of the team Core monthly budget used ($9.00 of $10.00)",
    )


def test_without_any_budget_the_check_is_one_query(django_assert_num_queries):
    ann = make_user("ann")
    team = make_team("Core", ann="owner")
    add_run(ann, "100", team=team)
    Budget.objects.create(user=make_user("bob"), monthly_usd=Decimal("1"))  # someone else's
    with django_assert_num_queries(1):
        state = budget_check(user=ann, team_id=team.pk, now=NOW)
    assert state.uses == () and state.refusal == "" and state.warnings == ()


def test_with_a_budget_the_check_is_one_query_more_per_budget(django_assert_num_queries):
    ann = make_user("ann")
    team = make_team("Core", ann="owner")
    Budget.objects.create(user=ann, monthly_usd=Decimal("5"))
    Budget.objects.create(team=team, monthly_usd=Decimal("5"))
    with django_assert_num_queries(3):
        budget_check(user=ann, team_id=team.pk, now=NOW)


def test_the_warning_frame_escapes_a_team_name():
    frame = budget_warnings(("82 % of the team <b>x</b> monthly budget used",))
    assert "&lt;b&gt;x&lt;/b&gt;" in frame and "<b>" not in frame
