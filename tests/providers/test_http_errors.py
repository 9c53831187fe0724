"""One wording for every upstream failure, a run's and the connection check's: what
happened, what to do, and where the user fixes it."""

import socket

import httpx
import pytest

from playground.providers.http_errors import Upstream, status_error, transport_error

GATEWAY = Upstream(
    "https://gw.example/v1",
    key_setting="the API key of provider 'gw' (Providers page)",
    url_setting="the base URL of provider 'gw' (Providers page)",
)


def answer(status: int, path: str = "/chat/completions", **kwargs) -> httpx.Response:
    request = httpx.Request("POST", f"https://gw.example/v1{path}")
    return httpx.Response(status, request=request, **kwargs)


@pytest.mark.parametrize(
    ("status", "kind", "run", "listing"),
    [
        (
            401,
            "auth",
            "The provider refused the API key (401). Check the API key of provider 'gw' "
            "(Providers page).",
            "The provider refused the API key (401). Check the API key of provider 'gw' "
            "(Providers page).",
        ),
        (
            403,
            "forbidden",
            "The provider refused access (403): this key may lack the permission to use this "
            "model, or the provider may block this region.",
            "The provider refused access (403): this key may lack the permission to list "
            "models, or the provider may block this region.",
        ),
        (
            404,
            "not_found",
            "Not found (404): the model name may be wrong, or the base URL of provider 'gw' "
            "(Providers page) may be missing /v1.",
            "Not found (404): https://gw.example/v1/models does not exist. Check the base URL "
            "of provider 'gw' (Providers page): an OpenAI-compatible API's base URL usually "
            "ends in /v1.",
        ),
        (
            429,
            "rate_limited",
            "Rate limited or out of quota (429). Wait a moment and run again, or check your plan.",
            "Rate limited or out of quota (429). Wait a moment and run again, or check your plan.",
        ),
        (
            502,
            "server_error",
            "The provider failed (502). This is on their side: try again in a moment.",
            "The provider failed (502). This is on their side: try again in a moment.",
        ),
        (
            400,
            "bad_request",
            "The provider rejected the request (400). Check the parameters.",
            "The provider rejected the request for its model list (400).",
        ),
    ],
)
def test_each_status_is_told_once_for_runs_and_model_lists(status, kind, run, listing):
    ran = status_error(answer(status), GATEWAY)
    listed = status_error(answer(status, "/models"), GATEWAY, listing=True)
    assert (ran.kind, ran.message, ran.status) == (kind, run, status)
    assert (listed.kind, listed.message) == (kind, listing)


def test_the_providers_own_words_are_quoted_without_the_secrets():
    response = answer(
        401,
        json={"error": {"message": "Key sk-SECRET-1 is wrong", "param": "api_key"}},
        headers={"retry-after": "3"},
    )
    error = status_error(response, GATEWAY, secrets=["sk-SECRET-1"])
    assert error.message.endswith("The provider said: Key *** is wrong")
    assert (error.param, error.retry_after) == ("api_key", 3.0)


def test_a_redirect_names_both_addresses_and_where_to_use_the_new_one():
    response = answer(
        301, "/models", headers={"location": "https://api.gw.example/v1/models?token=tok-SECRET"}
    )
    error = status_error(response, GATEWAY, secrets=["tok-SECRET"], listing=True)
    assert error.message == (
        "Wrong URL: https://gw.example/v1/models redirects to "
        "https://api.gw.example/v1/models?token=***. Use that address in the base URL of "
        "provider 'gw' (Providers page) (often https:// instead of http://)."
    )


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("host", "why"),
    [
        (
            "127.0.0.1:{port}",
            "the connection was refused. Check the port in OPENAI_BASE_URL, and that the "
            "server is running.",
        ),
        ("no-such-host.invalid", "the host was not found. Check its spelling in OPENAI_BASE_URL."),
    ],
)
async def test_a_server_not_reached_is_told_plainly(host, why):
    base_url = f"http://{host.format(port=closed_port())}/v1"
    timeout = httpx.Timeout(2.0)
    async with httpx.AsyncClient(timeout=timeout) as client:
        with pytest.raises(httpx.ConnectError) as caught:
            await client.get(f"{base_url}/models")
    error = transport_error(caught.value, Upstream(base_url), timeout=timeout, listing=True)
    assert (error.kind, error.message) == ("unreachable", f"Could not reach {base_url}: {why}")


async def test_no_answer_in_time_names_the_wait():
    timeout = httpx.Timeout(0.3)
    with socket.socket() as silent:  # accepts connections (the backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        base_url = f"http://127.0.0.1:{silent.getsockname()[1]}/v1"
        async with httpx.AsyncClient(timeout=timeout) as client:
            with pytest.raises(httpx.ReadTimeout) as caught:
                await client.get(f"{base_url}/models")
    error = transport_error(caught.value, Upstream(base_url), timeout=timeout, listing=True)
    assert error.kind == "timeout"
    assert error.message == (
        f"The provider at {base_url} stopped answering for 0.3 s. It may be overloaded: "
        "try again in a moment."
    )
