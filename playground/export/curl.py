"""The curl tab: a POST with the body on stdin from a quoted heredoc."""

import json
from typing import Any

from playground.export.files import FileRead, data_url_prefix, files_marked
from playground.export.shared import (
    ExportedFile,
    Target,
    body_json,
    exported_files,
    files_note,
    files_uploaded_first,
)
from playground.modes import get_mode
from playground.spec import RunRequest, upstream_body
from playground.speech_files import audio_file_name


def render(request: RunRequest, provider: Target) -> str:
    """A shell command; the quoted heredoc keeps $, quotes and backticks literal, at any size.
    A body with attached files is first written to a file, with each file's base64 read in;
    a multipart endpoint's files go as -F uploads."""
    body, reads = files_marked(upstream_body(request))
    endpoint = get_mode(request.mode).endpoint_for(body)
    url = provider.base_url + endpoint.path
    stream = " -N" if body.get("stream") else ""
    note = f"# {provider.note}\n" if provider.note else ""
    if endpoint.multipart:
        return note + _multipart(url, body, exported_files(endpoint, body), provider)
    first = files_uploaded_first(get_mode(request.mode), body)
    if first:
        return note + _uploaded_first(url, body, first, provider)
    command = (
        f"curl{stream} -sS {_quote(url)} \\\n"
        f'  -H "Authorization: Bearer ${provider.api_key_env}" \\\n'
        '  -H "Content-Type: application/json" \\\n'
    )
    if get_mode(request.mode).answer == "speech":
        # The answer is the audio file: written where the playground names it, as it arrives.
        command += f"  --fail-with-body --output {_quote(audio_file_name(body))} \\\n"
        if body.get("stream_format") == "sse":
            note += (
                "# stream_format sse: the file holds the events; each speech.audio.delta's\n"
                "# audio is a piece of the audio file, in base64.\n"
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


def _multipart(
    url: str, body: dict[str, Any], files: dict[str, list[ExportedFile]], provider: Target
) -> str:
    """A multipart/form-data upload: each file with -F (its name quoted, its type given),
    each other key with --form-string (taken literally: a value may start with @ or <)."""
    lines = [
        f"# {files_note(files)}",
        f"curl{' -N' if body.get('stream') else ''} -sS {_quote(url)}",
        f'  -H "Authorization: Bearer ${provider.api_key_env}"',
    ]
    for name, value in body.items():
        if name in files:
            field = f"{name}[]" if isinstance(value, list) else name
            for file in files[name]:
                path = file.path.replace("\\", "\\\\").replace('"', '\\"')
                part = field + '=@"' + path + '";type=' + file.media_type
                lines.append(f"  -F {_quote(part)}")
        elif isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
            # A list of texts is one field per item, as the SDKs send it.
            for item in value:
                text = item if isinstance(item, str) else json.dumps(item)
                lines.append(f"  --form-string {_quote(f'{name}[]={text}')}")
        else:
            text = value if isinstance(value, str) else json.dumps(value)
            lines.append(f"  --form-string {_quote(f'{name}={text}')}")
    note, *command = lines
    return note + "\n" + " \\\n".join(command) + "\n"


# The "id" of an OpenAI file object, read from curl's output without jq.
_ID_OF_ANSWER = r"""sed -n 's/.*"id": *"\([^"]*\)".*/\1/p' | head -n 1"""


def _uploaded_first(
    url: str, body: dict[str, Any], first: dict[str, ExportedFile], provider: Target
) -> str:
    """Each file uploaded to /files first, its id read from the answer into a shell variable;
    then the body, written with those ids, and sent (a fine-tuning job)."""
    files_url = url.rsplit("/fine_tuning/", 1)[0] + "/files"
    auth = f'-H "Authorization: Bearer ${provider.api_key_env}"'
    lines = ["# The files are uploaded first; the job names them by their ids."]
    marks = {name: f"\x00first-{name}\x00" for name in first}
    for name, file in first.items():
        path = file.path.replace("\\", "\\\\").replace('"', '\\"')
        part = _quote('file=@"' + path + '"')
        lines.append(
            f"{name}=$(curl -sS --fail-with-body {_quote(files_url)} {auth} \\\n"
            f"  -F purpose=fine-tune -F {part} | {_ID_OF_ANSWER})"
        )
    text = body_json({**body, **marks})
    lines.append("{")
    for name in first:
        before, _, text = text.partition(json.dumps(marks[name]))
        opening = _quote(before + '"')
        lines.append(f"  printf '%s' {opening}")
        lines.append(f"  printf '%s' \"${name}\"")
        text = '"' + text
    lines += [f"  printf '%s' {_quote(text)}", "} > body.json"]
    lines.append(
        f"curl -sS {_quote(url)} {auth} \\\n"
        '  -H "Content-Type: application/json" \\\n'
        "  --data-binary @body.json"
    )
    return "\n".join(lines) + "\n"
