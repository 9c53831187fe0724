"""Storing uploaded files, keeping the ones runs and presets use, purging the rest."""

import datetime
import hashlib
import unicodedata
from collections.abc import Iterable
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from playground.uploads.kinds import UPLOAD_KINDS
from playground.uploads.models import Upload
from playground.uploads.references import upload_references, upload_sha256


class UploadRefused(ValueError):
    """A file that is not stored; the message names what is wrong and what is allowed."""


def upload_create(*, data: bytes, filename: str, purpose: str, user: Any = None) -> Upload:
    """Store a file for ``purpose`` ("audio", "image", "jsonl") once by its content: the
    same bytes uploaded again return the row already there. A file of the wrong type or
    size is refused and nothing is stored."""
    kind = UPLOAD_KINDS.get(purpose)
    if kind is None:
        raise UploadRefused(
            _("purpose: must be one of %(allowed)s.") % {"allowed": ", ".join(UPLOAD_KINDS)}
        )
    name = filename_clean(filename)
    if not data:
        raise UploadRefused(_("%(name)s is empty.") % {"name": name})
    if len(data) > kind.max_bytes:
        raise UploadRefused(kind.too_big(name, len(data)))
    media_type = kind.media_type_of(data)
    if media_type is None:
        raise UploadRefused(kind.wrong_type(name))
    uploads_purge()
    return _stored(
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        name=name,
        media_type=media_type,
        user=user,
    )


def upload_store_output(
    *, data: bytes, sha256: str, filename: str, media_type: str, user: Any = None
) -> Upload:
    """Store a file a provider made (a speech answer) once by its content, so the page can
    serve it like an upload. Its type is the caller's to check (``speech_files`` reads it
    from the first bytes; raw pcm has none to read); ``sha256`` was computed as it arrived."""
    uploads_purge()
    return _stored(
        data=data, sha256=sha256, name=filename_clean(filename), media_type=media_type, user=user
    )


def _stored(*, data: bytes, sha256: str, name: str, media_type: str, user: Any) -> Upload:
    existing = Upload.objects.filter(sha256=sha256).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Upload.objects.create(
                sha256=sha256,
                data=data,
                size=len(data),
                media_type=media_type,
                filename=name,
                created_by=user if getattr(user, "is_authenticated", False) else None,
            )
    except IntegrityError:  # the same file, uploaded at the same moment by another request
        return Upload.objects.get(sha256=sha256)


def filename_clean(filename: str) -> str:
    """The name a file is shown and exported with: its last path part (browsers and tools
    may send a whole path), without control characters, at most 255 characters."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    if name in {"", ".", ".."}:
        return "file"
    return name[-255:]


def upload_keep(value: Any) -> int:
    """Keep every upload a request object, a body or a list of them refers to (a recorded
    run, a saved preset): kept uploads are never purged. How many rows were marked."""
    hashes = {upload_sha256(reference) for reference in upload_references(value)}
    hashes.discard(None)
    if not hashes:
        return 0
    return Upload.objects.filter(sha256__in=hashes, kept=False).update(kept=True)


def uploads_purge(*, now: datetime.datetime | None = None, hours: int | None = None) -> int:
    """Delete uploads nothing kept and older than PLAYGROUND_UPLOAD_UNKEPT_HOURS (a run that
    was refused, a file chosen and then replaced); how many were deleted."""
    hours = settings.PLAYGROUND_UPLOAD_UNKEPT_HOURS if hours is None else hours
    cutoff = (now or timezone.now()) - datetime.timedelta(hours=hours)
    deleted, _by_model = Upload.objects.filter(kept=False, created_at__lt=cutoff).delete()
    return deleted


def upload_references_check(value: Iterable[str] | Any) -> list[str]:
    """The ``upload:`` references in ``value`` that name no stored file."""
    references = sorted(set(upload_references(value)))
    if not references:
        return []
    known = set(
        Upload.objects.filter(
            sha256__in=[upload_sha256(reference) for reference in references]
        ).values_list("sha256", flat=True)
    )
    return [reference for reference in references if upload_sha256(reference) not in known]
