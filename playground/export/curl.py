"""The curl tab: a POST with the body on stdin from a quoted heredoc."""

from playground.export.shared import Target, body_json
from playground.modes import get_mode
from playground.spec import RunRequest, upstream_body


def render(request: RunRequest, provider: Target) -> str:
    """A shell command; the quoted heredoc keeps $, quotes and backticks literal, at any size."""
    body = upstream_body(request)
    url = provider.base_url + get_mode(request.mode).endpoint
    stream = " -N" if body.get("stream") else ""
    note = f"# {provider.note}\n" if provider.note else ""
    # `-d '…'` breaks for large bodies and quotes; --data-binary @- with <<'JSON' does not.
    return (
        f"{note}curl{stream} -sS {_quote(url)} \\\n"
        f'  -H "Authorization: Bearer ${provider.api_key_env}" \\\n'
        '  -H "Content-Type: application/json" \\\n'
        "  --data-binary @- <<'JSON'\n"
        f"{body_json(body)}\n"
        "JSON\n"
    )


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"
