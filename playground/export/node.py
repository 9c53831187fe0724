"""The Node.js tab: the official ``openai`` npm package, as an ES module."""

import json
import re

from playground.export.shared import (
    OPENAI_BASE_URL,
    Target,
    body_json,
    body_of,
    sdk_adds_encoding_format,
    unsafe_integers,
)
from playground.spec import RequestInvalid, RunRequest

SDK_CALLS = {
    "chat": "client.chat.completions.create",
    "edit": "client.chat.completions.create",
    "completion": "client.completions.create",
    "embedding": "client.embeddings.create",
    "moderation": "client.moderations.create",
}

_PRINTERS = {
    ("chat", True): """\
const texts = {};
const calls = {};
for await (const chunk of response) {
  // The last chunk may carry only usage, with no choices.
  for (const choice of chunk.choices ?? []) {
    const text = choice.delta?.content ?? "";
    texts[choice.index] = (texts[choice.index] ?? "") + text;
    if (choice.index === 0) process.stdout.write(text);
    for (const call of choice.delta?.tool_calls ?? []) {
      const key = `${choice.index}:${call.index}`;
      calls[key] ??= { name: "", args: "" };
      calls[key].name += call.function?.name ?? "";
      calls[key].args += call.function?.arguments ?? "";
    }
  }
}
process.stdout.write("\\n");
for (const [index, text] of Object.entries(texts)) {
  if (index !== "0") console.log(`--- candidate ${index} ---\\n${text}`);
}
for (const [key, call] of Object.entries(calls)) {
  console.log(`tool call (${key}): ${call.name}(${call.args})`);
}
""",
    ("chat", False): """\
for (const choice of response.choices) {
  if (response.choices.length > 1) console.log(`--- candidate ${choice.index} ---`);
  if (choice.message.content) console.log(choice.message.content);
  for (const call of choice.message.tool_calls ?? []) {
    console.log(`tool call: ${call.function.name}(${call.function.arguments})`);
  }
}
""",
    ("completion", True): """\
for await (const chunk of response) {
  for (const choice of chunk.choices ?? []) process.stdout.write(choice.text ?? "");
}
process.stdout.write("\\n");
""",
    ("completion", False): """\
for (const choice of response.choices) console.log(choice.text);
""",
    ("embedding", False): """\
for (const item of response.data) {
  // encoding_format "base64" asked for by the request: the SDK leaves the text as is.
  const vector = typeof item.embedding === "string"
    ? Array.from(new Float32Array(Uint8Array.from(Buffer.from(item.embedding, "base64")).buffer))
    : item.embedding;
  console.log(`input ${item.index}: ${vector.length} dimensions, ` +
    `first values ${JSON.stringify(vector.slice(0, 5))}`);
}
""",
    ("moderation", False): """\
for (const result of response.results) {
  const flagged = Object.entries(result.categories).filter(([, hit]) => hit).map(([name]) => name);
  console.log(result.flagged ? "flagged:" : "not flagged", flagged.join(", "));
}
""",
}


def render(request: RunRequest, provider: Target) -> str:
    """An .mjs script that sends the body and prints the reply (streamed as it arrives)."""
    body = body_of(request)
    if unsafe := unsafe_integers(body):
        # The SDK serialises with JSON.stringify over JS numbers: the digits would change.
        raise RequestInvalid(
            {
                f"body.{path}": "is beyond 2^53, which a JavaScript number cannot hold exactly; "
                "use a value up to 9007199254740991 to export to Node.js"
                for path in unsafe
            }
        )
    mode = "chat" if request.mode == "edit" else request.mode
    note = f"// {provider.note}\n" if provider.note else ""
    options = [f"apiKey: process.env[{json.dumps(provider.api_key_env)}]"]
    if provider.base_url != OPENAI_BASE_URL:
        options.append(f"baseURL: {json.dumps(provider.base_url)}")
    # JSON is a JS expression; unknown keys (vLLM top_k) pass through as plain keys.
    literal = _js_object(body)
    if sdk_adds_encoding_format(request, body):
        call = (
            "// embeddings.create() would add encoding_format: 'base64'; post the body as is.\n"
            f'const response = await client.post("/embeddings", {{ body: {literal} }});\n'
        )
    else:
        call = f"const response = await {SDK_CALLS[request.mode]}({literal});\n"
    streamed = bool(body.get("stream")) and mode in {"chat", "completion"}
    return (
        f'{note}import OpenAI from "openai";\n\n'
        f"const client = new OpenAI({{ {', '.join(options)} }});\n\n"
        f"{call}{_PRINTERS[(mode, streamed)]}"
    )


# In an object literal `"__proto__": {…}` sets the prototype instead of making a key, and
# JSON.stringify would then drop it; a computed key `["__proto__"]` is an own key. In
# indented JSON every key starts a line, and a string's inner quotes are escaped.
_PROTO_KEY = re.compile(r'^(\s*)"__proto__":', re.MULTILINE)


def _js_object(body: dict) -> str:
    """The body as a JS expression that JSON.stringify turns back into the same JSON."""
    return _PROTO_KEY.sub(r'\1["__proto__"]:', body_json(body))
