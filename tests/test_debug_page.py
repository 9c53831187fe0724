"""With DEBUG on, Django's error page lists every frame's local variables. Django's own
filter stands down under DEBUG ("your site is not safe anyway"); ours does not, because a
key in an httpx request or a provider's settings must not reach a browser even then."""

import sys

import httpx
import pytest
from django.test import RequestFactory
from django.views.debug import ExceptionReporter

KEY = "sk-debug-SECRET-key-4242"


def failing_upstream_call() -> None:
    api_key = KEY  # noqa: F841 — a local the page would list
    config = {"base_url": "http://127.0.0.1:9", "api_key": KEY}  # noqa: F841
    bearer = f"Bearer {KEY}"
    with httpx.Client(timeout=1.0) as client:
        client.get("http://127.0.0.1:9/v1/models", headers={"Authorization": bearer})


def debug_page(settings) -> str:
    settings.DEBUG = True
    request = RequestFactory().post("/providers/test/", {"api_key": KEY, "name": "gw"})
    try:
        failing_upstream_call()
    except httpx.HTTPError:
        exc_info = sys.exc_info()
    else:  # pragma: no cover - port 9 (discard) is closed on 127.0.0.1
        pytest.fail("the call was expected to fail")
    return ExceptionReporter(request, *exc_info).get_traceback_html()


def test_the_debug_page_shows_no_key_from_locals_httpx_frames_or_the_posted_form(settings):
    page = debug_page(settings)
    assert "ConnectError" in page  # the page is the real one, with the traceback
    assert "failing_upstream_call" in page
    assert KEY not in page


def test_harmless_locals_are_still_shown_for_debugging(settings):
    page = debug_page(settings)
    assert "http://127.0.0.1:9/v1/models" in page


def test_an_upstreams_echo_of_a_providers_secret_is_hidden_in_any_form(settings):
    """A local holding what an upstream sent back (a key in base64, in upper case) is not
    named like a secret: the providers' scrubber (playground/secrets_scrub.py) finds it."""
    import base64

    from playground.secrets_scrub import scrubber_for

    scrubber_for([KEY])  # as every provider built with the key does
    echoed = base64.b64encode(f"Bearer {KEY}".encode()).decode()
    shouted = KEY.upper()
    settings.DEBUG = True
    try:
        raise ValueError(f"could not read the answer ({len(echoed + shouted)} characters)")
    except ValueError:
        page = ExceptionReporter(RequestFactory().get("/"), *sys.exc_info()).get_traceback_html()
    assert "could not read the answer" in page
    assert echoed not in page and shouted not in page
