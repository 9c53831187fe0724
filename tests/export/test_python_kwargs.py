"""The Python exporter's keyword lists match what the installed openai SDK accepts."""

import inspect
import operator

import pytest
from openai import OpenAI

from playground.modes import REGISTRY


@pytest.mark.parametrize("mode", sorted(REGISTRY))
def test_every_keyword_the_exporter_writes_is_accepted_by_the_sdk(mode):
    sdk = REGISTRY[mode].sdk
    method = operator.attrgetter(sdk.method)(OpenAI(api_key="unused"))
    accepted = set(inspect.signature(method).parameters)

    assert sdk.python_keywords <= accepted, sdk.python_keywords - accepted
