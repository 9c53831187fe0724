"""The curl tab: a POST with the body on stdin from a quoted heredoc."""

import json

from playground.export.files import FileRead, data_url_prefix, files_marked
from playground.export.shared import Target, body_json
from playground.modes import get_mode
from playground.spec import RunRequest, upstream_body


def render(request: RunRequest, provider: Target) -> str:
    """A shell command; the quoted heredoc keeps $, quotes and backticks literal, at any size.
    A body with attached files is first written to a file, with each file's base64 read in."""
    body, reads = files_marked(upstream_body(request))
    url = provider.base_url + get_mode(request.mode).endpoint
    stream = " -N" if body.get("stream") else ""
    note = f"# {provider.note}\n" if provider.note else ""
    command = (
        f"curl{stream} -sS {_quote(url)} \\\n"
        f'  -H "Authorization: Bearer ${provider.api_key_env}" \\\n'
        '  -H "Content-Type: application/json" \\\n'
    )
    if reads:
        return f"{note}{_body_file(body_json(body), reads)}{command}  --data-binary @body.json\n"
    # `-d '…'` breaks for large bodies and quotes; --data-binary @- with <<'JSON' does not.
    return f"{note}{command}  --data-binary @- <<'JSON'\n{body_json(body)}\nJSON\n"


def _body_file(text: str, reads: list[FileRead]) -> str:
    """Shell lines that write the body to body.json: its text as it is (printf of quoted
    pieces), and each attached file as base64 (one line, whatever the system's base64 wraps)."""
    lines = ["# The body carries the attached files as base64: written to body.json first.", "{"]
    for read in reads:
        quoted = json.dumps(read.placeholder)
        before, _, text = text.partition(quoted)
        opening = before + '"' + data_url_prefix(read)
        lines.append(f"  printf '%s' {_quote(opening)}")
        lines.append(f"  base64 < {_quote(read.path)} | tr -d '\\n'")
        text = '"' + text
    lines += [f"  printf '%s' {_quote(text)}", "} > body.json", ""]
    return "\n".join(lines)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"
