"""Every preset page and action against every role, through the real views.

Refusals: a preset the user may not see answers 404 (the same as an id that does not
exist); one they see but may not change answers 403; a signed-out visitor is sent to
the sign-in page. A refused action changes nothing; an allowed one changes what it says.
"""

import html
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from playground.presets.models import Preset
from playground.presets.services import MOVE_REFUSED, preset_delete
from playground.teams.models import Team
from tests.presets.factories import make_preset, make_request, make_team, make_user

pytestmark = pytest.mark.django_db

ROLES = ["preset_owner", "team_owner", "team_editor", "team_viewer", "outsider", "anonymous"]
USERNAMES = {
    "preset_owner": "alice",
    "team_owner": "olga",
    "team_editor": "eddie",
    "team_viewer": "vera",
    "outsider": "oscar",
}

OK, FORBIDDEN, NOT_FOUND, SIGN_IN = "ok", 403, 404, "sign-in"


@dataclass(frozen=True)
class Action:
    method: str
    path: str  # formatted with {id}
    data: dict[str, Any] | None = None  # values formatted with {lab}, the target team's id
    in_trash: bool = False  # the preset is in the trash before the action
    changes_state: bool = False


PAGE_FORM = {
    "provider": "offline",
    "model": "offline-1",
    "messages-0-role": "user",
    "messages-0-content": "edited",
}

ACTIONS = {
    "view": Action("get", "/presets/{id}/"),
    "diff": Action("get", "/presets/{id}/diff/?old=1&new=2"),
    "open": Action("get", "/presets/{id}/open/?version=1"),
    "export": Action("get", "/presets/{id}/export/"),
    "fork": Action("post", "/presets/{id}/fork/", {}, changes_state=True),
    # "Fork with my changes" from the playground page: the edits become one's own preset.
    "fork_edits": Action("post", "/presets/{id}/fork-edits/", PAGE_FORM, changes_state=True),
    "save_version": Action(
        "post", "/presets/{id}/save/", {**PAGE_FORM, "base_version": "2"}, changes_state=True
    ),
    "restore_version": Action("post", "/presets/{id}/versions/1/restore/", changes_state=True),
    "rename": Action(
        "post",
        "/presets/{id}/rename/",
        {"name": "Renamed", "description": "d", "tags": "x"},
        changes_state=True,
    ),
    "share": Action("post", "/presets/{id}/share/", {"visibility": "link"}, changes_state=True),
    # The sharing form with another team: a move. Everyone is an editor in "Lab", so only
    # the role in the preset's own team decides.
    "move": Action(
        "post",
        "/presets/{id}/share/",
        {"team": "{lab}", "visibility": "team"},
        changes_state=True,
    ),
    "delete": Action("post", "/presets/{id}/delete/", changes_state=True),
    "restore": Action("post", "/presets/{id}/restore/", in_trash=True, changes_state=True),
}

# What each role may do with a preset shared with its team (visibility "team").
Y = OK
EXPECTED = {
    #                  owner  t-owner t-editor  t-viewer   outsider   anonymous
    "view": (Y, Y, Y, Y, NOT_FOUND, SIGN_IN),
    "diff": (Y, Y, Y, Y, NOT_FOUND, SIGN_IN),
    "open": (Y, Y, Y, Y, NOT_FOUND, SIGN_IN),
    "export": (Y, Y, Y, Y, NOT_FOUND, SIGN_IN),
    "fork": (Y, Y, Y, Y, NOT_FOUND, SIGN_IN),
    "fork_edits": (Y, Y, Y, Y, NOT_FOUND, SIGN_IN),
    "save_version": (Y, Y, Y, FORBIDDEN, NOT_FOUND, SIGN_IN),
    "restore_version": (Y, Y, Y, FORBIDDEN, NOT_FOUND, SIGN_IN),
    "rename": (Y, Y, FORBIDDEN, FORBIDDEN, NOT_FOUND, SIGN_IN),
    "share": (Y, Y, FORBIDDEN, FORBIDDEN, NOT_FOUND, SIGN_IN),
    "move": (Y, Y, FORBIDDEN, FORBIDDEN, NOT_FOUND, SIGN_IN),
    "delete": (Y, Y, FORBIDDEN, FORBIDDEN, NOT_FOUND, SIGN_IN),
    # In the trash a preset is seen only by those who may restore it.
    "restore": (Y, Y, NOT_FOUND, NOT_FOUND, NOT_FOUND, SIGN_IN),
}
CASES = [
    pytest.param(action, role, EXPECTED[action][i], id=f"{action}-{role}")
    for action in ACTIONS
    for i, role in enumerate(ROLES)
]


@pytest.fixture
def team_preset() -> Preset:
    for username in USERNAMES.values():
        make_user(username)
    team = make_team("Core", olga="owner", alice="editor", eddie="editor", vera="viewer")
    preset = make_preset(
        User.objects.get(username="alice"),
        request=make_request("v1"),
        team_id=team.pk,
        visibility="team",
    )
    preset.versions.create(number=2, request=make_request("v2"), author=preset.owner)
    make_team("Lab", **dict.fromkeys(USERNAMES.values(), "editor"))
    return preset


def client_for(role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(User.objects.get(username=USERNAMES[role]))
    return client


def snapshot(preset_id: Any) -> tuple:
    preset = Preset.objects.get(pk=preset_id)
    return (
        preset.name,
        preset.visibility,
        preset.link_token,
        preset.deleted_at,
        preset.team_id,
        preset.moves.count(),
        preset.versions.count(),
        Preset.objects.count(),
    )


def form_data(action: Action) -> dict[str, Any]:
    lab = Team.objects.get(name="Lab").pk
    return {key: str(value).format(lab=lab) for key, value in (action.data or {}).items()}


def outcome(response) -> Any:
    if response.status_code in (200, 302) and "/login/" in response.get("Location", ""):
        return SIGN_IN
    if response.status_code in (403, 404):
        return response.status_code
    assert response.status_code in (200, 302), response.status_code
    return OK


@pytest.mark.parametrize(("action_name", "role", "expected"), CASES)
def test_permission_matrix(team_preset: Preset, action_name: str, role: str, expected: Any):
    action = ACTIONS[action_name]
    if action.in_trash:
        preset_delete(actor=team_preset.owner, preset=team_preset)
    before = snapshot(team_preset.pk)
    client = client_for(role)
    path = action.path.format(id=team_preset.pk)
    response = getattr(client, action.method)(path, form_data(action))

    assert outcome(response) == expected
    if action.changes_state:
        changed = snapshot(team_preset.pk) != before
        assert changed == (expected == OK), f"state changed: {changed}"
    if expected == OK and action_name == "save_version":
        assert "Saved version 3" in response.content.decode()
    if expected == OK and action_name == "open":
        assert response["Location"] == f"/?preset={team_preset.pk}&version=1"
    if action_name == "move":
        moved = Preset.objects.get(pk=team_preset.pk)
        assert (moved.team.name == "Lab") == (expected == OK)
        assert moved.versions.count() == 2  # a move is no version
        if expected == FORBIDDEN:
            assert MOVE_REFUSED in html.unescape(response.content.decode())


@pytest.mark.parametrize("action_name", list(ACTIONS))
def test_a_guessed_id_answers_like_a_private_preset(team_preset: Preset, action_name: str):
    """An id that does not exist and a private preset of someone else look the same: 404."""
    private = make_preset(team_preset.owner, "Private")
    action = ACTIONS[action_name]
    client = client_for("team_editor")
    for preset_id in (uuid.uuid4(), private.pk):
        response = getattr(client, action.method)(
            action.path.format(id=preset_id), form_data(action)
        )
        assert response.status_code == 404


LINK_CASES = [
    # (allows anonymous, role, link given, expected for view / fork)
    (False, "outsider", True, OK, OK),
    (False, "outsider", False, NOT_FOUND, NOT_FOUND),
    (False, "anonymous", True, SIGN_IN, SIGN_IN),
    (True, "anonymous", True, OK, SIGN_IN),
    (True, "anonymous", False, SIGN_IN, SIGN_IN),
]


@pytest.mark.parametrize(("anonymous_ok", "role", "with_link", "view", "fork"), LINK_CASES)
def test_read_only_link(team_preset, anonymous_ok, role, with_link, view, fork):
    preset = make_preset(
        team_preset.owner, "Linked", visibility="link", link_allows_anonymous=anonymous_ok
    )
    query = f"?link={preset.link_token}" if with_link else ""
    client = client_for(role)
    assert outcome(client.get(f"/presets/{preset.pk}/{query}")) == view
    assert outcome(client.get(f"/presets/{preset.pk}/export/{query}")) == view
    assert outcome(client.post(f"/presets/{preset.pk}/fork/{query}")) == fork
    # A link never lets anyone change the preset.
    rename = client.post(f"/presets/{preset.pk}/rename/{query}", {"name": "x"})
    assert outcome(rename) in {FORBIDDEN, NOT_FOUND, SIGN_IN}
    assert Preset.objects.get(pk=preset.pk).name == "Linked"


def test_a_wrong_link_token_is_refused(team_preset):
    preset = make_preset(team_preset.owner, "Linked", visibility="link")
    client = client_for("outsider")
    assert client.get(f"/presets/{preset.pk}/?link=not-the-token").status_code == 404


LIST_EXPECTED = {
    # role: (listed on /presets/, listed in /presets/trash/ once deleted)
    "preset_owner": (True, True),
    "team_owner": (True, True),
    "team_editor": (True, False),
    "team_viewer": (True, False),
    "outsider": (False, False),
}


@pytest.mark.parametrize("role", ROLES)
def test_list_and_trash_pages_per_role(team_preset: Preset, role: str):
    client = client_for(role)
    listed = client.get("/presets/")
    if role == "anonymous":
        assert outcome(listed) == SIGN_IN
        assert outcome(client.get("/presets/trash/")) == SIGN_IN
        return
    in_list, in_trash = LIST_EXPECTED[role]
    assert (str(team_preset.pk) in listed.content.decode()) == in_list
    preset_delete(actor=team_preset.owner, preset=team_preset)
    assert str(team_preset.pk) not in client.get("/presets/").content.decode()
    assert (str(team_preset.pk) in client.get("/presets/trash/").content.decode()) == in_trash
