"""The Python tab: the official ``openai`` SDK."""

from typing import Any

from playground.export.shared import OPENAI_BASE_URL, Target, body_of
from playground.spec import RunRequest

# Keyword arguments chat.completions.create() accepts; anything else goes in extra_body,
# because the SDK rejects unknown keyword arguments.
CHAT_KWARGS = frozenset(
    "messages model audio frequency_penalty function_call functions logit_bias logprobs "
    "max_completion_tokens max_tokens metadata modalities n parallel_tool_calls prediction "
    "presence_penalty reasoning_effort response_format seed service_tier stop store stream "
    "stream_options temperature tool_choice tools top_logprobs top_p user".split()
)


def render(request: RunRequest, provider: Target) -> str:
    """A script that sends the body and prints the reply (streamed as it arrives)."""
    body = body_of(request)
    known = {k: v for k, v in body.items() if k in CHAT_KWARGS}
    extra = {k: v for k, v in body.items() if k not in CHAT_KWARGS}
    lines = ["import os", "", "from openai import OpenAI", ""]
    if provider.note:
        lines += [f"# {provider.note}"]
    args = [f"api_key=os.environ[{provider.api_key_env!r}]"]
    if provider.base_url != OPENAI_BASE_URL:
        args.append(f"base_url={provider.base_url!r}")
    lines += [f"client = OpenAI({', '.join(args)})", ""]
    kwargs = [f"    {k}={_literal(v)}," for k, v in known.items()]
    if extra:
        kwargs.append(f"    extra_body={_literal(extra)},")
    lines += ["response = client.chat.completions.create(", *kwargs, ")"]
    if body.get("stream"):
        lines += [
            "for chunk in response:",
            "    # The last chunk may carry only usage, with no choices.",
            "    if chunk.choices and chunk.choices[0].delta.content:",
            '        print(chunk.choices[0].delta.content, end="", flush=True)',
            "print()",
        ]
    else:
        lines += ["print(response.choices[0].message.content)"]
    return "\n".join(lines) + "\n"


def _literal(value: Any) -> str:
    # repr() of JSON values is a valid Python literal for str, int, float, bool, None,
    # list and dict; it escapes quotes, backslashes and newlines itself.
    return repr(value)
