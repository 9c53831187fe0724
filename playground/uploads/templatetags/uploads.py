"""``{% upload_info reference as info %}``: what a form shows of a file it was rendered with."""

from typing import Any

from django import template

from playground.uploads.kinds import size_text
from playground.uploads.references import upload_sha256

register = template.Library()


@register.simple_tag
def upload_info(reference: Any) -> dict[str, Any] | None:
    """The stored file an ``upload:`` reference names (filename, media type, size text,
    hash); None for anything else or a file no longer stored."""
    from playground.uploads.models import Upload

    sha256 = upload_sha256(reference) if isinstance(reference, str) else None
    if sha256 is None:
        return None
    upload = Upload.objects.filter(sha256=sha256).only("filename", "media_type", "size").first()
    if upload is None:
        return None
    return {
        "filename": upload.filename,
        "media_type": upload.media_type,
        "size": size_text(upload.size),
        "sha256": sha256,
    }
