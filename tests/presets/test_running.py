"""The run websocket runs a saved preset version, and refuses one the user may not read."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from playground.consumers import RunConsumer
from playground.presets.services import preset_save
from tests.conftest import RunClient
from tests.fake_upstream import FakeUpstream
from tests.presets.factories import make_preset, make_team, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def openai_request(content: str) -> dict:
    body = {"model": "fake-model", "messages": [{"role": "user", "content": content}]}
    return {"mode": "chat", "provider": "openai", "body": {**body, "stream": True}}


def setup_presets():
    alice, bob = make_user("alice"), make_user("bob")
    team = make_team("Core", alice="editor", bob="viewer")
    shared = make_preset(
        alice, "Shared", request=openai_request("v1"), team_id=team.pk, visibility="team"
    )
    preset_save(preset_id=shared.pk, author=alice, request=openai_request("v2"), base_version=1)
    private = make_preset(alice, "Private", request=openai_request("secret"))
    return bob, shared, private


async def connect(user) -> RunClient:
    communicator = WebsocketCommunicator(RunConsumer.as_asgi(), "/ws/run/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    return RunClient(communicator)


async def test_a_team_viewer_runs_a_saved_version(fake_upstream: FakeUpstream):
    bob, shared, _ = await sync_to_async(setup_presets)()
    client = await connect(bob)
    await client.send({"action": "run", "preset": str(shared.pk), "version": 1})
    assert await client.receive_until_state() == "done"
    assert fake_upstream.chat_requests[-1].body["messages"][0]["content"] == "v1"
    await client.communicator.disconnect()


@pytest.mark.parametrize(
    "which", ["private", "unknown-id", "not-a-uuid", "missing-version", "bad-version"]
)
async def test_a_preset_the_user_may_not_read_is_refused_the_same_way(
    fake_upstream: FakeUpstream, which: str
):
    bob, shared, private = await sync_to_async(setup_presets)()
    preset_id, version = {
        "private": (str(private.pk), 1),
        "unknown-id": ("3f1c3c55-5a7e-4a8e-9f0b-7d1d5e0c1a2b", 1),
        "not-a-uuid": ("../../etc", 1),
        "missing-version": (str(shared.pk), 9),
        "bad-version": (str(shared.pk), "1; drop"),
    }[which]
    client = await connect(bob)
    await client.send({"action": "run", "preset": preset_id, "version": version})
    await client.receive()
    assert client.status_text() == "No preset you may read has this id and version."
    assert fake_upstream.chat_requests == []
    await client.communicator.disconnect()
