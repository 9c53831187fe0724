"""The Python exporter's keyword lists match what the installed openai SDK accepts."""

import inspect

import pytest
from openai.resources.chat.completions import Completions as ChatCompletions
from openai.resources.completions import Completions
from openai.resources.embeddings import Embeddings
from openai.resources.moderations import Moderations

from playground.export.python import SDK_CALLS

METHODS = {
    "chat": ChatCompletions.create,
    "completion": Completions.create,
    "embedding": Embeddings.create,
    "moderation": Moderations.create,
}


@pytest.mark.parametrize("mode", sorted(METHODS))
def test_every_keyword_the_exporter_writes_is_accepted_by_the_sdk(mode):
    accepted = set(inspect.signature(METHODS[mode]).parameters)
    _, kwargs = SDK_CALLS[mode]

    assert kwargs <= accepted, kwargs - accepted
