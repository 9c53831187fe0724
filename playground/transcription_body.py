"""The bodies of POST /audio/transcriptions and /audio/translations (Whisper and the
gpt-4o transcribe models): an audio file, sent as a multipart upload, and how to read it.

The file is a reference (``upload:<sha256>`` from the page, ``@path`` in the terminal)
that becomes the upload's ``file`` part; what it is (an audio type OpenAI reads, at most
25 MB) is checked when it is read (``file_problems``), before anything is sent.
"""

import re
from typing import Any, Literal

from django.utils.translation import gettext as _
from pydantic import Field, field_validator

from playground.bodies import WireBody, _file_reference, _model, _param, _stream
from playground.translation_marks import gettext_noop
from playground.uploads.kinds import UPLOAD_KINDS

# ISO-639-1 codes are two letters; some servers (and Whisper's own list) take three.
_LANGUAGE = re.compile(r"[a-z]{2,3}")
# The gpt-4o transcribe models answer json only (the spec's AudioResponseFormat says so).
_JSON_ONLY_MODELS = ("gpt-4o-transcribe", "gpt-4o-mini-transcribe")
_DIARIZE_MODEL = "gpt-4o-transcribe-diarize"
TEXT_FORMATS = ("text", "srt", "vtt")


def _audio_file() -> Any:
    return Field(
        description="The audio to read: flac, mp3, mp4, mpeg, m4a, ogg, wav or webm, at most "
        "25 MB.",
        json_schema_extra={"label": gettext_noop("Audio file"), "input": "file"},
    )


def _prompt(language_hint: str) -> Any:
    return Field(default=None, description=language_hint)


def _temperature() -> Any:
    return _param(
        gettext_noop(
            "Sampling temperature from 0 to 1; at 0 the model raises it by itself where "
            "it is unsure."
        ),
        gettext_noop("Temperature"),
        ge=0,
        le=1,
        extra={"step": 0.1},
    )


class _AudioBody(WireBody):
    model: str = _model()
    file: str = _audio_file()
    temperature: float | None = _temperature()

    @classmethod
    def candidate_count(cls, body: dict[str, Any]) -> int:
        return 1  # the transcript is the reply

    @field_validator("file")
    @classmethod
    def _a_file(cls, value: str) -> str:
        return str(_file_reference(value))

    @classmethod
    def file_problems(cls, body: dict[str, Any], files: dict[str, list[Any]]) -> dict[str, str]:
        # An upload was checked when it was uploaded, but for its own purpose: an image
        # uploaded for a message is no audio file.
        kind = UPLOAD_KINDS["audio"]
        for content in files.get("file", []):
            if content.media_type not in kind.media_types:
                return {"file": kind.wrong_type(content.filename)}
            if len(content.data) > kind.max_bytes:
                return {"file": kind.too_big(content.filename, len(content.data))}
        return {}


class TranscriptionBody(_AudioBody):
    """The body of POST /audio/transcriptions: the audio, in its own language, as text."""

    language: str | None = _param(
        gettext_noop(
            "The audio's language as an ISO-639-1 code (en, zh, de…): faster and more "
            "accurate than detecting it."
        ),
        gettext_noop("Language"),
        "text",
    )
    prompt: str | None = _prompt(
        "Text to guide the style, or the previous segment's text, in the audio's language."
    )
    response_format: (
        Literal["json", "text", "srt", "verbose_json", "vtt", "diarized_json"] | None
    ) = _param(
        gettext_noop(
            "json (the default) or text: the transcript; srt and vtt: subtitles; "
            "verbose_json: with the language, duration and timed segments (whisper-1)."
        ),
        gettext_noop("Response format"),
        "select",
    )
    timestamp_granularities: list[Literal["word", "segment"]] | None = _param(
        gettext_noop(
            'With verbose_json: timed "segment"s (the default), "word"s, or both, as a JSON '
            'list: ["word", "segment"].'
        ),
        gettext_noop("Timestamps"),
        "json",
    )
    include: list[Literal["logprobs"]] | None = _param(
        gettext_noop(
            '["logprobs"]: the tokens\' log probabilities (gpt-4o transcribe models, json).'
        ),
        gettext_noop("Include"),
        "json",
    )
    stream: bool | None = _stream()

    @field_validator("language")
    @classmethod
    def _an_iso_code(cls, value: str | None) -> str | None:
        if value is not None and not _LANGUAGE.fullmatch(value):
            raise ValueError(_("must be an ISO-639-1 language code such as en, zh or de"))
        return value

    def consistency_errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        given_format = self.response_format or "json"
        if self.timestamp_granularities is not None and given_format != "verbose_json":
            errors["timestamp_granularities"] = _(
                "needs response_format verbose_json: set it, or clear the timestamps"
            )
        if self.include is not None and given_format != "json":
            errors["include"] = _("needs response_format json")
        if self.model.startswith(_JSON_ONLY_MODELS) and not self.model.startswith(_DIARIZE_MODEL):
            if given_format != "json":
                errors.setdefault(
                    "response_format",
                    _("%(model)s answers json only: choose json, or whisper-1 for %(format)s")
                    % {"model": self.model, "format": given_format},
                )
        if given_format == "diarized_json" and self.model != _DIARIZE_MODEL:
            errors.setdefault(
                "response_format",
                _("diarized_json is for %(model)s only") % {"model": _DIARIZE_MODEL},
            )
        return errors


class TranslationBody(_AudioBody):
    """The body of POST /audio/translations: the audio, in any language, as English text."""

    prompt: str | None = _prompt("Text to guide the style, in English.")
    response_format: Literal["json", "text", "srt", "verbose_json", "vtt"] | None = _param(
        gettext_noop(
            "json (the default) or text: the translation; srt and vtt: subtitles; "
            "verbose_json: with the duration and timed segments."
        ),
        gettext_noop("Response format"),
        "select",
    )
