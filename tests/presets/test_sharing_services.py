"""Rename, share, fork, trash, restore-version, import and export, through the services."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from playground import spec
from playground.presets import selectors
from playground.presets.models import Preset
from playground.presets.services import (
    ImportInvalid,
    PresetInputInvalid,
    PresetNotFound,
    preset_create,
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
from playground.storable import lone_surrogate_reason
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


# PostgreSQL refuses a NUL character in text and in JSON, and no database stores a lone
# surrogate as UTF-8: such text must be refused with the field named, never a 500.
UNSTORABLE = ["a\x00b", "\ud800"]


@pytest.mark.parametrize("text", UNSTORABLE)
def test_unstorable_text_in_a_request_is_refused_naming_the_field(alice, text):
    with pytest.raises(spec.RequestInvalid) as error:
        preset_create(owner=alice, name="N", request=make_request(text))
    # A lone surrogate cannot be sent either: the request's own check names it first.
    assert error.value.errors == {
        "body.messages[0].content": "contains a character that cannot be stored (NUL, \\u0000)"
        if "\x00" in text
        else lone_surrogate_reason(text)
    }
    with pytest.raises(spec.RequestInvalid):
        preset_create(owner=alice, name="N", request=make_request("ok", **{text: 1}))
    assert not Preset.objects.exists()


@pytest.mark.parametrize("text", UNSTORABLE)
@pytest.mark.parametrize("field", ["name", "description", "tags", "message"])
def test_unstorable_text_in_a_name_tag_or_message_is_refused(alice, text, field):
    with pytest.raises(PresetInputInvalid) as error:
        preset_create(owner=alice, request=make_request(), **{"name": "N", field: text})
    assert list(error.value.errors) == [field]
    assert "cannot be stored" in error.value.errors[field]
    preset = make_preset(alice)
    if field == "message":
        with pytest.raises(PresetInputInvalid):
            preset_save(
                preset_id=preset.pk,
                author=alice,
                request=make_request(),
                base_version=None,
                message=text,
            )
    else:
        names = {"name": "N", "description": "", "tags": "", field: text}
        with pytest.raises(PresetInputInvalid):
            preset_rename(actor=alice, preset=preset, **names)
    assert preset.versions.count() == 1 and Preset.objects.get().name == "Greeter"


@pytest.mark.parametrize("text", UNSTORABLE)
def test_an_import_with_unstorable_text_names_the_key(alice, text):
    document = {"presets": [{"name": "A", "request": make_request(text)}]}
    with pytest.raises(ImportInvalid) as error:
        presets_import(owner=alice, text=json.dumps(document))
    assert error.value.where == "presets[0].request (body.messages[0].content)"
    # A lone surrogate cannot be sent either: the request's own check names it first.
    assert ("cannot be stored" if "\x00" in text else "lone surrogate") in error.value.reason
    document = {"presets": [{"name": text, "request": make_request()}]}
    with pytest.raises(ImportInvalid) as error:
        presets_import(owner=alice, text=json.dumps(document))
    assert error.value.where == "presets[0].name"
    assert not Preset.objects.exists()


def test_an_import_nested_too_deeply_is_refused_not_a_crash(alice):
    with pytest.raises(ImportInvalid) as error:
        presets_import(owner=alice, text="[" * 100_000 + "]" * 100_000)
    assert error.value.where == "(top level)"
    assert error.value.reason == "nested too deeply to read"
    assert not Preset.objects.exists()


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_an_import_with_nan_or_infinity_names_the_key(alice, constant):
    """Not JSON: the export would write it back as invalid JSON, a provider refuses it."""
    text = json.dumps({"presets": [{"name": "A", "request": make_request(top_k=1)}]})
    text = text.replace('"top_k": 1', f'"top_k": {constant}')
    with pytest.raises(ImportInvalid) as error:
        presets_import(owner=alice, text=text)
    assert error.value.where == "presets[0].request.body.top_k"
    assert error.value.reason == f"{constant} is not a JSON number"
    assert not Preset.objects.exists()


def test_a_request_nested_too_deeply_to_store_names_its_key(alice):
    """JSON deep enough to read but not to serialise (pydantic stops near 255 levels)."""
    deep = json.loads("[" * 400 + "]" * 400)
    with pytest.raises(spec.RequestInvalid) as error:
        preset_create(owner=alice, name="Deep", request=make_request(top_k=deep))
    assert error.value.errors == {"body.top_k": "nested too deeply (at most 200 levels)"}
    text = json.dumps({"name": "Deep", "request": make_request(top_k=deep)})
    with pytest.raises(ImportInvalid) as imported:
        presets_import(owner=alice, text=text)
    assert imported.value.where == "[0].request (body.top_k)"
    # Deep, but not too deep, is kept as it is.
    fine = json.loads("[" * 150 + "]" * 150)
    preset = preset_create(owner=alice, name="Fine", request=make_request(top_k=fine))
    assert preset.versions.get().request["body"]["top_k"] == fine
    assert not Preset.objects.filter(name="Deep").exists()


def test_each_search_word_adds_no_join_on_versions(alice):
    """A join per word multiplies rows by the versions count per word (31 versions and 4
    words took 0.7 s on SQLite, 5 words about 20 s): words match versions in a subquery."""
    sql = str(selectors.preset_list(user=alice, query="one two three four five six").query)
    assert sql.count('JOIN "presets_presetversion"') <= 1  # the latest-version annotation


def test_search_matches_every_word_in_any_field_or_any_versions_model(alice):
    preset = make_preset(alice, "Support triage", tags="eval", request=make_request(model="m-one"))
    preset_save(
        preset_id=preset.pk,
        author=alice,
        request=make_request(model="gpt-two"),
        base_version=None,
    )
    make_preset(alice, "Other", request=make_request(model="m-three"))

    def found(query):
        return [p.name for p in selectors.preset_list(user=alice, query=query)]

    assert found("triage EVAL gpt-two") == ["Support triage"]
    assert found("triage m-one") == ["Support triage"]
    assert found("triage m-three") == []
    assert found("m-") == ["Other", "Support triage"]
    assert [p.latest_version for p in selectors.preset_list(user=alice, query="triage")] == [2]
