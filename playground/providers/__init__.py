"""Upstream clients behind one small interface, and the events their streams yield.

``build.build_provider`` makes a client from a configuration entry; which providers a user
may use, by name, is for ``playground.providerconfig.lookup`` to say (the environment's
and the stored ones). Kept light on purpose: settings.py loads ``providers.base_url``,
and with it this package, before Django is set up.
"""

from playground.providers.base import (
    AudioDone,
    AudioPiece,
    Embeddings,
    Event,
    Finished,
    GeneratedImage,
    Images,
    JobCreated,
    Logprobs,
    Moderations,
    Provider,
    RawChunk,
    ReasoningDelta,
    ResponseHeaders,
    ResponseId,
    Retrying,
    StreamEventType,
    TextDelta,
    TimedText,
    TokenLogprob,
    ToolCall,
    ToolCallDelta,
    Transcript,
    UpstreamError,
    Usage,
)

__all__ = [
    "AudioDone",
    "AudioPiece",
    "Embeddings",
    "Event",
    "Finished",
    "GeneratedImage",
    "Images",
    "JobCreated",
    "Logprobs",
    "Moderations",
    "Provider",
    "RawChunk",
    "ReasoningDelta",
    "ResponseHeaders",
    "ResponseId",
    "Retrying",
    "StreamEventType",
    "TextDelta",
    "TimedText",
    "TokenLogprob",
    "ToolCall",
    "ToolCallDelta",
    "Transcript",
    "UpstreamError",
    "Usage",
]
