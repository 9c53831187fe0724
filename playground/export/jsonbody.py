"""The JSON tab: the body exactly as it goes upstream."""

from playground.export.shared import Target, body_json, body_of
from playground.spec import RunRequest


def render(request: RunRequest, provider: Target) -> str:
    """The upstream body as pretty JSON."""
    return body_json(body_of(request)) + "\n"
