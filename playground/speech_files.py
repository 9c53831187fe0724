"""Generated speech as files: where its pieces go while it streams, and how it is stored.

A speech answer is an audio file that arrives in pieces (``AudioPiece``). The page's run
writes them to an ``AudioSink`` as they come (a spooled temporary file: in memory up to
1 MiB, then on disk, hashed on the way), and at the end stores the file once as an
``Upload`` (``speech_store``), so that the page plays it from ``/uploads/<sha256>/``, offers
it for download, and the run history keeps its reference. The terminal writes the
pieces straight into the output file instead. Both check, from its first bytes, that the
answer is the format asked for (an upstream that answers an error page with 200 does not
become an "mp3"); pcm has no header to check.
"""

import hashlib
import tempfile
from dataclasses import dataclass
from typing import Any

from channels.db import database_sync_to_async
from django.utils.text import slugify
from django.utils.translation import gettext as _

from playground.uploads.kinds import MB, media_type_sniff
from playground.uploads.references import upload_sha256

# The media type each response_format is stored and served as (OpenAI's opus is Ogg).
SPEECH_MEDIA_TYPES = {
    "mp3": "audio/mpeg",
    "opus": "audio/ogg",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
}
# Formats browsers' <audio> does not play: offered for download only.
UNPLAYABLE_FORMATS = frozenset({"pcm"})
# The longest answer kept: 4096 characters read slowly (speed 0.25) as wav are about
# 60 MB; an answer beyond this is cut off and the run says so.
MAX_SPEECH_BYTES = 64 * MB
# The spooled file stays in memory up to this size, then moves to disk.
SPOOL_BYTES = 1 * MB


class SpeechRefused(ValueError):
    """An audio answer that is not stored; the message says why, in plain words."""


def audio_file_name(body: dict[str, Any]) -> str:
    """The file a speech answer is saved as: the text's first words, its format's extension."""
    stem = slugify(str(body.get("input") or "")[:60])[:40].strip("-") or "speech"
    return f"{stem}.{body.get('response_format') or 'mp3'}"


def speech_problem(response_format: str, head: bytes) -> str | None:
    """Why a file starting with ``head`` is not the ``response_format`` asked for (None: it
    is, or the format has no header to check)."""
    expected = SPEECH_MEDIA_TYPES.get(response_format)
    if expected is None or response_format in UNPLAYABLE_FORMATS:
        return None
    if not head:
        return _("The provider answered with no audio.")
    found = media_type_sniff(head)
    # aac may come as ADTS (audio/aac) or inside an MP4 container (m4a).
    if found == expected or (response_format == "aac" and found == "audio/mp4"):
        return None
    return _(
        "The provider's answer is not %(format)s audio (its first bytes say %(found)s); "
        "it was not kept."
    ) % {"format": response_format, "found": found or _("not audio")}


class AudioSink:
    """An audio file as its pieces arrive: spooled (memory, then disk) and hashed."""

    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
        self._hash = hashlib.sha256()
        self.size = 0
        self.head = b""
        self.too_big = False

    def write(self, data: bytes) -> None:
        if self.too_big:
            return
        if self.size + len(data) > MAX_SPEECH_BYTES:
            self.too_big = True
            return
        if len(self.head) < 8192:
            self.head += data[: 8192 - len(self.head)]
        self._file.write(data)
        self._hash.update(data)
        self.size += len(data)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def read(self) -> bytes:
        self._file.seek(0)
        return self._file.read()

    def close(self) -> None:
        self._file.close()


@dataclass(frozen=True)
class StoredSpeech:
    """A stored speech file as the result, the history and the terminal name it."""

    reference: str
    filename: str
    media_type: str
    size: int
    response_format: str

    @property
    def sha256(self) -> str:
        return self.reference.removeprefix("upload:")

    @property
    def playable(self) -> bool:
        return self.response_format not in UNPLAYABLE_FORMATS

    def as_json(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "filename": self.filename,
            "media_type": self.media_type,
            "size": self.size,
            "response_format": self.response_format,
        }


def speech_store(*, sink: AudioSink, body: dict[str, Any], response_format: str) -> StoredSpeech:
    """Store the sink's file as an Upload (SpeechRefused when it is not the audio asked for,
    or too long to keep)."""
    from playground.uploads.services import upload_store_output  # the ORM, when storing

    if sink.too_big:
        raise SpeechRefused(
            _("The provider's audio is longer than %(limit)s MB; it was not kept.")
            % {"limit": MAX_SPEECH_BYTES // MB}
        )
    problem = speech_problem(response_format, sink.head)
    if problem is not None:
        raise SpeechRefused(problem)
    media_type = SPEECH_MEDIA_TYPES.get(response_format, "application/octet-stream")
    upload = upload_store_output(
        data=sink.read(),
        sha256=sink.sha256,
        filename=audio_file_name({**body, "response_format": response_format}),
        media_type=media_type,
    )
    return StoredSpeech(
        upload.reference, upload.filename, upload.media_type, upload.size, response_format
    )


speech_store_async = database_sync_to_async(speech_store)


def speech_from_record(item: Any) -> StoredSpeech | None:
    """A run record's kept speech file (its ``output["speech"]``), None for anything else."""
    if not isinstance(item, dict) or not isinstance(item.get("reference"), str):
        return None
    if upload_sha256(item["reference"]) is None:
        return None
    try:
        return StoredSpeech(
            str(item["reference"]),
            str(item.get("filename") or "speech"),
            str(item.get("media_type") or ""),
            int(item.get("size") or 0),
            str(item.get("response_format") or "mp3"),
        )
    except (TypeError, ValueError):
        return None
