"""Images and audio in chat messages: where they sit in a body, their checks, and the one
step that puts their bytes in before a body leaves for a provider.

A user message carries them as OpenAI's content parts::

    {"type": "image_url", "image_url": {"url": "…", "detail": "auto" | "low" | "high"}}
    {"type": "input_audio", "input_audio": {"data": "…", "format": "wav" | "mp3"}}

An image's ``url`` is an http(s) link, a ``data:`` URL, or a file reference; an audio's
``data`` is base64 or a file reference (``upload:<sha256>`` from the page, ``@path`` in the
terminal: ``playground.uploads.references``). The request object, presets, the history and
the exports keep the reference; ``files_inlined`` (through ``providers.sending``, called by
every provider's ``stream``) replaces it with a base64 ``data:`` URL or base64 text right before the body is sent.
"""

import base64
import binascii
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from playground.jsonpath import PathPart, path_text
from playground.uploads.kinds import MB, UPLOAD_KINDS, media_type_sniff, size_text
from playground.uploads.references import (
    FileReferenceError,
    file_reference_read,
    is_file_reference,
    upload_sha256,
)

# OpenAI's vision input: these types, at most 20 MB per image.
IMAGE_MEDIA_TYPES = {
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/webp": "WEBP",
    "image/gif": "GIF",
}
IMAGE_MAX_BYTES = 20 * MB
# input_audio's two formats, and the file type each names.
AUDIO_FORMATS = {"wav": "audio/wav", "mp3": "audio/mpeg"}

_IMAGE_ALLOWED = "png, jpeg, webp, gif"


def audio_max_bytes() -> int:
    """The largest audio file a message may carry (the audio uploads' limit, 25 MB)."""
    return UPLOAD_KINDS["audio"].max_bytes


@dataclass(frozen=True)
class AttachedFile:
    """One image or audio part of a message: where its value sits and what it holds."""

    kind: str  # "image" or "audio"
    message: int
    part: int
    # The part's own key and the key of its value: ("image_url", "url"), ("input_audio", "data").
    keys: tuple[str, str]
    value: str
    # The image's detail, or the audio's format ("" when unset).
    option: str

    @property
    def path(self) -> tuple[PathPart, ...]:
        return ("messages", self.message, "content", self.part, *self.keys)

    @property
    def where(self) -> str:
        """The field as messages name it: ``messages[1].content[2].image_url.url``."""
        return path_text(self.path)


def attached_files(body: dict[str, Any]) -> Iterator[AttachedFile]:
    """Every image and audio part of the body's messages, in order."""
    messages = body.get("messages")
    if not isinstance(messages, list):
        return
    for position, message in enumerate(messages):
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, list):
            continue
        for number, part in enumerate(content):
            if not isinstance(part, dict):
                continue
            if part.get("type") == "image_url" and isinstance(part.get("image_url"), dict):
                image = part["image_url"]
                if isinstance(image.get("url"), str):
                    detail = str(image.get("detail") or "")
                    keys = ("image_url", "url")
                    yield AttachedFile("image", position, number, keys, image["url"], detail)
            elif part.get("type") == "input_audio" and isinstance(part.get("input_audio"), dict):
                audio = part["input_audio"]
                if isinstance(audio.get("data"), str):
                    fmt = str(audio.get("format") or "")
                    keys = ("input_audio", "data")
                    yield AttachedFile("audio", position, number, keys, audio["data"], fmt)


def has_file_references(body: dict[str, Any]) -> bool:
    """Whether any image or audio of the body is a file reference (to read before sending)."""
    return any(is_file_reference(item.value) for item in attached_files(body))


# --- checks ------------------------------------------------------------------------------


def attachment_errors(body: dict[str, Any]) -> dict[str, str]:
    """What is wrong with the body's images and audio as written, by field (no file is
    read: a reference is checked by ``attachment_problems`` before sending)."""
    errors: dict[str, str] = {}
    for item in attached_files(body):
        if is_file_reference(item.value):
            if item.value.startswith("upload:") and upload_sha256(item.value) is None:
                errors[item.where] = _("upload: must be followed by the file's SHA-256 (64 hex).")
            continue
        problem = (
            _image_value_problem(item.value)
            if item.kind == "image"
            else _audio_value_problem(item.value)
        )
        if problem:
            errors[item.where] = problem
    return errors


def _image_value_problem(url: str) -> str | None:
    if url.startswith(("https://", "http://")):
        return None
    if not url.startswith("data:"):
        return _(
            "must be an http(s) URL, a data URL (data:image/png;base64,…) or an uploaded "
            "image (upload:<sha256>)."
        )
    header, comma, text = url.partition(",")
    if not comma or not header.endswith(";base64"):
        return _("a data URL must be base64: data:image/png;base64,…")
    declared = header[len("data:") : -len(";base64")].lower()
    if declared not in IMAGE_MEDIA_TYPES:
        return _("data URL of type %(type)s: an image must be one of %(allowed)s.") % {
            "type": declared or "?",
            "allowed": _IMAGE_ALLOWED,
        }
    data = base64_bytes(text)
    if data is None:
        return _("the data URL's base64 does not decode.")
    return image_bytes_problem(data, _("the data URL"))


def _audio_value_problem(data_text: str) -> str | None:
    data = base64_bytes(data_text)
    if data is None:
        return _(
            "must be base64-encoded audio, or an uploaded file (upload:<sha256>) "
            "or @path in the terminal."
        )
    if len(data) > audio_max_bytes():
        return _("the audio is %(size)s; at most %(limit)s is allowed.") % {
            "size": size_text(len(data)),
            "limit": size_text(audio_max_bytes()),
        }
    return None


def image_bytes_problem(data: bytes, name: str) -> str | None:
    """Why these bytes cannot go in a message as an image; None when they can."""
    return _image_file_problem(media_type_sniff(data) or "", len(data), name)


def _audio_file_problem(item: AttachedFile, media_type: str, size: int, name: str) -> str | None:
    if size > audio_max_bytes():
        return _("%(name)s is %(size)s; audio may be at most %(limit)s.") % {
            "name": name,
            "size": size_text(size),
            "limit": size_text(audio_max_bytes()),
        }
    wanted = AUDIO_FORMATS.get(item.option)
    if media_type not in AUDIO_FORMATS.values():
        return _("%(name)s is not wav or mp3 audio (input_audio takes only these).") % {
            "name": name
        }
    if wanted is not None and media_type != wanted:
        return _("%(name)s is %(actual)s audio, but the part's format says %(format)s.") % {
            "name": name,
            "actual": "wav" if media_type == "audio/wav" else "mp3",
            "format": item.option,
        }
    return None


def attachment_problems(body: dict[str, Any]) -> dict[str, str]:
    """What is wrong with the files the body's images and audio refer to, by field: a file
    not stored (or not readable), of a type or size the part does not take. Reads the
    database (and, in the terminal, the disk): call it off the event loop."""
    from playground.uploads.models import Upload  # the ORM stays out of importers' way

    problems: dict[str, str] = {}
    for item in attached_files(body):
        if not is_file_reference(item.value):
            continue
        sha256 = upload_sha256(item.value)
        if sha256 is not None:
            row = Upload.objects.filter(sha256=sha256).values("media_type", "size", "filename")
            found = row.first()
            if found is None:
                problems[item.where] = _(
                    "%(reference)s: no uploaded file has this content (upload it again)."
                ) % {"reference": item.value[:80]}
                continue
            media_type, size, name = found["media_type"], found["size"], found["filename"]
        else:
            try:
                content = file_reference_read(item.value, kind=UPLOAD_KINDS[item.kind])
            except FileReferenceError as error:
                problems[item.where] = str(error)
                continue
            media_type, size, name = content.media_type, len(content.data), content.filename
        if item.kind == "image":
            problem = _image_file_problem(media_type, size, name)
        else:
            problem = _audio_file_problem(item, media_type, size, name)
        if problem:
            problems[item.where] = problem
    return problems


async def attachment_problems_async(body: dict[str, Any]) -> dict[str, str]:
    """``attachment_problems`` from async code (the run socket, the terminal): checked
    before a run starts, so that a wrong file is refused rather than failing upstream."""
    # Imported here: the body models import this module, and settings.py loads them (through
    # providers.base_url) before Django is set up; channels.db reads the settings.
    from channels.db import database_sync_to_async

    if not has_file_references(body):
        return {}
    return await database_sync_to_async(attachment_problems)(body)


def _image_file_problem(media_type: str, size: int, name: str) -> str | None:
    if media_type not in IMAGE_MEDIA_TYPES:
        return _("%(name)s is not an image of a type allowed here (%(allowed)s).") % {
            "name": name,
            "allowed": _IMAGE_ALLOWED,
        }
    if size > IMAGE_MAX_BYTES:
        return _("%(name)s is %(size)s; an image may be at most %(limit)s.") % {
            "name": name,
            "size": size_text(size),
            "limit": size_text(IMAGE_MAX_BYTES),
        }
    return None


# --- showing ---------------------------------------------------------------------------


def attachment_preview(kind: str, value: str) -> str:
    """How the page shows an attached value: "upload" (a thumbnail or player of the stored
    file), "data" (an image's data URL, shown as it is), "link" (an image's http(s) URL, a
    link the page never loads), "base64" (audio written into the request) or "" (a path)."""
    if upload_sha256(value):
        return "upload"
    if kind == "image" and value.startswith("data:image/"):
        return "data"
    if kind == "image" and value.startswith(("https://", "http://")):
        return "link"
    if kind == "audio" and not is_file_reference(value):
        return "base64"
    return ""


def attachments_shown(body: Any) -> list[dict[str, str]]:
    """The body's images and audio as the history shows them: where each sits, its kind,
    value, option and preview (``attachment_preview``)."""
    if not isinstance(body, dict):
        return []
    return [
        {
            "where": path_text(item.path[:4]),
            "kind": item.kind,
            "value": item.value,
            "option": item.option,
            "preview": attachment_preview(item.kind, item.value),
        }
        for item in attached_files(body)
    ]


# --- sending -----------------------------------------------------------------------------


class AttachmentUnreadable(ValueError):
    """A referenced file that cannot be sent; the message names the field and why."""


def files_inlined(body: dict[str, Any]) -> dict[str, Any]:
    """The body with each referenced file's bytes in place of its reference: an image as a
    base64 ``data:`` URL, an audio as base64. The body given is left as it is. Reads the
    database or the disk (call it off the event loop); AttachmentUnreadable says which
    field names a file that cannot be sent."""
    referenced = [item for item in attached_files(body) if is_file_reference(item.value)]
    if not referenced:
        return body
    problems = attachment_problems(body)
    if problems:
        raise AttachmentUnreadable("; ".join(f"{where}: {why}" for where, why in problems.items()))
    messages = [
        dict(message) if isinstance(message, dict) else message for message in body["messages"]
    ]
    for item in referenced:
        try:
            content = file_reference_read(item.value, kind=UPLOAD_KINDS[item.kind])
        except FileReferenceError as error:
            raise AttachmentUnreadable(f"{item.where}: {error}") from None
        encoded = base64.b64encode(content.data).decode("ascii")
        message = messages[item.message]
        parts = message["content"] = list(message["content"])
        part = parts[item.part] = dict(parts[item.part])
        holder = part[item.keys[0]] = dict(part[item.keys[0]])
        if item.kind == "image":
            holder[item.keys[1]] = f"data:{content.media_type};base64,{encoded}"
        else:
            holder[item.keys[1]] = encoded
    return {**body, "messages": messages}


def base64_bytes(text: str) -> bytes | None:
    """Strict base64 decoded; None when the text is not base64."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
