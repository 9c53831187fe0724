"""The run websocket runs a saved preset version, and refuses one the user may not read."""

from html.parser import HTMLParser

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from playground.consumers import RunConsumer
from playground.presets.services import preset_save
from playground.runs.models import Run
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
    "which",
    [
        "private",
        "unknown-id",
        "not-a-uuid",
        "missing-version",
        "bad-version",
        "empty-version",
        "true-version",
        "wide-digit-version",
    ],
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
        "empty-version": (str(shared.pk), ""),
        "true-version": (str(shared.pk), True),
        "wide-digit-version": (str(shared.pk), "\uff11"),  # a full-width "1"
    }[which]
    client = await connect(bob)
    await client.send({"action": "run", "preset": preset_id, "version": version})
    await client.receive()
    assert client.status_text() == "No preset you may read has this id and version."
    assert fake_upstream.chat_requests == []
    await client.communicator.disconnect()


class RunForms(HTMLParser):
    """The ``ws-send`` forms of a page and their inputs, as htmx's ws extension sends them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self.connects: list[str] = []
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if "ws-connect" in attributes:
            self.connects.append(attributes["ws-connect"] or "")
        if tag == "form" and "ws-send" in attributes:
            self._current = {}
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None and attributes.get("name"):
            self._current[attributes["name"]] = attributes.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def run_forms(user, path: str) -> RunForms:
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    parser = RunForms()
    parser.feed(response.content.decode())
    return parser


async def test_the_history_pages_run_buttons_run_exactly_their_version(
    fake_upstream: FakeUpstream,
):
    """What a Run button on the preset page sends (all strings, as htmx sends a form) runs
    that version, for a team viewer: reading is enough."""
    bob, shared, _ = await sync_to_async(setup_presets)()
    page = await sync_to_async(run_forms)(bob, f"/presets/{shared.pk}/")
    assert page.connects == ["/ws/run/"]
    runs = [form for form in page.forms if form.get("action") == "run"]
    # "Run latest (v2)" at the top, then one per row of the history, newest first.
    assert [form["version"] for form in runs] == ["2", "2", "1"]
    assert {form["preset"] for form in runs} == {str(shared.pk)}

    client = await connect(bob)
    for form in runs:
        await client.send({**form, "HEADERS": {"HX-Request": "true"}})
        assert await client.receive_until_state() == "done"
        sent = fake_upstream.chat_requests[-1].body
        assert sent["messages"][0]["content"] == f"v{form['version']}"
    assert client.reply().count(" word19") == len(runs)
    await client.communicator.disconnect()


async def test_a_signed_in_link_holder_runs_it_through_the_link(fake_upstream: FakeUpstream):
    bob, _, private = await sync_to_async(setup_presets)()
    linked = await sync_to_async(make_preset)(
        private.owner, "Linked", request=openai_request("linked"), visibility="link"
    )
    query = f"?link={linked.link_token}"
    page = await sync_to_async(run_forms)(bob, f"/presets/{linked.pk}/{query}")
    runs = [form for form in page.forms if form.get("action") == "run"]
    assert runs and all(form["link"] == linked.link_token for form in runs)

    client = await connect(bob)
    await client.send(runs[0])
    assert await client.receive_until_state() == "done"
    assert fake_upstream.chat_requests[-1].body["messages"][0]["content"] == "linked"
    await client.receive_record()
    # Recorded as a run of that preset's version, under bob, who ran it.
    run = await Run.objects.select_related("user").aget()
    assert (run.user, run.preset_id, run.preset_version, run.source) == (
        bob,
        linked.pk,
        1,
        "preset",
    )
    # Without the link the same message is refused like an unknown id.
    await client.send({key: value for key, value in runs[0].items() if key != "link"})
    await client.receive()
    assert client.status_text() == "No preset you may read has this id and version."
    await client.communicator.disconnect()


async def test_no_run_button_where_the_socket_would_refuse(fake_upstream: FakeUpstream):
    """A signed-out link visitor may read the page but not run: no socket, no Run."""
    *_, private = await sync_to_async(setup_presets)()
    linked = await sync_to_async(make_preset)(
        private.owner,
        "Public",
        request=openai_request("public"),
        visibility="link",
        link_allows_anonymous=True,
    )
    page = await sync_to_async(run_forms)(None, f"/presets/{linked.pk}/?link={linked.link_token}")
    assert page.forms == [] and page.connects == []


def setup_roles():
    """A preset shared with team Core, and one user per role (the matrix's roles)."""
    users = {role: make_user(role) for role in ("owner", "t_owner", "editor", "viewer", "outsider")}
    team = make_team("Core", owner="editor", t_owner="owner", editor="editor", viewer="viewer")
    preset = make_preset(
        users["owner"], "Shared", request=openai_request("team"), team_id=team.pk, visibility="team"
    )
    return users, preset


@pytest.mark.parametrize(
    ("role", "runs"),
    [
        ("owner", True),
        ("t_owner", True),
        ("editor", True),
        ("viewer", True),
        ("outsider", False),
    ],
)
async def test_the_socket_runs_a_team_preset_for_each_role_that_may_read_it(
    fake_upstream: FakeUpstream, role: str, runs: bool
):
    users, preset = await sync_to_async(setup_roles)()
    client = await connect(users[role])
    await client.send({"action": "run", "preset": str(preset.pk), "version": "1"})
    if runs:
        assert await client.receive_until_state() == "done"
        assert fake_upstream.chat_requests[-1].body["messages"][0]["content"] == "team"
    else:
        await client.receive()
        assert client.status_text() == "No preset you may read has this id and version."
        assert fake_upstream.chat_requests == []
    await client.communicator.disconnect()


async def test_the_socket_refuses_a_signed_out_visitor(fake_upstream: FakeUpstream):
    """The matrix's last column: no run at all without an account, even by a public link."""
    communicator = WebsocketCommunicator(RunConsumer.as_asgi(), "/ws/run/")
    communicator.scope["user"] = AnonymousUser()
    connected, _ = await communicator.connect()
    assert not connected  # running needs an account, whatever the link allows
    assert fake_upstream.chat_requests == []
