"""The JSON tab: the body exactly as it goes upstream."""

from playground.export.shared import Target, body_json
from playground.spec import RunRequest, upstream_body


def render(request: RunRequest, provider: Target) -> str:
    """The upstream body as pretty JSON."""
    return body_json(upstream_body(request)) + "\n"
