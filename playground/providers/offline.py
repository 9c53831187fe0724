"""The built-in offline model: deterministic replies with realistic pacing, no network.

It exists so that every screen of the playground can be used and tested with no
key: it honours max_tokens, stop, n and seed, streams at a configurable pace and
reports usage like an OpenAI upstream does. It covers every mode: chat and edit
(with logprobs, tool calls whose arguments satisfy the tool's schema, JSON
replies that satisfy a json_schema), legacy completions, embeddings (similar
texts get similar vectors) and moderation. Each answer is also shown as the raw
JSON an OpenAI upstream would have sent.
"""

import asyncio
import hashlib
import json
import math
import random
import re
import time
from collections.abc import AsyncIterator
from typing import Any

from playground.modes import get_mode
from playground.providers.base import (
    Embeddings,
    Event,
    Finished,
    Logprobs,
    Moderations,
    RawChunk,
    TextDelta,
    TokenLogprob,
    ToolCall,
    ToolCallDelta,
    UpstreamError,
    Usage,
)
from playground.providers.schema_example import example_for
from playground.spec import input_texts

# A token is a run of letters/digits, one CJK character or one punctuation mark,
# each with the whitespace before it: close enough to BPE counts for usage figures.
_TOKEN = re.compile(r"\s*(?:[\u3400-\u9fff\uf900-\ufaff]|[^\W\u3400-\u9fff]+|[^\w\s])", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff]")

_ENGLISH = (
    "The offline model answers without a network, so every part of the playground can be "
    "tried before a key is set. It streams its reply token by token at a steady pace. "
    "The same request and seed always give the same words, which makes it useful in tests. "
    "Change the seed or the prompt to see another reply. Set max tokens to cut the reply "
    "short, or add a stop sequence to end it early. Ask for several candidates to compare "
    "them side by side. When a real provider is configured, pick it above to send the same "
    "request upstream."
).split(". ")
_CHINESE = (
    "离线模型无需网络即可回答，因此在配置密钥之前就能试用整个平台。"
    "它以稳定的速度逐个词元地流式输出回复。"
    "相同的请求和种子总会得到相同的文字，便于测试。"
    "修改种子或提示词即可看到另一条回复。"
    "设置最大词元数可以截短回复，添加停止序列可以提前结束。"
    "配置真实的服务商后，在上方选择它即可把同一请求发往上游。"
).split("。")


def count_tokens(text: str) -> int:
    return len(_TOKEN.findall(text))


def reply_text(body: dict[str, Any], candidate: int) -> str:
    """The full reply for one candidate, before max_tokens and stop are applied."""
    messages = body.get("messages") or []
    last_user = _last_user_text(messages)
    material = json.dumps(
        [body.get("model"), messages, body.get("seed"), candidate], sort_keys=True, default=str
    )
    rng = random.Random(hashlib.sha256(material.encode()).digest())
    quoted = " ".join(str(last_user).split())
    if len(quoted) > 80:
        quoted = quoted[:77] + "..."
    if _CJK.search(str(last_user)):
        sentences = rng.sample([s for s in _CHINESE if s], k=3)
        return f"（离线模型）你说：「{quoted}」。" + "。".join(sentences) + "。"
    sentences = rng.sample([s.rstrip(".") for s in _ENGLISH if s], k=4)
    return f"(Offline model) You said: \u201c{quoted}\u201d. " + ". ".join(sentences) + "."


class OfflineProvider:
    offline = True

    def __init__(
        self,
        *,
        name: str = "offline",
        label: str = "Offline model (built in)",
        default_model: str = "offline-1",
        tokens_per_second: float = 40.0,
    ) -> None:
        self.name = name
        self.label = label
        self.default_model = default_model
        self.tokens_per_second = tokens_per_second

    async def list_models(self) -> list[str]:
        # Any model name is accepted; these are the suggestions.
        return [self.default_model, "offline-2"]

    async def stream(self, body: dict[str, Any], mode: str = "chat") -> AsyncIterator[Event]:
        answer = get_mode(mode).answer
        if answer == "embedding":
            _check_embedding_dimensions(body)
            # Thousands of inputs take a while: off the event loop, so other runs keep streaming.
            events: list[Event] = await asyncio.to_thread(_embedding_events, body)
        elif answer == "moderation":
            events = _moderation_events(body)
        else:
            async for event in self._generate(body, mode):
                yield event
            return
        await asyncio.sleep(0)
        for event in events:
            yield event

    async def _generate(self, body: dict[str, Any], mode: str) -> AsyncIterator[Event]:
        """Chat, edit and legacy completions, streamed token by token."""
        delay = 1 / self.tokens_per_second if self.tokens_per_second > 0 else 0.0
        reply = _LegacyReply(body) if get_mode(mode).answer == "completion" else _ChatReply(body)
        candidates = reply.candidates()
        longest = max((len(tokens) for tokens, _ in candidates), default=0)
        for position in range(longest):
            if delay:
                await asyncio.sleep(delay)
            else:
                await asyncio.sleep(0)  # stay cancellable even at full speed
            for index, (tokens, _) in enumerate(candidates):
                if position < len(tokens):
                    token = tokens[position]
                    logprob = reply.logprob(token) if reply.wants_logprobs else None
                    yield RawChunk(reply.raw_token(index, token, logprob))
                    yield TextDelta(index, token)
                    if logprob is not None:
                        yield Logprobs(index, (logprob,))
        for index, (_, reason) in enumerate(candidates):
            for event in reply.tool_call_events(index):
                yield event
            yield RawChunk(reply.raw_finish(index, reason))
            yield Finished(index, reason)
        prompt_tokens = reply.prompt_tokens()
        completion_tokens = sum(len(tokens) for tokens, _ in candidates) + reply.call_tokens()
        usage = Usage(prompt_tokens, completion_tokens, prompt_tokens + completion_tokens)
        if (body.get("stream_options") or {}).get("include_usage"):
            yield RawChunk(reply.raw_usage(usage))
        yield RawChunk("[DONE]")
        yield usage


def _last_user_text(messages: list[Any]) -> str:
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            return _content_text(message.get("content"))
    return ""


def _content_text(content: Any) -> str:
    if isinstance(content, list):
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return "" if content is None else str(content)


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


class _Reply:
    """What chat and legacy replies share: the raw chunks they are shown as."""

    chunk_id = ""
    chunk_object = ""
    body: dict[str, Any]
    created: int
    top: int

    def logprob(self, token: str) -> TokenLogprob:
        return token_logprob(token, self.top)

    def _chunk(self, choices: list[dict[str, Any]], **extra: Any) -> str:
        payload = {
            "id": self.chunk_id,
            "object": self.chunk_object,
            "created": self.created,
            "model": self.body.get("model"),
            "system_fingerprint": "fp_offline",
            "choices": choices,
            **extra,
        }
        return json.dumps(payload, ensure_ascii=False)

    def raw_usage(self, usage: Usage) -> str:
        return self._chunk([], usage=_usage_json(usage))


class _ChatReply(_Reply):
    """What the offline model answers to a chat body: text, JSON or tool calls."""

    chunk_id = "chatcmpl-offline"
    chunk_object = "chat.completion.chunk"

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.n = body.get("n") or 1
        self.wants_logprobs = bool(body.get("logprobs"))
        self.top = body.get("top_logprobs") or 0
        self.created = int(time.time())
        self.calls = _planned_tool_calls(body)

    def candidates(self) -> list[tuple[list[str], str]]:
        if self.calls:
            return [([], "tool_calls") for _ in range(self.n)]
        stops = self.body.get("stop") or []
        if isinstance(stops, str):
            stops = [stops]
        return [
            _truncate(_TOKEN.findall(self.text(index)), self.body.get("max_tokens"), stops)
            for index in range(self.n)
        ]

    def text(self, index: int) -> str:
        messages = self.body.get("messages") or []
        response_format = self.body.get("response_format") or {}
        hint = _last_user_text(messages)
        if response_format.get("type") == "json_schema":
            schema = (response_format.get("json_schema") or {}).get("schema") or {}
            return json.dumps(example_for(schema, hint), ensure_ascii=False)
        if response_format.get("type") == "json_object":
            return json.dumps({"reply": reply_text(self.body, index)}, ensure_ascii=False)
        results = _tool_results(messages)
        if results:
            listed = "; ".join(f"{name} returned {text}" for name, text in results)
            return f"(Offline model) The tools answered: {listed}. That is all I know."
        return reply_text(self.body, index)

    def tool_call_events(self, index: int) -> list[Event]:
        events: list[Event] = []
        for position, (name, arguments) in enumerate(self.calls):
            call_id = _call_id(self.body, index, position)
            events.append(ToolCallDelta(index, position, call_id, name, ""))
            for start in range(0, len(arguments), 12):
                events.append(
                    ToolCallDelta(index, position, None, None, arguments[start : start + 12])
                )
            events.append(ToolCall(index, position, call_id, name, arguments))
        return events

    def call_tokens(self) -> int:
        return sum(count_tokens(arguments) for _, arguments in self.calls) * self.n

    def prompt_tokens(self) -> int:
        messages = self.body.get("messages") or []
        return sum(
            count_tokens(_content_text(m.get("content"))) + 4
            for m in messages
            if isinstance(m, dict)
        )

    def raw_token(self, index: int, token: str, logprob: TokenLogprob | None) -> str:
        logprobs = None
        if logprob is not None:
            top = [{"token": t, "logprob": lp, "bytes": list(t.encode())} for t, lp in logprob.top]
            item = {
                "token": token,
                "logprob": logprob.logprob,
                "bytes": list(token.encode()),
                "top_logprobs": top,
            }
            logprobs = {"content": [item], "refusal": None}
        choice = {
            "index": index,
            "delta": {"content": token},
            "logprobs": logprobs,
            "finish_reason": None,
        }
        return self._chunk([choice])

    def raw_finish(self, index: int, reason: str) -> str:
        delta: dict[str, Any] = {}
        if self.calls:
            delta["tool_calls"] = [
                {
                    "index": position,
                    "id": _call_id(self.body, index, position),
                    "type": "function",
                    "function": {"name": name, "arguments": arguments},
                }
                for position, (name, arguments) in enumerate(self.calls)
            ]
        choice = {"index": index, "delta": delta, "logprobs": None, "finish_reason": reason}
        return self._chunk([choice])


def _usage_json(usage: Usage) -> dict[str, int]:
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
    }


def _call_id(body: dict[str, Any], index: int, position: int) -> str:
    digest = hashlib.sha256(json.dumps(body.get("messages"), sort_keys=True, default=str).encode())
    return f"call_offline_{digest.hexdigest()[:8]}_{index}_{position}"


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


def _planned_tool_calls(body: dict[str, Any]) -> list[tuple[str, str]]:
    """The calls the offline model makes: (name, arguments JSON), or none.

    It calls a tool when tools are defined, tool_choice allows it, and the
    conversation does not already end with tool results (then it answers in text).
    With tool_choice "auto" it picks the tool whose name and description share the
    most words with the user's last message; "required" the same; a named choice
    that tool; parallel_tool_calls true calls every tool.
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
        (
            str(tool.get("name")),
            json.dumps(
                example_for(tool.get("parameters") or {"type": "object"}, hint), ensure_ascii=False
            ),
        )
        for tool in chosen
    ]


class _LegacyReply(_Reply):
    """A legacy completion: one choice per prompt and per n, continuing each prompt."""

    chunk_id = "cmpl-offline"
    chunk_object = "text_completion"

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.n = body.get("n") or 1
        self.prompts = _prompt_texts(body.get("prompt"))
        logprobs = body.get("logprobs")
        self.wants_logprobs = logprobs is not None
        self.top = logprobs or 0
        self.created = int(time.time())
        self.calls: list[tuple[str, str]] = []

    def candidates(self) -> list[tuple[list[str], str]]:
        stops = self.body.get("stop") or []
        if isinstance(stops, str):
            stops = [stops]
        results = []
        for index in range(len(self.prompts) * self.n):
            prompt = self.prompts[index // self.n]
            text = reply_text(
                {**self.body, "messages": [{"role": "user", "content": prompt}]}, index
            )
            continuation = " " + text.split(". ", 1)[-1]
            tokens, reason = _truncate(
                _TOKEN.findall(continuation), self.body.get("max_tokens", 16), stops
            )
            if self.body.get("echo"):
                tokens = [prompt, *tokens]
            results.append((tokens, reason))
        return results

    def tool_call_events(self, index: int) -> list[Event]:
        return []

    def call_tokens(self) -> int:
        return 0

    def prompt_tokens(self) -> int:
        return sum(count_tokens(p) for p in self.prompts)

    def raw_token(self, index: int, token: str, logprob: TokenLogprob | None) -> str:
        logprobs = None
        if logprob is not None:
            logprobs = {
                "tokens": [token],
                "token_logprobs": [logprob.logprob],
                "top_logprobs": [dict(logprob.top)],
                "text_offset": [0],
            }
        return self._chunk(
            [{"text": token, "index": index, "logprobs": logprobs, "finish_reason": None}]
        )

    def raw_finish(self, index: int, reason: str) -> str:
        return self._chunk(
            [{"text": "", "index": index, "logprobs": None, "finish_reason": reason}]
        )


def _prompt_texts(prompt: Any) -> list[str]:
    if isinstance(prompt, str):
        return [prompt]
    if isinstance(prompt, list) and prompt and all(isinstance(p, int) for p in prompt):
        return [" ".join(map(str, prompt))]
    if isinstance(prompt, list) and prompt:
        return [p if isinstance(p, str) else " ".join(map(str, p)) for p in prompt]
    return [""]


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.lower())


OFFLINE_EMBEDDING_DIMENSIONS = 256
# The largest vectors a real embeddings model makes (text-embedding-3-large). The API sets
# no maximum, so the spec does not either; the offline model refuses more, as a real model
# does, instead of building a vector of a hundred million numbers.
OFFLINE_MAX_EMBEDDING_DIMENSIONS = 3072


def _check_embedding_dimensions(body: dict[str, Any]) -> None:
    dimensions = body.get("dimensions")
    if isinstance(dimensions, int) and dimensions > OFFLINE_MAX_EMBEDDING_DIMENSIONS:
        raise UpstreamError(
            "bad_request",
            f"The offline model makes embeddings of at most {OFFLINE_MAX_EMBEDDING_DIMENSIONS} "
            f"dimensions; dimensions {dimensions} is too many. Lower it and run again.",
            status=400,
            param="dimensions",
        )


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


def _embedding_events(body: dict[str, Any]) -> list[Event]:
    dimensions = body.get("dimensions") or OFFLINE_EMBEDDING_DIMENSIONS
    texts = input_texts(body.get("input"))
    vectors = [embedding_vector(text, dimensions) for text in texts]
    tokens = sum(count_tokens(text) for text in texts)
    model = str(body.get("model") or "offline-embedding")
    raw = {
        "object": "list",
        "data": [
            {"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)
        ],
        "model": model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
    return [
        RawChunk(json.dumps(raw)),
        Embeddings(tuple(tuple(v) for v in vectors), model),
        Usage(tokens, 0, tokens),
    ]


MODERATION_CATEGORIES = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/instructions",
    "self-harm/intent",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)
# Words that raise a category's score, so that flagging can be tried offline.
MODERATION_WORDS = {
    "harassment": {"idiot", "stupid", "loser"},
    "harassment/threatening": {"threaten", "hunt"},
    "hate": {"hate", "inferior"},
    "illicit": {"steal", "shoplift", "counterfeit"},
    "illicit/violent": {"bomb", "weapon"},
    "self-harm": {"suicide", "self-harm"},
    "violence": {"kill", "attack", "hurt"},
    "violence/graphic": {"gore", "blood"},
}


def moderation_result(text: str) -> dict[str, Any]:
    words = set(_words(text))
    scores = {}
    for name in MODERATION_CATEGORIES:
        hits = len(words & MODERATION_WORDS.get(name, set()))
        base = int(hashlib.sha256(f"{name}:{text}".encode()).hexdigest()[:4], 16) / 0xFFFF
        scores[name] = round(min(0.99, 0.85 + 0.05 * hits) if hits else base * 0.02, 6)
    categories = {name: score >= 0.5 for name, score in scores.items()}
    return {
        "flagged": any(categories.values()),
        "categories": categories,
        "category_scores": scores,
        "category_applied_input_types": {name: ["text"] for name in MODERATION_CATEGORIES},
    }


def _moderation_events(body: dict[str, Any]) -> list[Event]:
    results = [moderation_result(text) for text in input_texts(body.get("input"))]
    model = str(body.get("model") or "offline-moderation")
    raw = {"id": "modr-offline", "model": model, "results": results}
    return [RawChunk(json.dumps(raw)), Moderations(tuple(results), model)]


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
