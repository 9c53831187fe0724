"""The Node.js tab: the official ``openai`` npm package, as an ES module."""

import json
import re
from typing import Any

from django.utils.translation import gettext as _

from playground.export.files import FileRead, data_url_prefix, files_marked, with_reads
from playground.export.shared import (
    Target,
    body_json,
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
    note = f"// {provider.note}\n" if provider.note else ""
    options = [f"apiKey: process.env[{json.dumps(provider.api_key_env)}]"]
    if provider.base_url != OPENAI_BASE_URL:
        options.append(f"baseURL: {json.dumps(provider.base_url)}")
    # JSON is a JS expression; unknown keys (vLLM top_k) pass through as plain keys.
    literal = _js_object(body)
    if mode.sdk.adds_to(body):
        added = ", ".join(f"{k}: {json.dumps(v)}" for k, v in mode.sdk.adds_when_absent.items())
        call = (
            f"// {mode.sdk.method}() would add {added}; post the body as is.\n"
            f"const response = await client.post({json.dumps(mode.endpoint)}, "
            f"{{ body: {literal} }});\n"
        )
    else:
        call = f"const response = await client.{mode.sdk.method}({literal});\n"
    reader = 'import { readFileSync } from "node:fs";\n' if reads else ""
    helper = (
        "// The file beside this script as base64 (how the playground sends it).\n"
        'const fileBase64 = (path) => readFileSync(path).toString("base64");\n\n'
        if reads
        else ""
    )
    text = (
        f'{note}import OpenAI from "openai";\n{reader}\n'
        f"const client = new OpenAI({{ {', '.join(options)} }});\n\n"
        f"{helper}{call}{printer(mode, 'node', body)}"
    )
    return with_reads(text, reads, json.dumps, _file_read)


def _file_read(read: FileRead) -> str:
    """The expression for an attached file: its data URL (an image) or base64 (audio)."""
    prefix = data_url_prefix(read)
    call = f"fileBase64({json.dumps(read.path)})"
    return f"{json.dumps(prefix)} + {call}" if prefix else call


# In an object literal `"__proto__": {…}` sets the prototype instead of making a key, and
# JSON.stringify would then drop it; a computed key `["__proto__"]` is an own key. In
# indented JSON every key starts a line, and a string's inner quotes are escaped.
_PROTO_KEY = re.compile(r'^(\s*)"__proto__":', re.MULTILINE)


def _js_object(body: dict[str, Any]) -> str:
    """The body as a JS expression that JSON.stringify turns back into the same JSON."""
    return _PROTO_KEY.sub(r'\1["__proto__"]:', body_json(body))
