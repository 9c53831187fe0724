"""``manage.py run_request`` runs the responses mode: the text on stdout as it streams,
function calls with their arguments, the response id on stderr (to continue with)."""

from playground.providers.offline_responses import ResponseMemory, plan_response
from tests.conftest import TEST_API_KEY
from tests.management.test_run_request import cli_data_dir, run_request

__all__ = ["cli_data_dir"]  # the module's data directory fixture, shared

WEATHER = {
    "type": "function",
    "name": "get_weather",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    "strict": False,
}


def responses(provider: str = "openai", **body) -> dict:
    return {"mode": "responses", "provider": provider, "body": {"model": "fake-model", **body}}


def test_streamed_and_not_the_text_and_the_response_id_are_printed(fake_upstream):
    for stream in (True, False):
        request = responses(input="Tell me about tides", stream=stream)
        expected = plan_response(dict(request["body"]), ResponseMemory())
        result = run_request(fake_upstream, request, "-")
        assert result.returncode == 0, result.stderr
        assert result.stdout == expected.text + "\n"
        assert f"response id: {expected.id}" in result.stderr
        assert fake_upstream.requests_to("/responses")[-1].body == request["body"]
        assert TEST_API_KEY not in result.stdout + result.stderr


def test_a_function_call_is_printed_with_its_arguments(fake_upstream):
    request = responses(input="Weather in Oslo?", tools=[WEATHER], tool_choice="required")
    result = run_request(fake_upstream, request, "-")
    assert result.returncode == 0, result.stderr
    assert "[tool call get_weather id=call_" in result.stdout
    assert result.stdout.rstrip().endswith('{"city": "Oslo"}')


def test_the_offline_model_answers_and_an_unknown_previous_response_id_fails(fake_upstream):
    result = run_request(fake_upstream, responses("offline", input="Hello", stream=True), "-")
    assert result.returncode == 0, result.stderr
    assert "Hello" in result.stdout and "response id: resp_" in result.stderr
    unknown = responses("offline", input="x", previous_response_id="resp_gone")
    failed = run_request(fake_upstream, unknown, "-")
    assert failed.returncode == 1
    assert "previous_response_id resp_gone is not known to this provider" in failed.stderr
    # A real provider's 404 for it says the same.
    upstream = run_request(
        fake_upstream, responses(input="x", previous_response_id="resp_gone"), "-"
    )
    assert upstream.returncode == 1
    assert "previous_response_id resp_gone is not known to this provider" in upstream.stderr
    assert fake_upstream.requests == [fake_upstream.requests_to("/responses")[0]]
