"""Presets with the same name can be told apart: an import never adds a second preset of a
name its owner already uses, the list shows what distinguishes them, and a lookup by name
(the terminal's run_preset, evaluations, compare) refuses an ambiguous name, naming each
candidate, instead of picking one."""

import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from playground.presets.by_name import preset_request_for
from playground.presets.models import Preset
from playground.presets.services import preset_save, presets_import
from tests.presets.factories import make_preset, make_request, make_team, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return make_user("alice")


def imported(owner, *names: str) -> list[str]:
    document = [{"name": name, "request": make_request()} for name in names]
    return [preset.name for preset in presets_import(owner=owner, text=json.dumps(document))]


def today() -> str:
    return timezone.localdate().isoformat()


def test_an_imported_preset_whose_name_you_use_gets_a_distinct_name(alice):
    make_preset(alice, "Summariser")
    assert imported(alice, "Summariser") == [f"Summariser (imported {today()})"]
    # Imported again the same day: numbered.
    assert imported(alice, "Summariser") == [f"Summariser (imported {today()}, 2)"]
    assert Preset.objects.filter(owner=alice).count() == 3
    assert Preset.objects.filter(owner=alice).values("name").distinct().count() == 3


def test_two_presets_of_one_name_in_one_import_are_told_apart(alice):
    assert imported(alice, "Summariser", "Summariser", "Other") == [
        "Summariser",
        f"Summariser (imported {today()})",
        "Other",
    ]


def test_a_name_only_someone_else_uses_is_kept(alice):
    """Another user's preset, even one shared with you, keeps its owner's name: the list
    and lookups tell them apart by owner and team."""
    bob = make_user("bob")
    team = make_team("Core", alice="editor", bob="owner")
    make_preset(bob, "Summariser", team_id=team.pk, visibility="team")
    assert imported(alice, "Summariser") == ["Summariser"]


def test_a_preset_in_the_trash_does_not_hold_its_name(alice):
    from playground.presets.services import preset_delete

    preset_delete(actor=alice, preset=make_preset(alice, "Summariser"))
    assert imported(alice, "Summariser") == ["Summariser"]


def test_a_long_name_stays_within_the_limit_when_it_is_told_apart(alice):
    long = "S" * 200
    make_preset(alice, long)
    [name] = imported(alice, long)
    assert len(name) == 200 and name.endswith(f"… (imported {today()})")


def test_the_import_page_says_which_presets_were_renamed(client, alice):
    client.force_login(alice)
    make_preset(alice, "Summariser")
    document = json.dumps({"name": "Summariser", "request": make_request()}).encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = client.post(
        "/presets/import/",
        {"file": SimpleUploadedFile("s.json", document, "application/json")},
        follow=True,
    ).content.decode()
    assert "Imported 1 preset(s)." in page
    assert (
        "Renamed so that your presets keep distinct names: "
        f"“Summariser” → “Summariser (imported {today()})”."
    ) in page


def test_the_list_shows_what_tells_presets_of_one_name_apart(client, alice):
    client.force_login(alice)
    bob = make_user("bob")
    team = make_team("Core", alice="editor", bob="owner")
    mine = make_preset(alice, "Summariser")
    theirs = make_preset(bob, "Summariser", team_id=team.pk, visibility="team")
    preset_save(
        preset_id=theirs.pk, author=bob, request=make_request("v2"), base_version=1, message=""
    )
    page = client.get("/presets/").content.decode()
    head = page.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert "<th>Updated</th>" in head and "<th>Versions</th>" in head and "<th>Owner</th>" in head
    rows = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr")[1:]
    assert len(rows) == 2
    for preset, owner, team_name, versions in ((mine, "alice", "—", 1), (theirs, "bob", "Core", 2)):
        [row] = [row for row in rows if str(preset.pk) in row]
        # The short id: the start of the id every URL and the terminal take.
        assert f'<code class="short-id" title="{preset.pk}">{preset.pk.hex[:8]}</code>' in row
        assert f"<td>{owner}</td>" in row and team_name in row
        assert f"<td>{versions}</td>" in row
        assert "<time datetime=" in row


def test_a_lookup_by_an_ambiguous_name_names_every_candidate(alice):
    bob = make_user("bob")
    team = make_team("Core", alice="editor", bob="owner")
    mine = make_preset(alice, "Summariser")
    theirs = make_preset(bob, "Summariser", team_id=team.pk, visibility="team")
    with pytest.raises(LookupError) as refused:
        preset_request_for(alice)("Summariser")
    message = str(refused.value)
    assert message.startswith("2 presets you may see are named 'Summariser'; give the id")
    assert f"{mine.pk} (yours, no team, 1 version, updated " in message
    assert f"{theirs.pk} (owner bob, team Core, 1 version, updated " in message
    # The id picks one.
    assert preset_request_for(alice)(str(theirs.pk))["body"] == make_request()["body"]


def test_run_preset_refuses_an_ambiguous_name_naming_every_candidate(alice, capsys):
    bob = make_user("bob")
    team = make_team("Core", alice="editor", bob="owner")
    mine = make_preset(alice, "Summariser")
    theirs = make_preset(bob, "Summariser", team_id=team.pk, visibility="team")
    with pytest.raises(SystemExit) as exit_:
        call_command("run_preset", "Summariser", "--user", "alice")
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "2 presets you may see are named 'Summariser'; give the id" in err
    assert f"\n  {mine.pk}  yours, no team, 1 version, updated " in err
    assert f"\n  {theirs.pk}  owner bob, team Core, 1 version, updated " in err


def test_the_preset_page_shows_the_id_the_terminal_takes(client, alice):
    client.force_login(alice)
    preset = make_preset(alice, "Summariser")
    page = client.get(f"/presets/{preset.pk}/").content.decode()
    assert f'id <code class="preset-id">{preset.pk}</code>' in page


def test_the_evaluation_pickers_presets_of_one_name_are_told_apart(client, alice):
    client.force_login(alice)
    bob = make_user("bob")
    team = make_team("Core", alice="editor", bob="owner")
    mine = make_preset(alice, "Summariser")
    theirs = make_preset(bob, "Summariser", team_id=team.pk, visibility="team")
    page = client.get("/evaluations/").content.decode()
    assert f'<option value="{mine.pk}">Summariser (alice · {mine.pk.hex[:8]})</option>' in page
    assert (
        f'<option value="{theirs.pk}">Summariser (team Core · {theirs.pk.hex[:8]})</option>' in page
    )
