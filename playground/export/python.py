"""The Python tab: the official ``openai`` SDK (v1 or later)."""

import itertools
from typing import Any

from playground.export.shared import ExportedFile, Target, exported_files, files_note, printer
from playground.modes import get_mode
from playground.providers.base_url import OPENAI_BASE_URL
from playground.spec import RunRequest, upstream_body


def render(request: RunRequest, provider: Target) -> str:
    """A script that sends the body and prints the reply (streamed as it arrives)."""
    body = upstream_body(request)
    mode = get_mode(request.mode)
    endpoint = mode.endpoint_for(body)
    files = exported_files(endpoint, body)
    # A printer's leading import lines join the snippet's own imports.
    printed = printer(mode, "python", body).splitlines()
    extra_imports = list(itertools.takewhile(lambda line: line.startswith("import "), printed))
    printed = printed[len(extra_imports) :]
    posts_as_is = endpoint.sdk.adds_to(body)
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
        lines += [f"response = client.{endpoint.sdk.method}(", *known, ")"]
    lines += printed
    return "\n".join(lines) + "\n"


def _literal(value: Any) -> str:
    # repr() of JSON values is a valid Python literal for str, int, float, bool, None,
    # list and dict; it escapes quotes, backslashes and newlines itself.
    return repr(value)


def _file_literal(files: list[ExportedFile], value: Any) -> str:
    """The SDK's file argument: (name, open file, type) for each, a list for a list."""
    opened = [f"({f.path!r}, open({f.path!r}, 'rb'), {f.media_type!r})" for f in files]
    return f"[{', '.join(opened)}]" if isinstance(value, list) else opened[0]
