"""Run messages whose own keys are of the wrong kind, or that carry text no frame can hold.

Each is answered with a frame naming the key and what it may be, and the socket stays open
for the next run (before, each of these ended in a websocket close 1011 or a silent hang).
"""

import json
import uuid

import pytest

from tests.conftest import chat_request

pytestmark = pytest.mark.django_db(transaction=True)

PRESET = str(uuid.uuid4())


async def refused_then_usable(run_client, text: str) -> str:
    """Send ``text`` as it is, read the refusal, then check a run still works."""
    await run_client.send_raw(text)
    assert await run_client.receive_until_state() in {"error", "invalid"}
    said = run_client.status_text()
    await run_client.send(chat_request(provider="offline"))
    assert await run_client.receive_until_state() == "done"
    return said


@pytest.mark.parametrize("link", [5, ["token"], {"t": 1}, True])
async def test_a_link_that_is_not_text_is_refused_naming_it(run_client, link):
    message = {"action": "run", "preset": PRESET, "version": 1, "link": link}
    said = await refused_then_usable(run_client, json.dumps(message))
    assert "link: must be text" in said


@pytest.mark.parametrize("moderate", [["on"], ["on", "on"], {"on": True}, 1, "yes"])
async def test_a_moderate_switch_that_is_not_on_or_off_is_refused_naming_it(run_client, moderate):
    message = {**chat_request(provider="offline"), "moderate": moderate}
    said = await refused_then_usable(run_client, json.dumps(message))
    assert 'moderate: must be "on", "off", true, false or absent' in said


@pytest.mark.parametrize("preset", [[PRESET], 5, {"id": PRESET}])
async def test_a_preset_id_that_is_not_text_is_refused_naming_it(run_client, preset):
    said = await refused_then_usable(run_client, json.dumps({"action": "run", "preset": preset}))
    assert "preset: must be text" in said


@pytest.mark.parametrize("version", [10**30, -1, "99999999999999999999999", "²", 1.5, [1]])
async def test_a_version_out_of_range_or_not_a_number_is_no_such_version(run_client, version):
    message = {"action": "run", "preset": PRESET, "version": version}
    said = await refused_then_usable(run_client, json.dumps(message))
    # The same answer as for any preset or version the user may not read (presets/running.py).
    assert said == "No preset you may read has this id and version."


# JSON's escape for half a character: json.dumps writes it, no UTF-8 encoder can.
SURROGATE = "\ud800"


@pytest.mark.parametrize(
    ("message", "field"),
    [
        (
            {
                "action": "run",
                "provider": "offline",
                "messages-0-role": "user",
                "messages-0-content": f"hi {SURROGATE}",
            },
            "messages-0-content",
        ),
        (
            {
                "action": "run",
                "request": {
                    "mode": "chat",
                    "provider": "offline",
                    "body": {"model": "m", "messages": [{"role": "user", "content": SURROGATE}]},
                },
            },
            "request.body.messages[0].content",
        ),
        ({"action": "run", "preset": PRESET, "link": SURROGATE}, "link"),
        ({"action": SURROGATE}, "action"),
    ],
)
async def test_a_lone_surrogate_is_refused_naming_the_field(run_client, message, field):
    said = await refused_then_usable(run_client, json.dumps(message))
    assert f"{field}: contains a lone surrogate (\\ud800)" in said


async def test_a_lone_surrogate_in_the_json_views_text_is_refused_naming_the_field(run_client):
    request = {
        "mode": "chat",
        "provider": "offline",
        "body": {"model": "m", "messages": [{"role": "user", "content": SURROGATE}]},
    }
    # The editor's text holds the six characters \ud800; reading it makes the half character.
    message = {"action": "run", "request": json.dumps(request)}
    said = await refused_then_usable(run_client, json.dumps(message))
    assert "body.messages[0].content" in said and "lone surrogate" in said


@pytest.mark.parametrize(
    ("values", "shown"),
    [
        ({"temperature": "1" * 5000}, "temperature"),
        ({"max_tokens": "9" * 5000}, "max_tokens"),
        ({"seed": "-" + "9" * 4400}, "seed"),
        ({"n": "9" * 30}, "n"),
        # Row names beyond any row of the form (or not ASCII digits) are no rows: left out.
        ({"messages-" + "9" * 5000 + "-content": "hi"}, None),
        ({"messages-²-role": "user", "messages-²-content": "hi"}, None),
        ({"tools-" + "9" * 5000 + "-name": "f"}, None),
    ],
)
async def test_form_numbers_beyond_any_integer_are_answered_not_crashed_on(
    run_client, values, shown
):
    message = {
        "action": "run",
        "provider": "offline",
        "model": "m",
        "messages-0-role": "user",
        "messages-0-content": "hi",
        **values,
    }
    await run_client.send(message)
    state = await run_client.receive_until_state()
    if shown is None:
        assert state == "done"
    else:
        assert state == "invalid"
        assert f"{shown}:" in run_client.status_text()
        assert "is out of range (allowed:" in run_client.status_text()
        assert len(run_client.status_text()) < 400  # the digits are not all echoed
    await run_client.send(chat_request(provider="offline"))
    assert await run_client.receive_until_state() == "done"


async def test_a_json_number_too_long_to_read_is_said_as_such(run_client):
    said = await refused_then_usable(run_client, '{"action": "run", "n": ' + "9" * 5000 + "}")
    assert said == "The message holds a number too long to read."


async def test_a_message_above_the_configured_limit_gets_an_error_frame(run_client, settings):
    settings.PLAYGROUND_MAX_MESSAGE_BYTES = 4096
    # 3000 characters, 6000 bytes of UTF-8: the limit counts bytes, as daphne does.
    message = json.dumps(chat_request("é" * 3000, provider="offline"), ensure_ascii=False)
    said = await refused_then_usable(run_client, message)
    assert "the server takes at most 4,096 bytes per run" in said
    assert f"The request is {len(message.encode()):,} bytes" in said
