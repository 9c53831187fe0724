"""Rename, share, fork, trash, restore-version, import and export, through the services."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from playground.presets import selectors
from playground.presets.models import Preset
from playground.presets.services import (
    ImportInvalid,
    PresetInputInvalid,
    PresetNotFound,
    preset_delete,
    preset_fork,
    preset_rename,
    preset_restore,
    preset_restore_version,
    preset_save,
    preset_share,
    presets_export,
    presets_import,
)
from tests.presets.factories import make_preset, make_request, make_team, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return make_user("alice")


@pytest.fixture
def bob():
    return make_user("bob")


def test_tags_are_normalised_and_searchable_with_the_model(alice):
    make_preset(alice, "Support bot", tags=" Support,eval, support ")
    make_preset(alice, "Other", request=make_request(model="gpt-4o-mini"))
    preset = selectors.preset_list(user=alice, query="EVAL").get()
    assert preset.tags == "support, eval"
    assert [p.name for p in selectors.preset_list(user=alice, query="4o-mini")] == ["Other"]


def test_a_team_preset_needs_a_team_where_the_owner_edits(alice, bob):
    team = make_team("Core", alice="viewer")
    with pytest.raises(PresetInputInvalid, match="team"):
        make_preset(alice, team_id=team.pk, visibility="team")
    with pytest.raises(PresetInputInvalid, match="visibility"):
        make_preset(alice, visibility="team")
    assert not Preset.objects.exists()


def test_fork_copies_into_my_space_with_a_link_to_the_origin(alice, bob):
    team = make_team("Core", alice="owner", bob="viewer")
    origin = make_preset(alice, request=make_request("v1"), team_id=team.pk, visibility="team")
    preset_save(preset_id=origin.pk, author=alice, request=make_request("v2"), base_version=1)
    fork = preset_fork(actor=bob, preset=origin, version=1)
    assert fork.owner == bob and fork.visibility == "private" and fork.team is None
    assert fork.forked_from == origin and fork.forked_from_version == 1
    assert fork.versions.get().request["body"]["messages"][0]["content"] == "v1"


def test_restore_version_adds_a_new_version(alice):
    preset = make_preset(alice, request=make_request("v1"))
    preset_save(preset_id=preset.pk, author=alice, request=make_request("v2"), base_version=1)
    restored = preset_restore_version(actor=alice, preset=preset, number=1)
    assert restored.number == 3
    assert restored.request == preset.versions.get(number=1).request
    assert restored.message == "Restored version 1"


def test_link_token_is_unguessable_and_revoked_when_unshared(alice):
    preset = make_preset(alice, visibility="link")
    token = preset.link_token
    assert len(token) >= 40
    preset_share(actor=alice, preset=preset, team_id=None, visibility="private")
    assert preset.link_token is None
    preset_share(actor=alice, preset=preset, team_id=None, visibility="link")
    assert preset.link_token and preset.link_token != token


def test_viewer_may_not_rename_and_outsider_is_not_told_it_exists(alice, bob):
    team = make_team("Core", alice="owner", bob="viewer")
    preset = make_preset(alice, team_id=team.pk, visibility="team")
    with pytest.raises(PermissionDenied):
        preset_rename(actor=bob, preset=preset, name="Mine now", description="", tags="")
    carol = make_user("carol")
    with pytest.raises(PresetNotFound):
        preset_rename(actor=carol, preset=preset, name="Mine now", description="", tags="")
    preset.refresh_from_db()
    assert preset.name == "Greeter"


def test_trash_restores_within_30_days_and_purge_removes_older(alice):
    kept = make_preset(alice, "Kept")
    expired = make_preset(alice, "Expired")
    preset_delete(actor=alice, preset=kept)
    preset_delete(actor=alice, preset=expired)
    assert list(selectors.preset_list(user=alice)) == []
    Preset.objects.filter(pk=expired.pk).update(deleted_at=timezone.now() - timedelta(days=31))
    assert [p.name for p in selectors.trash_list(user=alice)] == ["Kept"]
    with pytest.raises(PresetNotFound):
        selectors.preset_get_any(user=alice, preset_id=expired.pk)
    preset_restore(actor=alice, preset=kept)
    assert [p.name for p in selectors.preset_list(user=alice)] == ["Kept"]

    call_command("purge_trash")
    assert list(Preset.objects.values_list("name", flat=True)) == ["Kept"]


def test_export_then_import_round_trips_every_version(alice, bob):
    preset = make_preset(alice, tags="a, b", request=make_request("v1"))
    preset_save(
        preset_id=preset.pk, author=alice, request=make_request("v2"), base_version=1, message="m"
    )
    document = presets_export(actor=alice, presets=[preset])
    imported = presets_import(owner=bob, text=json.dumps(document))
    copy = imported[0]
    assert copy.owner == bob and copy.name == "Greeter" and copy.tags == "a, b"
    assert [v.request for v in copy.versions.all()] == [v.request for v in preset.versions.all()]
    assert [v.message for v in copy.versions.all()] == ["", "m"]


def test_import_of_a_single_preset_with_one_request(alice):
    [preset] = presets_import(
        owner=alice, text=json.dumps({"name": "One", "request": make_request()})
    )
    assert preset.versions.get().number == 1


def test_import_syntax_error_names_the_line_and_imports_nothing(alice):
    text = '{\n  "presets": [\n    {"name": "A",}\n  ]\n}'
    with pytest.raises(ImportInvalid) as error:
        presets_import(owner=alice, text=text)
    assert error.value.where == "line 3, column 18"
    assert "not valid JSON" in error.value.reason
    assert not Preset.objects.exists()


def test_import_bad_request_names_the_key_and_imports_nothing(alice):
    good = {"name": "Good", "request": make_request()}
    bad = {"name": "Bad", "versions": [{"request": make_request(temperature=7)}]}
    with pytest.raises(ImportInvalid) as error:
        presets_import(owner=alice, text=json.dumps({"presets": [good, bad]}))
    assert error.value.where == "presets[1].versions[0].request (temperature)"
    assert "out of range" in error.value.reason
    assert not Preset.objects.exists()
