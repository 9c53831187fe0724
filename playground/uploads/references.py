"""File references in a request object, and reading the file one names.

A body holds a file as a string where its bytes go upstream:

- ``upload:<sha256>``: a file uploaded through the page (``Upload``), stored once;
- ``@path``: a file on disk, for the terminal only (``run_request FILE``): a relative path
  is read from the request file's folder. The page and the websocket refuse it: a server
  must not read its own disk on a user's behalf.

Everything that sends, exports, stores or shows a file reads it through this module.
"""

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from playground.uploads.kinds import EXTENSIONS, UPLOAD_KINDS, UploadKind

UPLOAD_PREFIX = "upload:"
PATH_PREFIX = "@"
_UPLOAD_RE = re.compile(r"upload:([0-9a-f]{64})")
# Where ``@`` paths are read from: set by the terminal around one request (and inherited by
# the tasks it starts); unset, as in every page and socket, ``@`` paths are refused.
_PATHS_FROM: ContextVar[Path | None] = ContextVar("playground_file_paths_from", default=None)


@contextmanager
def file_paths_read_from(base_dir: Path) -> Iterator[None]:
    """Within this block ``@`` references are read from ``base_dir`` (the folder of the
    request file the terminal runs)."""
    token = _PATHS_FROM.set(base_dir)
    try:
        yield
    finally:
        _PATHS_FROM.reset(token)


class FileReferenceError(ValueError):
    """A reference that names no readable file; the message says what is wrong."""


@dataclass(frozen=True)
class FileContent:
    """A referenced file's bytes and what is known of them."""

    data: bytes
    filename: str
    media_type: str
    sha256: str


def is_file_reference(value: Any) -> bool:
    """Whether a body value is a file reference (``upload:…`` or ``@…``)."""
    return isinstance(value, str) and (
        value.startswith(UPLOAD_PREFIX) or (value.startswith(PATH_PREFIX) and len(value) > 1)
    )


def upload_sha256(value: str) -> str | None:
    """The hash an ``upload:`` reference names; None when it is not a well-formed one."""
    match = _UPLOAD_RE.fullmatch(value)
    return match.group(1) if match else None


def upload_references(value: Any) -> Iterator[str]:
    """Every ``upload:`` reference anywhere in a JSON value (a body, a request object)."""
    if isinstance(value, str):
        if upload_sha256(value):
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from upload_references(item)
    elif isinstance(value, list):
        for item in value:
            yield from upload_references(item)


def file_reference_read(
    value: str, *, base_dir: Path | None = None, kind: UploadKind | None = None
) -> FileContent:
    """The file a reference names. ``@`` paths are read from ``base_dir``, by default the
    folder ``file_paths_read_from`` set; with neither (the page, the websocket) they are
    refused. With ``kind``, a file of another type or over its size is refused too (an
    ``upload:`` was checked when it was uploaded, a path is checked here)."""
    base_dir = base_dir if base_dir is not None else _PATHS_FROM.get()
    if value.startswith(UPLOAD_PREFIX):
        return _upload_read(value)
    if value.startswith(PATH_PREFIX) and len(value) > 1:
        if base_dir is None:
            raise FileReferenceError(
                _(
                    "%(reference)s: a file path is read only by the terminal (run_request); "
                    "in the page, upload the file."
                )
                % {"reference": value}
            )
        return _path_read(value[1:], base_dir=base_dir, kind=kind)
    raise FileReferenceError(
        _("expected a file: upload:<sha256> from the page, or @path in the terminal.")
    )


def _upload_read(value: str) -> FileContent:
    from playground.uploads.models import Upload  # the ORM stays out of importers' way

    sha256 = upload_sha256(value)
    upload = Upload.objects.filter(sha256=sha256).first() if sha256 else None
    if upload is None:
        raise FileReferenceError(
            _("%(reference)s: no uploaded file has this content (upload it again).")
            % {"reference": value[:80]}
        )
    return FileContent(
        data=bytes(upload.data),
        filename=upload.filename,
        media_type=upload.media_type,
        sha256=upload.sha256,
    )


def _path_read(path_text: str, *, base_dir: Path, kind: UploadKind | None) -> FileContent:
    path = (base_dir / Path(path_text).expanduser()).resolve()
    try:
        size = path.stat().st_size
        if kind is not None and size > kind.max_bytes:
            raise FileReferenceError(kind.too_big(path.name, size))
        data = path.read_bytes()
    except FileReferenceError:
        raise
    except OSError as error:
        raise FileReferenceError(
            _("@%(path)s: cannot read the file (%(reason)s).")
            % {"path": path_text, "reason": error.strerror or error.__class__.__name__}
        ) from None
    media_type = _media_type(data, kind)
    if media_type is None:
        assert kind is not None
        raise FileReferenceError(kind.wrong_type(path.name))
    return FileContent(
        data=data,
        filename=path.name,
        media_type=media_type,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _media_type(data: bytes, kind: UploadKind | None) -> str | None:
    if kind is not None:
        return kind.media_type_of(data)
    for candidate in UPLOAD_KINDS.values():
        found = candidate.media_type_of(data)
        if found:
            return found
    return "application/octet-stream"


def download_name(content: FileContent) -> str:
    """The file's name with the extension of its real type (a renamed file is fixed)."""
    extension = EXTENSIONS.get(content.media_type)
    stem = Path(content.filename).stem or "file"
    return f"{stem}.{extension}" if extension else content.filename
