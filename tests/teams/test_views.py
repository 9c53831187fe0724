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
