"""The Python exporter's keyword lists match what the installed openai SDK accepts."""

import inspect
import operator

import pytest
from openai import OpenAI

from playground.modes import REGISTRY

SDK_CALLS = {
    f"{name}{endpoint.path}": endpoint.sdk
    for name, mode in REGISTRY.items()
    for endpoint in (mode.default_endpoint, *mode.variants)
}


@pytest.mark.parametrize("call", sorted(SDK_CALLS))
def test_every_keyword_the_exporter_writes_is_accepted_by_the_sdk(call):
    sdk = SDK_CALLS[call]
    method = operator.attrgetter(sdk.method)(OpenAI(api_key="unused"))
    accepted = set(inspect.signature(method).parameters)

    assert sdk.python_keywords <= accepted, sdk.python_keywords - accepted
