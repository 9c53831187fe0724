"""The Python tab: the official ``openai`` SDK (v1 or later)."""

from typing import Any

from playground.export.shared import OPENAI_BASE_URL, Target, body_of, sdk_adds_encoding_format
from playground.spec import RunRequest

# Keyword arguments each create() accepts since SDK 1.50 (tests check them against the
# installed SDK). Anything else goes in extra_body: the SDK rejects unknown keywords.
_CHAT = frozenset(
    "messages model audio frequency_penalty function_call functions logit_bias logprobs "
    "max_completion_tokens max_tokens metadata modalities n parallel_tool_calls prediction "
    "presence_penalty reasoning_effort response_format seed service_tier stop store stream "
    "stream_options temperature tool_choice tools top_logprobs top_p user".split()
)
_COMPLETION = frozenset(
    "model prompt best_of echo frequency_penalty logit_bias logprobs max_tokens n "
    "presence_penalty seed stop stream stream_options suffix temperature top_p user".split()
)
SDK_CALLS = {
    "chat": ("client.chat.completions.create", _CHAT),
    "edit": ("client.chat.completions.create", _CHAT),
    "completion": ("client.completions.create", _COMPLETION),
    "embedding": (
        "client.embeddings.create",
        frozenset({"model", "input", "dimensions", "encoding_format", "user"}),
    ),
    "moderation": ("client.moderations.create", frozenset({"model", "input"})),
}

_PRINTERS = {
    ("chat", True): [
        "texts, calls = {}, {}",
        "for chunk in response:",
        "    # The last chunk may carry only usage: choices [] (OpenAI), null or absent.",
        "    for choice in chunk.choices or []:",
        "        if choice.delta.content:",
        '            texts[choice.index] = texts.get(choice.index, "") + choice.delta.content',
        "            if choice.index == 0:",
        '                print(choice.delta.content, end="", flush=True)',
        "        for call in choice.delta.tool_calls or []:",
        '            name, args = calls.get((choice.index, call.index), ("", ""))',
        "            calls[(choice.index, call.index)] = (",
        '                name + (call.function.name or ""),',
        '                args + (call.function.arguments or ""),',
        "            )",
        "print()",
        "for index in sorted(texts)[1:]:",
        '    print(f"--- candidate {index} ---\\n{texts[index]}")',
        "for (index, _), (name, args) in sorted(calls.items()):",
        '    print(f"tool call (candidate {index}): {name}({args})")',
    ],
    ("chat", False): [
        "for choice in response.choices:",
        "    if len(response.choices) > 1:",
        '        print(f"--- candidate {choice.index} ---")',
        "    if choice.message.content:",
        "        print(choice.message.content)",
        "    for call in choice.message.tool_calls or []:",
        '        print(f"tool call: {call.function.name}({call.function.arguments})")',
    ],
    ("completion", True): [
        "for chunk in response:",
        "    for choice in chunk.choices or []:  # none on a usage-only chunk",
        '        print(choice.text or "", end="", flush=True)',
        "print()",
    ],
    ("completion", False): [
        "for choice in response.choices:",
        "    print(choice.text)",
    ],
    ("embedding", False): [
        "for item in response.data:",
        '    print(f"input {item.index}: {len(item.embedding)} dimensions, "',
        '          f"first values {item.embedding[:5]}")',
    ],
    # encoding_format "base64" asked for by the request: the SDK leaves the text as is.
    ("embedding-base64", False): [
        "for item in response.data:",
        "    raw = base64.b64decode(item.embedding)  # little-endian float32 values",
        '    vector = struct.unpack(f"<{len(raw) // 4}f", raw)',
        '    print(f"input {item.index}: {len(vector)} dimensions, "',
        '          f"first values {list(vector[:5])}")',
    ],
    ("moderation", False): [
        "for result in response.results:",
        "    flagged = [name for name, hit in result.categories.model_dump().items() if hit]",
        '    print("flagged:" if result.flagged else "not flagged", ", ".join(flagged))',
    ],
}


def render(request: RunRequest, provider: Target) -> str:
    """A script that sends the body and prints the reply (streamed as it arrives)."""
    body = body_of(request)
    mode = "chat" if request.mode == "edit" else request.mode
    lines = ["import os", "", "from openai import OpenAI", ""]
    if provider.note:
        lines += [f"# {provider.note}"]
    args = [f"api_key=os.environ[{provider.api_key_env!r}]"]
    if provider.base_url != OPENAI_BASE_URL:
        args.append(f"base_url={provider.base_url!r}")
    lines += [f"client = OpenAI({', '.join(args)})", ""]
    if sdk_adds_encoding_format(request, body):
        lines[2:2] = ["from openai.types import CreateEmbeddingResponse"]
        lines += [
            "# embeddings.create() would add encoding_format='base64'; post the body as is.",
            "response = client.post(",
            '    "/embeddings",',
            f"    body={_literal(body)},",
            "    cast_to=CreateEmbeddingResponse,",
            ")",
        ]
    else:
        call, kwargs = SDK_CALLS[request.mode]
        known = [f"    {k}={_literal(v)}," for k, v in body.items() if k in kwargs]
        extra = {k: v for k, v in body.items() if k not in kwargs}
        if extra:
            known.append(f"    extra_body={_literal(extra)},")
        lines += [f"response = {call}(", *known, ")"]
    if mode == "embedding" and body.get("encoding_format") == "base64":
        lines[0:1] = ["import base64", "import os", "import struct"]
        mode = "embedding-base64"
    lines += _PRINTERS[(mode, bool(body.get("stream")) and mode in {"chat", "completion"})]
    return "\n".join(lines) + "\n"


def _literal(value: Any) -> str:
    # repr() of JSON values is a valid Python literal for str, int, float, bool, None,
    # list and dict; it escapes quotes, backslashes and newlines itself.
    return repr(value)
