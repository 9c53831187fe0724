"""What the offline model answers, as plain data: reply tokens, tool calls, log
probabilities, embeddings and moderation verdicts. Deterministic, no network.

The offline provider streams these answers (``offline.py``) and the test suite's fake
upstream sends them over HTTP; ``openai_format.py`` shapes them as OpenAI does.
"""

import hashlib
import json
import math
import random
import re
from dataclasses import dataclass, field
from typing import Any

from playground.providers.base import TokenLogprob, UpstreamError
from playground.providers.offline_attachments import attachment_sentences
from playground.providers.offline_edit import edited_text
from playground.providers.offline_moderation import moderation_result
from playground.providers.schema_example import example_for
from playground.spec import edit_parts, input_texts

# A token is a run of letters/digits, one CJK character or one punctuation mark,
# each with the whitespace before it: close enough to BPE counts for usage figures.
_TOKEN = re.compile(r"\s*(?:[\u3400-\u9fff\uf900-\ufaff]|[^\W\u3400-\u9fff]+|[^\w\s])", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff]")
_SENTENCE_ENDS = (".", "!", "?", "\u3002", "\uff01", "\uff1f", "...")

_ENGLISH = (
    "The offline model answers without a network, so every part of the playground can be "
    "tried before a key is set. The reply streams token by token at a steady pace. "
    "The same request and seed always give the same words, which makes it useful in tests. "
    "Change the seed or the prompt to see another reply. Set max tokens to cut the reply "
    "short, or add a stop sequence to end it early. Ask for several candidates to compare "
    "them side by side. When a real provider is configured, pick it above to send the same "
    "request upstream."
).split(". ")
_CHINESE = (
    "离线模型无需网络即可回答，因此在配置密钥之前就能试用整个平台。"
    "回复以稳定的速度逐个词元地流式输出。"
    "相同的请求和种子总会得到相同的文字，便于测试。"
    "修改种子或提示词即可看到另一条回复。"
    "设置最大词元数可以截短回复，添加停止序列可以提前结束。"
    "配置真实的服务商后，在上方选择它即可把同一请求发往上游。"
).split("。")


@dataclass(frozen=True)
class Call:
    """A tool call an answer makes: the tool's name and its arguments as JSON text."""

    name: str
    arguments: str


@dataclass(frozen=True)
class Candidate:
    """One choice of a chat or legacy answer: its tokens, why it ended, the calls it
    makes, and (legacy ``echo``) the prompt it repeats first."""

    tokens: list[str]
    finish_reason: str
    calls: list[Call] = field(default_factory=list)
    echo: str = ""


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text)


def count_tokens(text: str) -> int:
    return len(tokenize(text))


def reply_text(body: dict[str, Any], candidate: int) -> str:
    """The full reply for one candidate, before max_tokens and stop are applied."""
    messages = body.get("messages") or []
    last_user = _last_user_text(messages)
    material = json.dumps(
        [body.get("model"), messages, body.get("seed"), candidate], sort_keys=True, default=str
    )
    rng = random.Random(hashlib.sha256(material.encode()).digest())
    # What it sees and hears in the last user message's images and audio, said first.
    chinese = bool(_CJK.search(str(last_user)))
    seen = attachment_sentences(_last_user_message(messages), chinese=chinese)
    quoted = " ".join(str(last_user).split())
    if len(quoted) > 80:
        quoted = quoted[:77] + "..."
    # A quote that ends a sentence of its own ("...?") takes no second full stop.
    if chinese:
        sentences = rng.sample([s for s in _CHINESE if s], k=3)
        stop = "" if quoted.endswith(_SENTENCE_ENDS) else "。"
        said = f"你说：「{quoted}」{stop}" if quoted or not seen else ""
        return f"（离线模型）{''.join(seen)}{said}" + "。".join(sentences) + "。"
    sentences = rng.sample([s.rstrip(".") for s in _ENGLISH if s], k=4)
    stop = "" if quoted.endswith(_SENTENCE_ENDS) else "."
    said = f"You said: \u201c{quoted}\u201d{stop} " if quoted or not seen else ""
    heard = " ".join(seen) + " " if seen else ""
    return f"(Offline model) {heard}{said}" + ". ".join(sentences) + "."


def token_logprob(token: str, alternatives: int) -> TokenLogprob:
    """A stable log probability per token, and ``alternatives`` likeliest tokens."""
    fraction = int(hashlib.sha256(token.encode()).hexdigest()[:6], 16) / 0xFFFFFF
    # Most tokens are likely (close to 0), some are doubtful: as in real replies.
    logprob = -round(fraction**3 * 4, 4)
    top = [(token, logprob)]
    rng = random.Random(token)
    for k in range(1, alternatives):
        variant = token.strip().swapcase() if k == 1 else token.strip() + "s" * k
        if variant in {t for t, _ in top}:
            variant = f"{token.strip()}#{k}"
        top.append(
            (
                f" {variant}" if token.startswith(" ") else variant,
                round(logprob - 0.5 - rng.random() * k, 4),
            )
        )
    return TokenLogprob(token, logprob, tuple(top[:alternatives]))


# --- chat and edit ---------------------------------------------------------------------


def chat_candidates(body: dict[str, Any], *, rewrites_input: bool = False) -> list[Candidate]:
    """The offline model's chat answer: text, JSON or tool calls, one per ``n``.

    ``rewrites_input`` (an edit): the text is the input edited as the instruction asks.
    """
    n = body.get("n") or 1
    calls = planned_tool_calls(body)
    if calls:
        return [Candidate([], "tool_calls", calls) for _ in range(n)]
    stops = _stops(body)
    return [
        Candidate(
            *_truncate(
                tokenize(_chat_text(body, index, rewrites_input)), body.get("max_tokens"), stops
            )
        )
        for index in range(n)
    ]


def chat_prompt_tokens(body: dict[str, Any]) -> int:
    messages = body.get("messages") or []
    return sum(
        count_tokens(_content_text(m.get("content"))) + 4 for m in messages if isinstance(m, dict)
    )


def _chat_text(body: dict[str, Any], index: int, rewrites_input: bool = False) -> str:
    messages = body.get("messages") or []
    response_format = body.get("response_format") or {}
    hint = _last_user_text(messages)
    if response_format.get("type") == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema") or {}
        return json.dumps(example_for(schema, hint), ensure_ascii=False)
    if response_format.get("type") == "json_object":
        return json.dumps({"reply": reply_text(body, index)}, ensure_ascii=False)
    results = _tool_results(messages)
    if results and _CJK.search(hint):
        listed = "；".join(f"{name} 返回「{text}」" for name, text in results)
        return f"（离线模型）工具的结果：{listed}。以上就是我所知道的。"
    if results:
        listed = "; ".join(f"{name} returned {text}" for name, text in results)
        return f"(Offline model) The tools answered: {listed}. That is all I know."
    if rewrites_input:
        return edited_text(*edit_parts(body))
    return reply_text(body, index)


def _last_user_text(messages: list[Any]) -> str:
    return _content_text(_last_user_message(messages).get("content"))


def _last_user_message(messages: list[Any]) -> dict[str, Any]:
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            return message
    return {}


def _content_text(content: Any) -> str:
    if isinstance(content, list):
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return "" if content is None else str(content)


def _tool_results(messages: list[Any]) -> list[tuple[str, str]]:
    """The tool results that end the conversation, with the name of the call each answers."""
    names: dict[str, str] = {}
    for message in messages:
        if isinstance(message, dict) and message.get("role") == "assistant":
            for call in message.get("tool_calls") or []:
                names[str(call.get("id"))] = str((call.get("function") or {}).get("name"))
    results: list[tuple[str, str]] = []
    for message in reversed(messages):
        if not isinstance(message, dict) or message.get("role") != "tool":
            break
        text = " ".join(_content_text(message.get("content")).split())[:200]
        results.insert(0, (names.get(str(message.get("tool_call_id")), "a tool"), text))
    return results


def planned_tool_calls(body: dict[str, Any]) -> list[Call]:
    """The calls the offline model makes, or none.

    It calls a tool when tools are defined, tool_choice allows it, and the
    conversation does not already end with tool results (then it answers in text).
    With tool_choice "auto" it picks the tool whose name and description share the
    most words with the user's last message; "required" the same; a named choice
    that tool; parallel_tool_calls true calls every tool. The arguments satisfy the
    tool's parameter schema.
    """
    tools = [
        t["function"]
        for t in body.get("tools") or []
        if isinstance(t, dict) and isinstance(t.get("function"), dict)
    ]
    choice = body.get("tool_choice", "auto")
    messages = body.get("messages") or []
    if not tools or choice == "none":
        return []
    if messages and isinstance(messages[-1], dict) and messages[-1].get("role") == "tool":
        return []
    hint = _last_user_text(messages)
    if isinstance(choice, dict):
        wanted = (choice.get("function") or {}).get("name")
        chosen = [t for t in tools if t.get("name") == wanted][:1]
    elif body.get("parallel_tool_calls") is True:
        chosen = tools
    else:
        # Short words ("the", "in") match everything; only longer ones say what is asked.
        words = {w for w in _words(hint) if len(w) > 3}

        def overlap(tool: dict[str, Any]) -> int:
            own = set(
                _words(f"{tool.get('name', '')} {tool.get('description', '')}".replace("_", " "))
            )
            return len(words & own)

        chosen = [max(tools, key=overlap)]  # max keeps the first of equals
    return [
        Call(
            str(tool.get("name")),
            json.dumps(
                example_for(tool.get("parameters") or {"type": "object"}, hint), ensure_ascii=False
            ),
        )
        for tool in chosen
    ]


# --- legacy completions ----------------------------------------------------------------


def completion_candidates(body: dict[str, Any]) -> list[Candidate]:
    """A legacy completion: one choice per prompt and per ``n``, continuing each prompt."""
    n = body.get("n") or 1
    prompts = prompt_texts(body.get("prompt"))
    stops = _stops(body)
    candidates = []
    for index in range(len(prompts) * n):
        prompt = prompts[index // n]
        text = reply_text({**body, "messages": [{"role": "user", "content": prompt}]}, index)
        # The reply without its chat preamble (You said: "..."), continuing the prompt.
        if _CJK.search(prompt):
            continuation = text.split("」", 1)[-1].lstrip("。")
        else:
            continuation = " " + text.split("\u201d", 1)[-1].lstrip(". ")
        tokens, reason = _truncate(tokenize(continuation), body.get("max_tokens", 16), stops)
        candidates.append(Candidate(tokens, reason, echo=prompt if body.get("echo") else ""))
    return candidates


def prompt_texts(prompt: Any) -> list[str]:
    """The prompts of a legacy completion: a string, strings, token ids, or lists of ids."""
    if isinstance(prompt, str):
        return [prompt]
    if isinstance(prompt, list) and prompt and all(isinstance(p, int) for p in prompt):
        return [" ".join(map(str, prompt))]
    if isinstance(prompt, list) and prompt:
        return [p if isinstance(p, str) else " ".join(map(str, p)) for p in prompt]
    return [""]


def _stops(body: dict[str, Any]) -> list[str]:
    stops = body.get("stop") or []
    return [stops] if isinstance(stops, str) else stops


def _truncate(tokens: list[str], max_tokens: int | None, stops: list[str]) -> tuple[list[str], str]:
    """Apply stop sequences and max_tokens the way an upstream does."""
    reason = "stop"
    if stops:
        text = "".join(tokens)
        cut = min((text.find(s) for s in stops if s and s in text), default=-1)
        if cut >= 0:
            kept, length = [], 0
            for token in tokens:
                if length + len(token) > cut:
                    if cut > length:
                        kept.append(token[: cut - length])
                    break
                kept.append(token)
                length += len(token)
            tokens = kept
    if max_tokens is not None and len(tokens) > max_tokens:
        tokens, reason = tokens[:max_tokens], "length"
    return tokens, reason


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.lower())


# --- embeddings ------------------------------------------------------------------------

OFFLINE_EMBEDDING_DIMENSIONS = 256
# The largest vectors a real embeddings model makes (text-embedding-3-large). The API sets
# no maximum, so the spec does not either; the offline model refuses more, as a real model
# does, instead of building a vector of a hundred million numbers.
OFFLINE_MAX_EMBEDDING_DIMENSIONS = 3072


def check_embedding_dimensions(body: dict[str, Any]) -> None:
    """Refuse ``dimensions`` beyond any real model's, as a provider would (a 400)."""
    dimensions = body.get("dimensions")
    if isinstance(dimensions, int) and dimensions > OFFLINE_MAX_EMBEDDING_DIMENSIONS:
        raise UpstreamError(
            "bad_request",
            f"The offline model makes embeddings of at most {OFFLINE_MAX_EMBEDDING_DIMENSIONS} "
            f"dimensions; dimensions {dimensions} is too many. Lower it and run again.",
            status=400,
            param="dimensions",
        )


def embedding_vectors(body: dict[str, Any]) -> list[list[float]]:
    """One vector per input, ``dimensions`` long (256 unless asked)."""
    dimensions = body.get("dimensions") or OFFLINE_EMBEDDING_DIMENSIONS
    return [embedding_vector(text, dimensions) for text in input_texts(body.get("input"))]


def embedding_vector(text: str, dimensions: int = OFFLINE_EMBEDDING_DIMENSIONS) -> list[float]:
    """A unit vector from hashed words and letter trigrams: shared words and word stems
    point texts the same way, so similar texts have a higher cosine similarity."""
    vector = [0.0] * dimensions
    # Short words ("a", "on", "the") say little about meaning: they weigh less.
    features = [(w, 1.0 if len(w) > 3 else 0.3) for w in _words(text)]
    for word in _words(text):
        padded = f"#{word}#"
        features += [(padded[i : i + 3], 0.3) for i in range(len(padded) - 2)]
    for feature, weight in features or [("", 1.0)]:
        rng = random.Random(hashlib.sha256(feature.encode()).digest())
        for d in range(dimensions):
            vector[d] += weight * rng.gauss(0, 1)
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [round(v / norm, 6) for v in vector]


def input_tokens(body: dict[str, Any]) -> int:
    """The tokens of an embeddings or moderation ``input``."""
    return sum(count_tokens(text) for text in input_texts(body.get("input")))


# --- moderation ------------------------------------------------------------------------


def moderation_results(body: dict[str, Any]) -> list[dict[str, Any]]:
    """One verdict per input, in OpenAI's shape (``offline_moderation``)."""
    return [moderation_result(text) for text in input_texts(body.get("input"))]
