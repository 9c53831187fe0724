"""Moving a preset to another team: who may, where to, and the record it leaves."""

import html
import re
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

from playground.presets import selectors
from playground.presets.models import PresetMove
from playground.presets.services import (
    MOVE_REFUSED,
    PresetInputInvalid,
    PresetNotFound,
    preset_move,
)
from playground.teams.models import Membership
from tests.presets.factories import make_preset, make_request, make_team, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """alice's preset, shared with Core; olga owns Core and edits in Lab."""
    for name in ("alice", "olga", "eddie", "vera", "lena", "oscar"):
        make_user(name)
    core = make_team("Core", alice="editor", olga="owner", eddie="editor", vera="viewer")
    lab = make_team("Lab", alice="owner", olga="editor", eddie="editor", lena="viewer")
    club = make_team("Club", alice="viewer", olga="viewer")
    preset = make_preset(
        user("alice"),
        request=make_request("v1"),
        team_id=core.pk,
        visibility="team",
    )
    return SimpleNamespace(preset=preset, core=core, lab=lab, club=club)


def user(name: str) -> User:
    return User.objects.get(username=name)


def visible_to(name: str) -> set[str]:
    return {p.name for p in selectors.preset_list(user=user(name))}


def test_a_team_owner_moves_a_team_preset_to_another_of_her_teams(world):
    preset = world.preset
    preset_move(actor=user("olga"), preset=preset, team_id=str(world.lab.pk))

    preset.refresh_from_db()
    assert preset.team == world.lab and preset.visibility == "team"
    # No content version: the request is what it was.
    assert preset.versions.count() == 1
    move = PresetMove.objects.get()
    assert (move.actor.username, move.from_team, move.to_team) == ("olga", world.core, world.lab)
    assert (move.from_team_name, move.to_team_name) == ("Core", "Lab")
    # The new team sees it; the old team's members who are not in the new one do not.
    assert "Greeter" in visible_to("lena")
    assert "Greeter" not in visible_to("vera")


def test_the_author_moves_her_preset_and_may_take_it_out_of_any_team(world):
    preset = world.preset
    preset_move(actor=user("alice"), preset=preset, team_id=world.lab.pk)
    assert preset.team == world.lab
    preset.visibility = "private"
    preset.save()
    preset_move(actor=user("alice"), preset=preset, team_id=None)
    preset.refresh_from_db()
    assert preset.team is None
    assert [(m.from_team_name, m.to_team_name) for m in PresetMove.objects.all()] == [
        ("Core", "Lab"),
        ("Lab", ""),
    ]


@pytest.mark.parametrize("target", ["Club", "unknown", "not-a-number"])
def test_the_target_must_be_a_team_where_the_mover_edits_or_owns(world, target):
    preset = world.preset
    # olga is only a viewer in Club.
    team_id = {"Club": world.club.pk, "unknown": "999999", "not-a-number": "lab"}[target]
    with pytest.raises(PresetInputInvalid) as refused:
        preset_move(actor=user("olga"), preset=preset, team_id=team_id)
    assert refused.value.errors == {
        "team": "pick one of your teams where you are an editor or an owner"
    }
    preset.refresh_from_db()
    assert preset.team == world.core and not PresetMove.objects.exists()


def test_only_the_author_may_take_a_preset_out_of_every_team(world):
    preset = world.preset
    with pytest.raises(PresetInputInvalid) as refused:
        preset_move(actor=user("olga"), preset=preset, team_id="")
    assert "only its owner (alice) may take it out of its team" in refused.value.errors["team"]
    preset.refresh_from_db()
    assert preset.team == world.core and not PresetMove.objects.exists()


def test_a_preset_shared_with_its_team_needs_a_team(world):
    preset = world.preset
    with pytest.raises(PresetInputInvalid) as refused:
        preset_move(actor=user("alice"), preset=preset, team_id=None)
    assert "visibility" in refused.value.errors
    preset.refresh_from_db()
    assert preset.team == world.core and not PresetMove.objects.exists()


@pytest.mark.parametrize(
    ("name", "refusal"),
    [("eddie", PermissionDenied), ("vera", PermissionDenied), ("oscar", PresetNotFound)],
)
def test_editors_viewers_and_outsiders_may_not_move_it(world, name, refusal):
    preset = world.preset
    with pytest.raises(refusal) as refused:
        preset_move(actor=user(name), preset=preset, team_id=world.lab.pk)
    if refusal is PermissionDenied:
        assert str(refused.value) == MOVE_REFUSED
    preset.refresh_from_db()
    assert preset.team == world.core and not PresetMove.objects.exists()


def test_a_team_owner_cannot_move_a_private_preset_she_does_not_see(world):
    preset = world.preset
    preset.visibility = "private"
    preset.save()
    with pytest.raises(PresetNotFound):
        preset_move(actor=user("olga"), preset=preset, team_id=world.lab.pk)


def test_moving_to_the_team_it_is_in_records_nothing(world):
    preset = world.preset
    preset_move(actor=user("olga"), preset=preset, team_id=world.core.pk)
    assert preset.team == world.core and not PresetMove.objects.exists()


# --- Through the preset page ------------------------------------------------------------------


def team_options(page: str) -> list[str]:
    select = re.search(r'<select name="team">(.*?)</select>', page, re.S)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1)) if select else []


def test_the_page_offers_each_mover_the_teams_she_may_move_to(world, client):
    client.force_login(user("olga"))
    page = client.get(f"/presets/{world.preset.pk}/").content.decode()
    # olga owns Core and edits in Lab; she only views Club, and only the owner has "No team".
    assert team_options(page) == ["Core", "Lab"]
    assert f'value="{world.core.pk}" selected' in page

    client.force_login(user("alice"))
    page = client.get(f"/presets/{world.preset.pk}/").content.decode()
    assert team_options(page) == ["No team", "Core", "Lab"]

    client.force_login(user("eddie"))
    assert team_options(client.get(f"/presets/{world.preset.pk}/").content.decode()) == []


def test_the_current_team_is_offered_even_where_the_owner_only_views(world, client):
    """Saving the sharing form unchanged must not move the preset out of its team."""
    Membership.objects.filter(team=world.core, user__username="alice").update(role="viewer")
    client.force_login(user("alice"))
    page = client.get(f"/presets/{world.preset.pk}/").content.decode()
    assert team_options(page) == ["No team", "Core", "Lab"]
    client.post(f"/presets/{world.preset.pk}/share/", {"team": world.core.pk, "visibility": "link"})
    world.preset.refresh_from_db()
    assert world.preset.team == world.core and world.preset.visibility == "link"
    assert not PresetMove.objects.exists()


def test_a_team_owner_moves_it_from_the_page_and_the_history_shows_it(world, client):
    client.force_login(user("olga"))
    response = client.post(
        f"/presets/{world.preset.pk}/share/",
        {"team": world.lab.pk, "visibility": "team"},
        follow=True,
    )
    page = response.content.decode()
    assert "Moved to team Lab and saved the sharing settings." in page
    assert "olga moved it from team Core to team Lab" in page
    # Still one version: the history table has one row.
    assert page.count("<tr data-version=") == 1


def test_a_team_owner_taking_it_out_of_every_team_is_told_why(world, client):
    client.force_login(user("olga"))
    response = client.post(
        f"/presets/{world.preset.pk}/share/", {"team": "", "visibility": "link"}, follow=True
    )
    page = html.unescape(response.content.decode())
    assert "team: only its owner (alice) may take it out of its team" in page
    world.preset.refresh_from_db()
    assert world.preset.team == world.core and world.preset.visibility == "team"


def test_a_team_editor_is_refused_with_who_may_move_it(world, client):
    client.force_login(user("eddie"))
    response = client.post(
        f"/presets/{world.preset.pk}/share/", {"team": world.lab.pk, "visibility": "team"}
    )
    assert response.status_code == 403
    assert MOVE_REFUSED in html.unescape(response.content.decode())


def test_an_admin_who_changes_the_team_in_the_django_admin_leaves_a_move_record(world, client):
    from django.contrib import admin

    root = User.objects.create_superuser("root", password="pw-for-tests-only")
    client.force_login(root)
    preset = world.preset
    url = f"/admin/presets/preset/{preset.pk}/change/"
    form = admin.site.get_model_admin(type(preset)).get_form(SimpleNamespace(user=root), preset)
    bound = form(instance=preset)
    # The change form as the admin page would post it, with only the team changed.
    values = {name: bound[name].value() for name in bound.fields}
    data = {
        name: "" if value is None else value for name, value in values.items() if value is not False
    }
    data["team"] = str(world.lab.pk)
    for prefix in ("versions", "moves"):
        total = getattr(preset, prefix).count()
        data.update({f"{prefix}-TOTAL_FORMS": total, f"{prefix}-INITIAL_FORMS": total})
    for number, version in enumerate(preset.versions.all()):
        data.update({f"versions-{number}-id": version.pk, f"versions-{number}-preset": preset.pk})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]

    preset.refresh_from_db()
    assert preset.team == world.lab
    move = PresetMove.objects.get()
    assert (move.actor, move.from_team_name, move.to_team_name) == (root, "Core", "Lab")
    # Forms opened before the change are refused as stale ("changed meanwhile").
    assert preset.revision == 2
