"""The Python tab: the official ``openai`` SDK (v1 or later)."""

import itertools
from typing import Any

from playground.export.files import FileRead, data_url_prefix, files_marked, with_reads
from playground.export.shared import (
    ExportedFile,
    Target,
    exported_files,
    files_note,
    files_uploaded_first,
    printer,
)
from playground.modes import get_mode
from playground.providers.base_url import OPENAI_BASE_URL
from playground.spec import RunRequest, upstream_body


def render(request: RunRequest, provider: Target) -> str:
    """A script that sends the body and prints the reply (streamed as it arrives)."""
    body, reads = files_marked(upstream_body(request))
    mode = get_mode(request.mode)
    endpoint = mode.endpoint_for(body)
    files = exported_files(endpoint, body)
    # A printer's leading import lines join the snippet's own imports.
    printed = printer(mode, "python", body).splitlines()
    extra_imports = list(itertools.takewhile(lambda line: line.startswith("import "), printed))
    printed = printed[len(extra_imports) :]
    posts_as_is = endpoint.sdk.adds_to(body)
    if reads:
        extra_imports.append("import base64")
    lines = [*sorted({"import os", *extra_imports}), "", "from openai import OpenAI"]
    if posts_as_is:
        module, answer_type = endpoint.sdk.python_answer_type
        lines.append(f"from {module} import {answer_type}")
    lines.append("")
    if provider.note:
        lines += [f"# {provider.note}"]
    if files:
        lines += [f"# {files_note(files)}"]
    args = [f"api_key=os.environ[{provider.api_key_env!r}]"]
    if provider.base_url != OPENAI_BASE_URL:
        args.append(f"base_url={provider.base_url!r}")
    lines += [f"client = OpenAI({', '.join(args)})", ""]
    first = files_uploaded_first(mode, body)
    if first:
        lines.append("# The files are uploaded first; the job names them by their ids.")
    for name, file in first.items():
        lines.append(
            f"{name} = client.files.create(file=open({file.path!r}, 'rb'), purpose='fine-tune')"
        )
        body = {**body, name: _Code(f"{name}.id")}
    if reads:
        lines += [
            "",
            "def file_base64(path):",
            '    """The file beside this script as base64 (how the playground sends it)."""',
            '    with open(path, "rb") as file:',
            "        return base64.b64encode(file.read()).decode()",
            "",
            "",
        ]
    if posts_as_is:
        added = ", ".join(f"{k}={v!r}" for k, v in endpoint.sdk.adds_when_absent.items())
        lines += [
            f"# {endpoint.sdk.method}() would add {added}; post the body as is.",
            "response = client.post(",
            f"    {endpoint.path!r},",
            f"    body={_literal(body)},",
            f"    cast_to={answer_type},",
            ")",
        ]
    else:
        keywords = endpoint.sdk.python_keywords
        known = [
            f"    {k}={_file_literal(files[k], v) if k in files else _literal(v)},"
            for k, v in body.items()
            if k in keywords
        ]
        extra = {k: v for k, v in body.items() if k not in keywords}
        if extra:
            known.append(f"    extra_body={_literal(extra)},")
        if endpoint.sdk.python_streams_file:
            method = endpoint.sdk.method.replace(".create", ".with_streaming_response.create")
            lines += [
                f"# {endpoint.sdk.method}() through with_streaming_response: the file is",
                "# written as it arrives, never held whole in memory.",
                f"with client.{method}(",
                *known,
                ") as response:",
                *(f"    {line}" if line else "" for line in printed),
            ]
            printed = []
        else:
            lines += [f"response = client.{endpoint.sdk.method}(", *known, ")"]
    lines += printed
    return with_reads("\n".join(lines) + "\n", reads, repr, _file_read)


def _file_read(read: FileRead) -> str:
    """The expression for an attached file: its data URL (an image) or base64 (audio)."""
    prefix = data_url_prefix(read)
    call = f"file_base64({read.path!r})"
    return f"{prefix!r} + {call}" if prefix else call


class _Code(str):
    """Python code standing where a body value goes (an uploaded file's id)."""

    def __repr__(self) -> str:
        return str(self)


def _literal(value: Any) -> str:
    # repr() of JSON values is a valid Python literal for str, int, float, bool, None,
    # list and dict; it escapes quotes, backslashes and newlines itself.
    return repr(value)


def _file_literal(files: list[ExportedFile], value: Any) -> str:
    """The SDK's file argument: (name, open file, type) for each, a list for a list."""
    opened = [f"({f.path!r}, open({f.path!r}, 'rb'), {f.media_type!r})" for f in files]
    return f"[{', '.join(opened)}]" if isinstance(value, list) else opened[0]
