"""What may be uploaded for each purpose: the file types, read from the bytes, and sizes.

A file's type comes from its first bytes (``filetype``), never from its name or what the
browser claims: a renamed or mislabelled file is refused before it is stored or sent.
"""

from dataclasses import dataclass

import filetype
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

MB = 1024 * 1024

# filetype's name for a type (its extension) → the media type stored and sent. Its own
# media types vary (audio/x-wav, video/webm for an audio-only WebM); these are the ones
# OpenAI's documentation and the browsers' <audio> use.
_MEDIA_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "wav": "audio/wav",
    "mp3": "audio/mpeg",
    "flac": "audio/flac",
    "ogg": "audio/ogg",
    "m4a": "audio/mp4",
    "mp4": "video/mp4",
    "webm": "audio/webm",
    "mpg": "video/mpeg",
}

JSONL = "application/jsonl"

# The file name extension each stored type is downloaded and exported with.
EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "audio/wav": "wav",
    "audio/mpeg": "mp3",
    "audio/flac": "flac",
    "audio/ogg": "ogg",
    "audio/mp4": "m4a",
    "video/mp4": "mp4",
    "audio/webm": "webm",
    "video/mpeg": "mpeg",
    JSONL: "jsonl",
}


def media_type_sniff(data: bytes) -> str | None:
    """The media type of an image or audio file from its first bytes; None for any other
    content (text included)."""
    kind = filetype.guess(data[:8192])
    return _MEDIA_TYPES.get(kind.extension) if kind is not None else None


@dataclass(frozen=True)
class UploadKind:
    """What one purpose accepts."""

    purpose: str
    label: str | Promise  # what the refusals call it ("an audio file")
    media_types: frozenset[str]
    # The provider's own limit (OpenAI's documentation); PLAYGROUND_UPLOAD_MAX_BYTES may
    # lower it for this server.
    provider_max_bytes: int

    @property
    def max_bytes(self) -> int:
        # Imported here: the body models use these kinds, and settings.py loads them
        # (through providers.base_url) before the settings exist.
        from django.conf import settings

        return min(self.provider_max_bytes, settings.PLAYGROUND_UPLOAD_MAX_BYTES)

    def media_type_of(self, data: bytes) -> str | None:
        """The file's media type if this purpose accepts it, else None."""
        if JSONL in self.media_types:
            return JSONL if _is_text(data) else None
        found = media_type_sniff(data)
        return found if found in self.media_types else None

    def allowed_names(self) -> str:
        """The accepted types as a user reads them: "png, jpg, gif, webp"."""
        return ", ".join(sorted({EXTENSIONS[t] for t in self.media_types}, key=_order))

    def too_big(self, name: str, size: int) -> str:
        """The refusal of a file over this purpose's size."""
        return gettext("%(name)s is %(size)s; %(kind)s may be at most %(limit)s.") % {
            "name": name,
            "size": size_text(size),
            "kind": self.label,
            "limit": size_text(self.max_bytes),
        }

    def wrong_type(self, name: str) -> str:
        """The refusal of a file this purpose does not accept."""
        return gettext("%(name)s is not %(kind)s (allowed: %(allowed)s).") % {
            "name": name,
            "kind": self.label,
            "allowed": self.allowed_names(),
        }


def size_text(size: int) -> str:
    """A byte count as people read it: "512 KB", "25 MB" (binary units, as OpenAI's)."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB".replace(".0 MB", " MB")


def _order(extension: str) -> int:
    return list(EXTENSIONS.values()).index(extension)


def _is_text(data: bytes) -> bool:
    if media_type_sniff(data) is not None or b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


UPLOAD_KINDS: dict[str, UploadKind] = {
    kind.purpose: kind
    for kind in (
        # Transcriptions and translations, and audio input in chat: 25 MB at OpenAI.
        UploadKind(
            "audio",
            _("an audio file"),
            frozenset(
                {
                    "audio/wav",
                    "audio/mpeg",
                    "audio/flac",
                    "audio/ogg",
                    "audio/mp4",
                    "video/mp4",
                    "audio/webm",
                    "video/mpeg",
                }
            ),
            25 * MB,
        ),
        # Images in chat messages and image edits: 50 MB per request at OpenAI.
        UploadKind(
            "image",
            _("an image"),
            frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"}),
            50 * MB,
        ),
        # Fine-tuning training and validation files: JSON Lines, UTF-8 (512 MB at OpenAI).
        UploadKind("jsonl", _("a JSONL file"), frozenset({JSONL}), 512 * MB),
    )
}
