"""Admins create teams and add members with a role in the Django admin."""

import pytest
from django.contrib.auth.models import User

from playground.teams.models import Membership, Role, Team

pytestmark = pytest.mark.django_db


def test_an_admin_creates_a_team_with_a_member_and_role(client):
    admin = User.objects.create_superuser("root", password="pw-root-123")
    member = User.objects.create_user("ana", password="pw-ana-12345")
    client.force_login(admin)

    response = client.post(
        "/admin/teams/team/add/",
        {
            "name": "Prompt team",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": str(member.pk),
            "memberships-0-role": Role.EDITOR,
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    team = Team.objects.get(name="Prompt team")
    assert Membership.objects.get(team=team, user=member).role == Role.EDITOR


def test_the_admin_is_closed_to_users_who_are_not_staff(client):
    # force_login: the throttling backend (django-axes) needs a request that login() lacks.
    client.force_login(User.objects.create_user("bob", password="pw-bob-12345"))

    response = client.get("/admin/teams/team/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
