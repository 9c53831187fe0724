"""The built-in offline model: deterministic replies with realistic pacing, no network.

It exists so that every screen of the playground can be used and tested with no
key: it honours max_tokens, stop, n and seed, streams at a configurable pace and
reports usage like an OpenAI upstream does.
"""

import asyncio
import hashlib
import json
import random
import re
from collections.abc import AsyncIterator
from typing import Any

from playground.providers.base import Event, Finished, TextDelta, Usage

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
    last_user = next(
        (m.get("content", "") for m in reversed(messages) if m.get("role") == "user"), ""
    )
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

    async def stream(self, body: dict[str, Any]) -> AsyncIterator[Event]:
        n = body.get("n") or 1
        max_tokens = body.get("max_tokens")
        stops = body.get("stop") or []
        if isinstance(stops, str):
            stops = [stops]
        delay = 1 / self.tokens_per_second if self.tokens_per_second > 0 else 0.0

        candidates = []
        for index in range(n):
            tokens, reason = _truncate(_TOKEN.findall(reply_text(body, index)), max_tokens, stops)
            candidates.append((tokens, reason))

        longest = max(len(tokens) for tokens, _ in candidates)
        for position in range(longest):
            if delay:
                await asyncio.sleep(delay)
            else:
                await asyncio.sleep(0)  # stay cancellable even at full speed
            for index, (tokens, _) in enumerate(candidates):
                if position < len(tokens):
                    yield TextDelta(index, tokens[position])
        for index, (_, reason) in enumerate(candidates):
            yield Finished(index, reason)

        prompt_tokens = sum(count_tokens(str(m.get("content", ""))) + 4 for m in body["messages"])
        completion_tokens = sum(len(tokens) for tokens, _ in candidates)
        yield Usage(prompt_tokens, completion_tokens, prompt_tokens + completion_tokens)


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
