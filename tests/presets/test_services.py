"""Preset versions: validation before storing, numbering, and the stale-save refusal."""

import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection

from playground.presets.models import PresetVersion
from playground.presets.services import StaleVersion, preset_create, preset_save
from playground.spec import RequestInvalid
from playground.teams.models import Membership, Role, Team


def make_request(content: str = "hi") -> dict:
    return {
        "mode": "chat",
        "provider": "offline",
        "body": {
            "model": "offline-1",
            "messages": [{"role": "user", "content": content}],
            "temperature": 0.5,
        },
    }


@pytest.fixture
def alice(db) -> User:
    return User.objects.create_user("alice", password="pw-alice-123")


def test_create_stores_validated_request(alice):
    preset = preset_create(owner=alice, name="Greeter", request=make_request())
    version = preset.versions.get()
    assert version.number == 1
    assert version.request["body"]["temperature"] == 0.5
    assert version.request["variables"] == {}


def test_invalid_request_is_refused_and_nothing_written(alice):
    bad = make_request()
    bad["body"]["temperature"] = 9
    with pytest.raises(RequestInvalid) as exc:
        preset_create(owner=alice, name="Bad", request=bad)
    assert "body.temperature" in " ".join(exc.value.errors) or "temperature" in str(
        exc.value.errors
    )
    assert not PresetVersion.objects.exists()


def test_stale_save_is_refused_and_no_version_lost(alice):
    preset = preset_create(owner=alice, name="P", request=make_request("v1"))
    preset_save(preset_id=preset.pk, author=alice, request=make_request("v2"), base_version=1)
    with pytest.raises(StaleVersion, match="save as a new version or fork"):
        preset_save(preset_id=preset.pk, author=alice, request=make_request("v2b"), base_version=1)
    # Saving on top of the latest still works after the refusal.
    preset_save(preset_id=preset.pk, author=alice, request=make_request("v3"), base_version=None)
    contents = [v.request["body"]["messages"][0]["content"] for v in preset.versions.all()]
    assert contents == ["v1", "v2", "v3"]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sessions_both_versions_exist():
    alice = User.objects.create_user("alice", password="pw-alice-123")
    bob = User.objects.create_user("bob", password="pw-bob-123")
    team = Team.objects.create(name="Prompts")
    Membership.objects.create(team=team, user=alice, role=Role.OWNER)
    Membership.objects.create(team=team, user=bob, role=Role.EDITOR)
    preset = preset_create(
        owner=alice, name="Shared", request=make_request("v1"), team_id=team.pk, visibility="team"
    )
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def save(user: User, text: str) -> None:
        try:
            barrier.wait()
            preset_save(
                preset_id=preset.pk, author=user, request=make_request(text), base_version=None
            )
        except BaseException as exc:  # reported below; a thread's exception would vanish
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(u, t)) for u, t in ((alice, "a"), (bob, "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    numbers = sorted(preset.versions.values_list("number", flat=True))
    assert numbers == [1, 2, 3]
    texts = {v.request["body"]["messages"][0]["content"] for v in preset.versions.all()}
    assert texts == {"v1", "a", "b"}
