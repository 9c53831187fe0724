"""The team page: owners add and remove members and set roles; others only look."""

import pytest

from playground.teams.models import Membership, Role, Team
from tests.presets.factories import make_team, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    for name in ("olga", "vera", "newbie", "oscar"):
        make_user(name)
    return make_team("Core", olga="owner", vera="viewer")


def test_an_owner_adds_sets_role_and_removes(client, team):
    client.force_login(Membership.objects.get(role=Role.OWNER).user)
    client.post(f"/teams/{team.pk}/members/", {"username": "newbie", "role": "editor"})
    newbie = Membership.objects.get(team=team, user__username="newbie")
    assert newbie.role == Role.EDITOR
    client.post(f"/teams/{team.pk}/members/{newbie.user_id}/role/", {"role": "viewer"})
    newbie.refresh_from_db()
    assert newbie.role == Role.VIEWER
    client.post(f"/teams/{team.pk}/members/{newbie.user_id}/remove/")
    assert not Membership.objects.filter(team=team, user__username="newbie").exists()


def test_the_last_owner_cannot_leave_or_be_demoted(client, team):
    owner = Membership.objects.get(role=Role.OWNER)
    client.force_login(owner.user)
    response = client.post(f"/teams/{team.pk}/members/{owner.user_id}/remove/", follow=True)
    assert "a team keeps at least one owner" in response.content.decode()
    client.post(f"/teams/{team.pk}/members/{owner.user_id}/role/", {"role": "viewer"})
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_a_viewer_sees_members_but_may_not_change_them(client, team):
    viewer = Membership.objects.get(role=Role.VIEWER)
    client.force_login(viewer.user)
    page = client.get(f"/teams/{team.pk}/").content.decode()
    assert "olga" in page and "Add a member" not in page
    response = client.post(f"/teams/{team.pk}/members/", {"username": "newbie", "role": "owner"})
    assert response.status_code == 403
    assert not Membership.objects.filter(user__username="newbie").exists()


def test_an_outsider_gets_404(client, team):
    from django.contrib.auth.models import User

    client.force_login(User.objects.get(username="oscar"))
    assert client.get(f"/teams/{team.pk}/").status_code == 404
    assert client.post(f"/teams/{team.pk}/members/", {"username": "oscar"}).status_code == 404


def test_anyone_signed_in_creates_a_team_and_owns_it(client, team):
    from django.contrib.auth.models import User

    oscar = User.objects.get(username="oscar")
    client.force_login(oscar)
    client.post("/teams/", {"name": "Night shift"})
    created = Team.objects.get(name="Night shift")
    assert Membership.objects.get(team=created).user == oscar
    assert "Night shift" in client.get("/teams/").content.decode()


def test_change_password_and_sign_out(client):
    user = make_user("pat")
    user.set_password("old-password-123!")
    user.save()
    client.force_login(user)
    page = client.get("/account/password/").content.decode()
    assert "Change password" in page
    response = client.post(
        "/account/password/",
        {
            "old_password": "old-password-123!",
            "new_password1": "a-much-better-one-456",
            "new_password2": "a-much-better-one-456",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/account/password/done/"
    user.refresh_from_db()
    assert user.check_password("a-much-better-one-456")
    assert client.post("/logout/").status_code == 302
    assert client.get("/presets/").status_code == 302


@pytest.mark.parametrize("text", ["a\x00b", "\x00"])
def test_a_nul_character_in_a_team_or_user_name_is_refused(client, team, text):
    """PostgreSQL stores no NUL: the page names the field instead of failing with a 500.

    (A lone surrogate cannot arrive in a form: HTTP bodies are decoded from UTF-8.)"""
    client.force_login(Membership.objects.get(role=Role.OWNER).user)
    created = client.post("/teams/", {"name": f"Night{text}"}, follow=True).content.decode()
    assert "name: contains a character that cannot be stored" in created
    added = client.post(
        f"/teams/{team.pk}/members/", {"username": text, "role": "viewer"}, follow=True
    ).content.decode()
    assert "username: no user named" in added
    assert Team.objects.count() == 1 and team.memberships.count() == 2


def test_an_admin_creates_an_account_from_the_team_page(client, team):
    """Admins create users on the small team page too, not only in the Django admin."""
    from django.contrib.auth.models import User

    admin = User.objects.create_superuser("root")
    Membership.objects.create(team=team, user=admin, role=Role.OWNER)
    client.force_login(admin)
    page = client.get(f"/teams/{team.pk}/").content.decode()
    assert "New account" in page
    response = client.post(
        f"/teams/{team.pk}/accounts/",
        {
            "username": "李雷",
            "password1": "a-long-enough-pass-789",
            "password2": "a-long-enough-pass-789",
            "role": "editor",
        },
        follow=True,
    )
    assert "Created the account 李雷 and added it as editor" in response.content.decode()
    created = User.objects.get(username="李雷")
    assert created.check_password("a-long-enough-pass-789") and not created.is_staff
    assert Membership.objects.get(team=team, user=created).role == Role.EDITOR

    # Bad input is refused with the field named, creating nothing.
    refused = client.post(
        f"/teams/{team.pk}/accounts/",
        {"username": "olga", "password1": "x", "password2": "y", "role": "editor"},
        follow=True,
    ).content.decode()
    assert "username: A user with that username already exists." in refused
    assert User.objects.count() == 6


def test_a_team_owner_who_is_no_admin_may_not_create_accounts(client, team):
    from django.contrib.auth.models import User

    client.force_login(Membership.objects.get(role=Role.OWNER).user)
    assert "New account" not in client.get(f"/teams/{team.pk}/").content.decode()
    response = client.post(
        f"/teams/{team.pk}/accounts/",
        {"username": "sneaky", "password1": "pw-sneaky-4567", "password2": "pw-sneaky-4567"},
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="sneaky").exists()
