"""Retry-After is read as seconds or as an HTTP date, as RFC 9110 allows."""

import email.utils
import time

import pytest

from playground.providerconfig.lookup import get_provider
from playground.providers import UpstreamError
from tests.fake_upstream import Scenario

BODY = {"model": "fake-model", "messages": [{"role": "user", "content": "hi"}], "stream": True}


@pytest.fixture
def no_retries(settings, test_providers):
    settings.PLAYGROUND_PROVIDERS = {
        **test_providers,
        "openai": {**test_providers["openai"], "retry_attempts": 1},
    }


async def retry_after_of(fake_upstream, value: str) -> float | None:
    fake_upstream.answer_next(Scenario(status=429, retry_after=value))
    with pytest.raises(UpstreamError) as caught:
        async for _ in get_provider("openai").stream(BODY):
            pass
    return caught.value.retry_after


async def test_seconds(no_retries, fake_upstream):
    assert await retry_after_of(fake_upstream, "7") == 7.0


async def test_an_http_date(no_retries, fake_upstream):
    when = email.utils.formatdate(time.time() + 20, usegmt=True)
    assert 18 <= await retry_after_of(fake_upstream, when) <= 20


async def test_nonsense_is_ignored(no_retries, fake_upstream):
    assert await retry_after_of(fake_upstream, "soon") is None
