"""Attached files in a snippet: the body's file references become code that reads the file.

A request holds an image or audio of a message as ``upload:<sha256>`` (or ``@path`` in the
terminal; see ``playground.message_files``). A snippet cannot read the playground's
database, so it reads the file beside it, by name, and builds what the playground sends:
an image as a base64 ``data:`` URL, an audio as base64. Each language writes that read
its own way (``python``, ``node``, ``curl``); this module names the files and marks where
each read goes in the body.
"""

import mimetypes
import secrets
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from playground.message_files import attached_files
from playground.uploads.kinds import EXTENSIONS
from playground.uploads.references import (
    FileContent,
    download_name,
    is_file_reference,
    upload_sha256,
)


@dataclass(frozen=True)
class FileRead:
    """One attached file as a snippet reads it."""

    # The file's name beside the snippet (its uploaded name, or the terminal's @path).
    path: str
    media_type: str
    # "image": sent as a data URL; "audio": sent as base64.
    kind: str
    # The string standing in the body where the read goes (unique to this export).
    placeholder: str


def files_marked(body: dict[str, Any]) -> tuple[dict[str, Any], list[FileRead]]:
    """The body with each file reference replaced by a placeholder, and the reads that go
    there (none: the body as it is). The same file is read under one name; two files of the
    same name get distinct ones ("image.png", "image-2.png")."""
    attached = [item for item in attached_files(body) if is_file_reference(item.value)]
    if not attached:
        return body, []
    token = secrets.token_hex(8)
    names: dict[str, str] = {}  # reference → file name
    reads: list[FileRead] = []
    messages = [dict(message) for message in body["messages"]]
    for number, item in enumerate(attached):
        path, media_type = _file_of(item.value, item.kind)
        if item.value not in names:
            names[item.value] = _unique(path, set(names.values()))
        read = FileRead(names[item.value], media_type, item.kind, f"\x00file-{token}-{number}\x00")
        reads.append(read)
        message = messages[item.message]
        parts = message["content"] = list(message["content"])
        part = parts[item.part] = dict(parts[item.part])
        holder = part[item.keys[0]] = dict(part[item.keys[0]])
        holder[item.keys[1]] = read.placeholder
    return {**body, "messages": messages}, reads


def data_url_prefix(read: FileRead) -> str:
    """What goes before the base64 of the file: ``data:image/png;base64,`` for an image."""
    return f"data:{read.media_type};base64," if read.kind == "image" else ""


def with_reads(text: str, reads: list[FileRead], quoted: Any, code: Any) -> str:
    """``text`` (code holding the marked body) with each placeholder, as ``quoted`` writes
    it in that language, replaced by ``code(read)``: the expression that reads the file."""
    for read in reads:
        text = text.replace(quoted(read.placeholder), code(read))
    return text


def _file_of(reference: str, kind: str) -> tuple[str, str]:
    """The name a snippet reads the file by, and its media type."""
    sha256 = upload_sha256(reference)
    if sha256 is not None:
        from playground.uploads.models import Upload  # the ORM stays out of importers' way

        upload = Upload.objects.filter(sha256=sha256).only("filename", "media_type").first()
        if upload is not None:
            content = FileContent(b"", upload.filename, upload.media_type, sha256)
            return download_name(content), upload.media_type
        fallback = "image/png" if kind == "image" else "audio/wav"
        return f"{sha256[:12]}.{EXTENSIONS[fallback]}", fallback
    path = reference[1:]  # @path: the terminal's file, by the same path
    guessed = mimetypes.guess_type(path)[0] or ""
    guessed = {"audio/x-wav": "audio/wav", "audio/mp3": "audio/mpeg"}.get(guessed, guessed)
    return path, guessed or ("image/png" if kind == "image" else "audio/wav")


def _unique(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    stem, suffix = PurePath(name).stem, PurePath(name).suffix
    number = 2
    while f"{stem}-{number}{suffix}" in taken:
        number += 1
    return f"{stem}-{number}{suffix}"
