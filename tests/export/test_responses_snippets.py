"""Responses exports run for real (the openai Python and Node SDKs, curl) against the fake
upstream: they send the playground's body and print what the page shows (the streamed
text, function calls with their arguments, the response id)."""

import json
import tempfile
from pathlib import Path

import pytest

from playground.export import export
from playground.providers.offline_responses import ResponseMemory, plan_response
from tests.export.test_run_snippets import _run, node_sdk, same_json

__all__ = ["node_sdk"]  # the fixture, shared with test_run_snippets

WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    "strict": False,
}


def responses_request(**body) -> dict:
    return {"mode": "responses", "provider": "openai", "body": {"model": "fake-model", **body}}


def run_all(request: dict, tmp_path: Path, langs=("python", "node", "curl")) -> dict[str, str]:
    printed = {}
    for lang in langs:
        result = _run(lang, export(lang, request), Path(tempfile.mkdtemp(dir=tmp_path)))
        assert result.returncode == 0, (lang, result.stderr.decode()[-2000:])
        printed[lang] = result.stdout.decode()
    return printed


@pytest.mark.parametrize("stream", [True, False])
def test_text_and_response_id_are_printed_the_same_by_both_sdks(
    stream, fake_upstream, node_sdk, tmp_path
):
    request = responses_request(
        input="Tell me about tides", instructions="Be brief.", stream=stream
    )
    expected = plan_response(dict(request["body"]), ResponseMemory())
    printed = run_all(request, tmp_path)
    for lang in ("python", "node"):
        assert expected.text in printed[lang], (lang, printed[lang])
        assert f"response id: {expected.id} (completed)" in printed[lang], printed[lang]
    if stream:
        assert "event: response.output_text.delta" in printed["curl"]
        assert "event: response.completed" in printed["curl"]
    else:
        assert json.loads(printed["curl"])["id"] == expected.id
    sent = [r.body for r in fake_upstream.requests_to("/responses")]
    assert len(sent) == 3 and all(same_json(body, request["body"]) for body in sent)


@pytest.mark.parametrize("stream", [True, False])
def test_function_calls_are_printed_with_their_arguments(stream, fake_upstream, node_sdk, tmp_path):
    request = responses_request(
        input="Weather in Paris?", tools=[WEATHER], tool_choice="required", stream=stream
    )
    expected = plan_response(dict(request["body"]), ResponseMemory())
    printed = run_all(request, tmp_path, ("python", "node"))
    line = f'function call: get_weather({{"city": "Paris"}})  {expected.call_ids[0]}'
    for lang, text in printed.items():
        assert line in text, (lang, text)


def test_a_continued_snippet_sends_previous_response_id(fake_upstream, node_sdk, tmp_path):
    first = responses_request(input="My name is Ada.")
    response_id = (
        run_all(first, tmp_path, ("python",))["python"].split("response id: ")[1].split()[0]
    )
    printed = run_all(
        responses_request(input="What is my name?", previous_response_id=response_id),
        tmp_path,
        ("python", "node"),
    )
    for lang, text in printed.items():
        assert "You first said: \u201cMy name is Ada.\u201d" in text, (lang, text)
