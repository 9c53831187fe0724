"""The Node.js tab: the official ``openai`` npm package, as an ES module."""

import json

from playground.export.shared import OPENAI_BASE_URL, Target, body_json, body_of
from playground.spec import RunRequest


def render(request: RunRequest, provider: Target) -> str:
    """An .mjs script that sends the body and prints the reply (streamed as it arrives)."""
    body = body_of(request)
    note = f"// {provider.note}\n" if provider.note else ""
    options = [f"apiKey: process.env[{json.dumps(provider.api_key_env)}]"]
    if provider.base_url != OPENAI_BASE_URL:
        options.append(f"baseURL: {json.dumps(provider.base_url)}")
    # JSON is a JS expression; unknown keys (vLLM top_k) pass through as plain keys.
    head = (
        f'{note}import OpenAI from "openai";\n\n'
        f"const client = new OpenAI({{ {', '.join(options)} }});\n\n"
        f"const response = await client.chat.completions.create({body_json(body)});\n"
    )
    if body.get("stream"):
        return head + (
            "for await (const chunk of response) {\n"
            "  // The last chunk may carry only usage, with no choices.\n"
            '  process.stdout.write(chunk.choices[0]?.delta?.content ?? "");\n'
            "}\n"
            'process.stdout.write("\\n");\n'
        )
    return head + "console.log(response.choices[0].message.content);\n"
