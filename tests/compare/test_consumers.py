"""The compare socket: every column streams at once and on its own, Stop stops them all,
a failing column leaves the others running, and each column is a recorded run."""

import json
import re

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from playground.compare.consumers import CompareConsumer
from playground.runs.models import Run
from tests.fake_upstream import Scenario
from tests.runs.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def form(*columns: dict, conversation=None, variables: str = "", system: str = "") -> dict:
    message = {
        "action": "run",
        "system": system,
        "conversation": json.dumps(conversation or [{"role": "user", "content": "Hi"}]),
        "variables": variables,
    }
    for n, column in enumerate(columns):
        message |= {
            f"label-{n}": column.get("label", ""),
            f"provider-{n}": column.get("provider", "openai"),
            f"model-{n}": column.get("model", f"model-{n}"),
            f"system-{n}": column.get("system", ""),
            f"parameters-{n}": column.get("parameters", ""),
        }
    return message


class Page:
    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.communicator, self.frames = communicator, []

    async def send(self, message: dict) -> None:
        await self.communicator.send_json_to(message)

    async def until(self, pattern: str, timeout: float = 10) -> str:
        """The first frame matching ``pattern``; fails naming what came instead."""
        try:
            while True:
                frame = await self.communicator.receive_from(timeout=timeout)
                self.frames.append(frame)
                if re.search(pattern, frame):
                    return frame
        except TimeoutError:
            seen = "\n".join(f[:160] for f in self.frames[-8:])
            pytest.fail(f"no frame matched {pattern!r} in {timeout} s; the last ones:\n{seen}")

    def text(self) -> str:
        return "".join(self.frames)


async def open_page(user) -> Page:
    communicator = WebsocketCommunicator(CompareConsumer.as_asgi(), "/ws/compare/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    return Page(communicator)


def reply_of(page: Page, column: int) -> str:
    pieces = re.findall(
        rf'<span id="c{column}-reply-0" hx-swap-oob="beforeend">(.*?)</span>', page.text()
    )
    return "".join(pieces)


async def test_every_column_streams_its_own_reply_and_is_recorded(fake_upstream):
    alice = await sync_to_async(make_user)("alice")
    fake_upstream.default = Scenario(
        tokens=lambda body: [f" {body['model']}", " says", f" {body.get('temperature')}"]
    )
    page = await open_page(alice)
    await page.send(
        form(
            {"label": "cold", "model": "small", "parameters": '{"temperature": 0.5}'},
            {
                "label": "warm",
                "model": "large",
                "parameters": '{"temperature": 1.5}',
                "system": "Be warm.",
            },
            conversation=[{"role": "user", "content": "Hello {{name}}"}],
            variables="name = Ada",
            system="Be brief.",
        )
    )
    await page.until(r'id="compare-status"[^>]*data-state="done"')
    assert reply_of(page, 0) == " small says 0.5"
    assert reply_of(page, 1) == " large says 1.5"
    bodies = {r.body["model"]: r.body for r in fake_upstream.requests_to("/chat/completions")}
    assert bodies["small"]["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hello Ada"},
    ]
    assert bodies["large"]["messages"][0] == {"role": "system", "content": "Be warm."}
    assert bodies["large"]["stream"] is True and bodies["large"]["stream_options"] == {
        "include_usage": True
    }
    # Each column: its status with timings, its history record with tokens and cost, its code.
    assert 'id="c0-run-status"' in page.text() and 'id="c1-run-status"' in page.text()
    assert page.text().count("Saved in <a") == 2
    assert 'id="c1-code"' in page.text() and "client.chat.completions.create(" in page.text()
    runs = [run async for run in Run.objects.all()]
    assert sorted(r.model for r in runs) == ["large", "small"]
    assert {r.request["variables"]["name"] for r in runs} == {"Ada"}
    await page.communicator.disconnect()


async def test_each_columns_reply_is_rendered_as_markdown_in_its_own_place(fake_upstream):
    alice = await sync_to_async(make_user)("alice")
    fake_upstream.default = Scenario(
        tokens=lambda body: [f"**{body['model']}** wrote", ' id="reply-0"']
    )
    page = await open_page(alice)
    await page.send(form({"model": "small"}, {"model": "large"}))
    await page.until(r'id="compare-status"[^>]*data-state="done"')
    for column, model in enumerate(("small", "large")):
        assert (
            f'<div id="c{column}-rendered-0" hx-swap-oob="innerHTML"><p><strong>{model}</strong>'
            " wrote id=&quot;reply-0&quot;</p>\n</div>"
        ) in page.text()
    await page.communicator.disconnect()


async def test_stop_stops_every_column_and_keeps_what_they_said(fake_upstream):
    alice = await sync_to_async(make_user)("alice")
    fake_upstream.default = Scenario(tokens_per_second=20, tokens=lambda body: [" tick"] * 200)
    page = await open_page(alice)
    await page.send(form({}, {}, {}))
    await page.until(r'id="c2-reply-0"')
    await page.send({"action": "stop"})
    await page.until(r'id="compare-status"[^>]*data-state="stopped"')
    text = page.text()
    for column in range(3):
        assert re.search(rf'id="c{column}-run-status"[^>]*data-state="stopped"', text)
    runs = [run async for run in Run.objects.all()]
    assert len(runs) == 3 and {r.status for r in runs} == {"stopped"}
    await page.communicator.disconnect()


async def test_a_failing_column_does_not_stop_the_others(fake_upstream):
    alice = await sync_to_async(make_user)("alice")
    fake_upstream.default = Scenario(tokens=lambda body: [" fine"])
    page = await open_page(alice)
    await page.send(form({"provider": "nowhere"}, {"model": "ok"}))
    await page.until(r'id="compare-status"[^>]*data-state="done"')
    text = page.text()
    assert re.search(r'id="c0-run-status"[^>]*data-state="refused"', text) or "nowhere" in text
    assert reply_of(page, 1) == " fine"
    statuses = sorted([(r.model, r.status) async for r in Run.objects.all()])
    assert statuses == [("model-0", "refused"), ("ok", "finished")]
    await page.communicator.disconnect()


async def test_bad_input_is_refused_naming_the_column_and_nothing_is_sent(fake_upstream):
    alice = await sync_to_async(make_user)("alice")
    page = await open_page(alice)
    await page.send(
        form(
            {"parameters": '{"temperature": 9}'},
            {"parameters": "{oops"},
            conversation=[{"role": "user", "content": "{{missing}}"}],
        )
    )
    frame = await page.until(r'data-state="invalid"')
    assert "column 1 · temperature" in frame and "column 2 · parameters" in frame
    assert "is not JSON (line 1, column 2" in frame
    assert "column 1 · variables.missing" in frame or "variables.missing" in frame
    assert fake_upstream.requests == []
    await page.communicator.disconnect()


async def test_one_column_is_not_a_comparison(fake_upstream):
    alice = await sync_to_async(make_user)("alice")
    page = await open_page(alice)
    await page.send(form({}))
    frame = await page.until(r'data-state="invalid"')
    assert "compare needs 2 to 4 columns" in frame
    await page.communicator.disconnect()


async def test_the_diff_of_two_replies_and_the_better_answer(fake_upstream):
    alice = await sync_to_async(make_user)("alice")
    fake_upstream.default = Scenario(
        tokens=lambda body: ["The cat sat"] if body["model"] == "a" else ["The dog sat <down>"]
    )
    page = await open_page(alice)
    await page.send(form({"model": "a"}, {"model": "b"}))
    await page.until(r'id="compare-status"[^>]*data-state="done"')
    await page.until(r"Saved in <a", timeout=5) if page.text().count("Saved in <a") < 2 else None
    while page.text().count("Saved in <a") < 2:
        await page.until(r"Saved in <a")
    await page.send({"action": "diff", "a": "0", "b": "1"})
    diff = await page.until(r'id="compare-diff"')
    assert "<del>cat</del><ins>dog</ins>" in diff and "&lt;down&gt;" in diff
    await page.send({"action": "prefer", "column": "1"})
    await page.until(r'id="compare-preferred"')
    runs = {r.model: r async for r in Run.objects.all()}
    assert runs["b"].starred and "Preferred in a comparison over: a" in runs["b"].note
    assert not runs["a"].starred and "Not preferred" in runs["a"].note
    await page.communicator.disconnect()
