"""The built-in offline model: deterministic replies with realistic pacing, no network.

It exists so that every screen of the playground can be used and tested with no
key: it honours max_tokens, stop, n and seed, streams at a configurable pace and
reports usage like an OpenAI upstream does. It covers every mode: chat and edit
(with logprobs, tool calls whose arguments satisfy the tool's schema, JSON
replies that satisfy a json_schema), legacy completions, embeddings (similar
texts get similar vectors), moderation, images, speech (tones derived from the
text) and transcriptions (a transcript derived from the audio file). Each answer is also shown as the raw
JSON an OpenAI upstream would have sent. What it answers is ``offline_answers``;
how that looks on the wire is ``openai_format``; this module paces it as events.
"""

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from playground.modes import DEFAULT_MODE, get_mode
from playground.providers import offline_answers as answers
from playground.providers import (
    offline_images,
    offline_responses,
    offline_speech,
    offline_transcription,
    transcription_reader,
)
from playground.providers.base import (
    Embeddings,
    Event,
    Finished,
    Logprobs,
    Moderations,
    RawChunk,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    Usage,
)
from playground.providers.fine_tuning_mode import fine_tuning_events
from playground.providers.openai_format import (
    ChatAnswer,
    CompletionAnswer,
    Sender,
    StreamChunk,
    argument_pieces,
    embeddings_response,
    moderations_response,
)
from playground.providers.responses_format import ResponsesAnswer
from playground.providers.responses_reader import ResponsesReader, events_from_response
from playground.providers.sending import body_for_sending
from playground.providers.sent_files import files_for_sending
from playground.secrets_scrub import NO_SECRETS
from playground.translation_marks import gettext_noop

OFFLINE = Sender("offline")


class OfflineProvider:
    offline = True
    scrubber = NO_SECRETS  # it sends no key anywhere

    def __init__(
        self,
        *,
        name: str = "offline",
        label: str = gettext_noop("Offline model (built in)"),
        default_model: str = "offline-1",
        tokens_per_second: float = 40.0,
        moderation_model: str = "offline-moderation",
    ) -> None:
        self.name = name
        self.label = label
        self.default_model = default_model
        self.moderation_model = moderation_model
        self.moderation_setting = "the offline model (built in)"  # its check cannot fail
        self.tokens_per_second = tokens_per_second

    async def list_models(self) -> list[str]:
        # Any model name is accepted; these are the suggestions (the page adds the models
        # its fine-tuning jobs made: playground.views).
        return [self.default_model, "offline-2"]

    async def fetch_models(self, *, wait: float = 5.0) -> list[str]:
        return await self.list_models()

    async def stream(self, body: dict[str, Any], mode: str = DEFAULT_MODE) -> AsyncIterator[Event]:
        # How the offline model answers each shape of answer the registry names; a mode
        # whose result is a diff of its input (edit) gets its input back, edited.
        rewrites_input = get_mode(mode).diff_with_input
        answer_for: dict[str, Callable[[dict[str, Any]], AsyncIterator[Event]]] = {
            "chat": lambda body: self._chat(body, rewrites_input=rewrites_input),
            "completion": self._complete,
            "embedding": self._embed,
            "moderation": self._moderate,
            "image": lambda body: offline_images.image_stream(body, mode),
            "speech": offline_speech.speech_stream,
            "responses": self._respond,
            "transcription": lambda body: self._transcribe(body, mode),
            "fine_tuning": lambda body: fine_tuning_events(self, body),
        }
        # It sees what an upstream would: the files the body refers to, as their bytes.
        body = await body_for_sending(body)
        async for event in answer_for[get_mode(mode).answer](body):
            yield event

    async def _chat(self, body: dict[str, Any], *, rewrites_input: bool) -> AsyncIterator[Event]:
        """Chat and edit: text, JSON or tool calls, streamed token by token."""
        candidates = answers.chat_candidates(body, rewrites_input=rewrites_input)
        answer = ChatAnswer(body, candidates, OFFLINE)
        async for event in self._generate(answer):
            yield event

    async def _complete(self, body: dict[str, Any]) -> AsyncIterator[Event]:
        """Legacy completions, streamed token by token."""
        answer = CompletionAnswer(body, answers.completion_candidates(body), OFFLINE)
        async for event in self._generate(answer):
            yield event

    async def _generate(self, answer: ChatAnswer | CompletionAnswer) -> AsyncIterator[Event]:
        # Paced like a stream either way (the page shows the reply as it comes); an answer
        # the request did not ask to stream is shown raw as the one object it would be.
        streamed = bool(answer.body.get("stream"))
        delay = 1 / self.tokens_per_second if self.tokens_per_second > 0 else 0.0
        for chunk in answer.opening():
            for event in _chunk_events(chunk, raw=streamed):
                yield event
        for position in range(answer.longest):
            if delay:
                await asyncio.sleep(delay)
            else:
                await asyncio.sleep(0)  # stay cancellable even at full speed
            for chunk in answer.tokens_at(position):
                for event in _chunk_events(chunk, raw=streamed):
                    yield event
        for index, candidate in enumerate(answer.candidates):
            for closing in answer.closing(index) if streamed else ():
                yield RawChunk(_dumps(closing))
            for position, call in enumerate(candidate.calls):
                call_id = answer.call_id(index, position)
                yield ToolCallDelta(index, position, call_id, call.name, "")
                for piece in argument_pieces(call.arguments):
                    yield ToolCallDelta(index, position, None, None, piece)
                yield ToolCall(index, position, call_id, call.name, call.arguments)
            yield Finished(index, candidate.finish_reason)
        usage = answer.usage()
        if not streamed:
            yield RawChunk(_dumps(answer.whole()))
        elif (answer.body.get("stream_options") or {}).get("include_usage"):
            yield RawChunk(_dumps(answer.usage_chunk()))
        if streamed:
            yield RawChunk("[DONE]")
        yield usage

    async def _respond(self, body: dict[str, Any]) -> AsyncIterator[Event]:
        """The Responses API: its typed events, read back as a real provider's are (the
        text paced like a stream); not streamed, the one response object."""
        answer = ResponsesAnswer(body, offline_responses.plan_response(body), OFFLINE)
        if not body.get("stream"):
            await asyncio.sleep(0)
            whole = answer.whole()
            yield RawChunk(_dumps(whole))
            for event in events_from_response(whole):
                yield event
            return
        delay = 1 / self.tokens_per_second if self.tokens_per_second > 0 else 0.0
        reader = ResponsesReader()
        for payload in answer.all_events():
            if payload["type"].endswith(".delta"):
                await asyncio.sleep(delay)
            yield RawChunk(_dumps(payload))
            for event in reader.read(payload):
                yield event

    async def _transcribe(self, body: dict[str, Any], mode: str) -> AsyncIterator[Event]:
        """A transcription or translation of the body's audio file: the whole answer in the
        format asked for, or its words as stream events (paced like a stream)."""
        sent = await files_for_sending(mode, body)
        content = sent.files["file"][0]
        translate = get_mode(mode).endpoint == "/audio/translations"
        model = str(body.get("model") or self.default_model)
        streamed = offline_transcription.transcription_events(body, content, translate=translate)
        if streamed is None:
            await asyncio.sleep(0)
            text, _ = offline_transcription.transcription_answer(body, content, translate=translate)
            yield RawChunk(text)
            for event in transcription_reader.answer_events(text, body, model):
                yield event
            return
        delay = 1 / self.tokens_per_second if self.tokens_per_second > 0 else 0.0
        reader = transcription_reader.StreamReader(body, model)
        for payload in streamed:
            await asyncio.sleep(delay)
            yield RawChunk(_dumps(payload))
            for event in reader.events(payload):
                yield event

    async def _embed(self, body: dict[str, Any]) -> AsyncIterator[Event]:
        answers.check_embedding_dimensions(body)
        # Thousands of inputs take a while: off the event loop, so other runs keep streaming.
        for event in await asyncio.to_thread(_embedding_events, body):
            yield event

    async def _moderate(self, body: dict[str, Any]) -> AsyncIterator[Event]:
        await asyncio.sleep(0)
        raw = moderations_response(body, answers.moderation_results(body), OFFLINE)
        yield RawChunk(json.dumps(raw))
        yield Moderations(tuple(raw["results"]), raw["model"])


def _embedding_events(body: dict[str, Any]) -> list[Event]:
    vectors = answers.embedding_vectors(body)
    raw = embeddings_response(body, vectors, OFFLINE)
    tokens = raw["usage"]["prompt_tokens"]
    return [
        RawChunk(json.dumps(raw)),
        Embeddings(tuple(tuple(v) for v in vectors), raw["model"]),
        Usage(tokens, 0, tokens),
    ]


def _chunk_events(streamed: StreamChunk, *, raw: bool = True) -> list[Event]:
    """A chunk as the events it carries: the raw chunk (unless ``raw`` is off), its text,
    its log probability."""
    events: list[Event] = [RawChunk(_dumps(streamed.chunk))] if raw else []
    if streamed.text:
        events.append(TextDelta(streamed.index, streamed.text))
    if streamed.logprob is not None:
        events.append(Logprobs(streamed.index, (streamed.logprob,)))
    return events


def _dumps(chunk: dict[str, Any]) -> str:
    return json.dumps(chunk, ensure_ascii=False)
