"""The Node.js tab: the official ``openai`` npm package, as an ES module."""

import json
import re
import secrets
from typing import Any

from django.utils.translation import gettext as _

from playground.export.files import FileRead, data_url_prefix, files_marked, with_reads
from playground.export.shared import (
    ExportedFile,
    Target,
    body_json,
    exported_files,
    files_note,
    files_uploaded_first,
    printer,
    unsafe_integers,
)
from playground.jsonpath import path_text
from playground.modes import get_mode
from playground.providers.base_url import OPENAI_BASE_URL
from playground.spec import RequestInvalid, RunRequest, upstream_body


def render(request: RunRequest, provider: Target) -> str:
    """An .mjs script that sends the body and prints the reply (streamed as it arrives)."""
    body, reads = files_marked(upstream_body(request))
    mode = get_mode(request.mode)
    if unsafe := unsafe_integers(body):
        # The SDK serialises with JSON.stringify over JS numbers: the digits would change.
        raise RequestInvalid(
            {
                path_text(("body", *path)): _(
                    "is beyond 2^53, which a JavaScript number cannot hold exactly; "
                    "use a value up to 9007199254740991 to export to Node.js"
                )
                for path in unsafe
            }
        )
    endpoint = mode.endpoint_for(body)
    files = exported_files(endpoint, body)
    note = f"// {provider.note}\n" if provider.note else ""
    if files:
        note += f"// {files_note(files)}\n"
        if any(isinstance(v, str) and "\n" in v for k, v in body.items() if k not in files):
            note += (
                "// Node's FormData sends each line break of a text field as \\r\\n (as the\n"
                "// multipart standard says); the playground sends the text as written.\n"
            )
    options = [f"apiKey: process.env[{json.dumps(provider.api_key_env)}]"]
    if provider.base_url != OPENAI_BASE_URL:
        options.append(f"baseURL: {json.dumps(provider.base_url)}")
    # Files a fine-tuning job names are uploaded first; the job names them by their ids.
    first = files_uploaded_first(mode, body)
    uploads = "".join(
        f"const {_camel(name)} = await client.files.create({{ file: fs.createReadStream("
        f'{json.dumps(file.path)}), purpose: "fine-tune" }});\n'
        for name, file in first.items()
    )
    if first:
        note += (
            "// Reads "
            + ", ".join(f.path for f in first.values())
            + " from the current directory.\n"
        )
    marks = {name: f"first-{secrets.token_hex(8)}-{name}" for name in first}
    body = {**body, **marks}
    # JSON is a JS expression; unknown keys (vLLM top_k) pass through as plain keys.
    literal = _with_files(body, files)
    for name, mark in marks.items():
        literal = literal.replace(json.dumps(mark), f"{_camel(name)}.id")
    if endpoint.sdk.adds_to(body):
        added = ", ".join(f"{k}: {json.dumps(v)}" for k, v in endpoint.sdk.adds_when_absent.items())
        call = (
            f"// {endpoint.sdk.method}() would add {added}; post the body as is.\n"
            f"const response = await client.post({json.dumps(endpoint.path)}, "
            f"{{ body: {literal} }});\n"
        )
    else:
        call = f"const response = await client.{endpoint.sdk.node}({literal});\n"
    imports = (
        'import fs from "node:fs";\nimport OpenAI, { toFile } from "openai";\n'
        if files
        else 'import fs from "node:fs";\nimport OpenAI from "openai";\n'
        if first
        else 'import OpenAI from "openai";\n'
    )
    reader = 'import { readFileSync } from "node:fs";\n' if reads else ""
    helper = (
        "// The file beside this script as base64 (how the playground sends it).\n"
        'const fileBase64 = (path) => readFileSync(path).toString("base64");\n\n'
        if reads
        else ""
    )
    text = (
        f"{note}{imports}{reader}\n"
        f"const client = new OpenAI({{ {', '.join(options)} }});\n\n"
        f"{helper}{uploads}{call}{printer(mode, 'node', body)}"
    )
    return with_reads(text, reads, json.dumps, _file_read)


def _camel(name: str) -> str:
    """training_file → trainingFile (a JS variable's name)."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _file_read(read: FileRead) -> str:
    """The expression for an attached file: its data URL (an image) or base64 (audio)."""
    prefix = data_url_prefix(read)
    call = f"fileBase64({json.dumps(read.path)})"
    return f"{json.dumps(prefix)} + {call}" if prefix else call


def _with_files(body: dict[str, Any], files: dict[str, list[ExportedFile]]) -> str:
    """The body as a JS expression, each file field read from disk with its name and type
    (``toFile``): a placeholder string stands in the JSON, then becomes the expression."""
    token = secrets.token_hex(8)
    expressions = {}
    shown = dict(body)
    for name, exported in files.items():
        reads = []
        for index, file in enumerate(exported):
            placeholder = f"file-{token}-{name}-{index}"
            path = json.dumps(file.path)
            expressions[json.dumps(placeholder)] = (
                f"await toFile(fs.createReadStream({path}), {path}, "
                f"{{ type: {json.dumps(file.media_type)} }})"
            )
            reads.append(placeholder)
        shown[name] = reads if isinstance(body[name], list) else reads[0]
    literal = _js_object(shown)
    for placeholder, expression in expressions.items():
        literal = literal.replace(placeholder, expression)
    return literal


# In an object literal `"__proto__": {…}` sets the prototype instead of making a key, and
# JSON.stringify would then drop it; a computed key `["__proto__"]` is an own key. In
# indented JSON every key starts a line, and a string's inner quotes are escaped.
_PROTO_KEY = re.compile(r'^(\s*)"__proto__":', re.MULTILINE)


def _js_object(body: dict[str, Any]) -> str:
    """The body as a JS expression that JSON.stringify turns back into the same JSON."""
    return _PROTO_KEY.sub(r'\1["__proto__"]:', body_json(body))
