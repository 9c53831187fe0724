"""Generated images as files: which answers are images, their data URLs and file names.

An image answer is untrusted model output. Only bytes that really are a PNG, JPEG or
WebP file (read from their first bytes, whatever the answer claims) become a ``data:``
URL the page shows or a file the terminal writes; a link (``url``) is shown as a link,
only when it is http(s), and never fetched by the server. The page, the terminal and
the run history read images through this module.
"""

import base64
import binascii
from dataclasses import dataclass, replace
from typing import Any

from django.utils.text import slugify

from playground.providers import GeneratedImage

# The file types shown and written, by media type, with their file name extension.
IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}
_DATA_URL_PREFIX = "data:"


def media_type(data: bytes) -> str | None:
    """The media type of an image file from its first bytes; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def image_bytes(image: GeneratedImage) -> bytes | None:
    """The image's file: its base64, or a base64 ``data:`` URL; None when it has neither
    (a link) or they do not decode."""
    text = image.b64_json
    if text is None and image.url and image.url.startswith(_DATA_URL_PREFIX):
        header, _, text = image.url.partition(",")
        if not header.endswith(";base64"):
            return None
    if not text:
        return None
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def file_stem(prompt: str) -> str:
    """The start of a downloaded image's name: the prompt's first words, as a slug."""
    return slugify(prompt[:60])[:40].strip("-") or "image"


@dataclass(frozen=True)
class ShownImage:
    """One image as the page, the terminal and the history show it."""

    number: int  # from 1
    file_name: str = ""
    media_type: str | None = None
    size_bytes: int = 0
    # The image itself as a data: URL (only for a PNG, JPEG or WebP file).
    data_url: str = ""
    # A link the upstream answered with (http or https only), not fetched.
    link: str = ""
    # A link that is neither http(s) nor an image's data: URL, shown as text only.
    other_link: str = ""
    revised_prompt: str = ""
    # The answer had bytes, but not of a PNG, JPEG or WebP file.
    unreadable: bool = False
    # The history did not keep the file (over its limit): what is known of it is shown.
    not_kept: bool = False


def shown_image(image: GeneratedImage, number: int, stem: str) -> tuple[ShownImage, bytes | None]:
    """How image ``number`` (from 1) is shown, and its file's bytes when it has them."""
    data = image_bytes(image)
    revised = image.revised_prompt or ""
    if data is not None:
        kind = media_type(data)
        if kind is None:
            return ShownImage(number, revised_prompt=revised, unreadable=True), None
        return (
            ShownImage(
                number,
                file_name=f"{stem}-{number}.{IMAGE_TYPES[kind]}",
                media_type=kind,
                size_bytes=len(data),
                data_url=f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}",
                revised_prompt=revised,
            ),
            data,
        )
    url = image.url or ""
    if url.lower().startswith(("https://", "http://")):
        return ShownImage(number, link=url, revised_prompt=revised), None
    if url and not url.startswith(_DATA_URL_PREFIX):
        return ShownImage(number, other_link=url, revised_prompt=revised), None
    # Base64 that does not decode, or a data: URL of something else.
    return ShownImage(number, revised_prompt=revised, unreadable=bool(image.b64_json or url)), None


def shown_images(images: tuple[GeneratedImage, ...], prompt: str) -> list[ShownImage]:
    """Every image of an answer as shown, numbered from 1."""
    stem = file_stem(prompt)
    return [shown_image(image, number, stem)[0] for number, image in enumerate(images, 1)]


def stored_image(image: GeneratedImage, number: int, stem: str, *, keep: bool) -> dict[str, Any]:
    """An image as a run record keeps it: what is known of it, and its file (as base64 of
    the file itself) only when ``keep`` says so; size_bytes counts toward the limit."""
    shown, data = shown_image(image, number, stem)
    item: dict[str, Any] = {
        "file_name": shown.file_name,
        "media_type": shown.media_type,
        "size_bytes": shown.size_bytes,
        "revised_prompt": shown.revised_prompt,
        "link": image.url if image.url and not image.url.startswith(_DATA_URL_PREFIX) else "",
    }
    if data is not None and keep:
        item["b64_json"] = base64.b64encode(data).decode("ascii")
    elif data is not None:
        item["not_kept"] = True
    return item


def images_from_record(items: Any) -> list[ShownImage]:
    """A run record's kept images as shown (read again: only image files become data URLs)."""
    shown = []
    for number, item in enumerate(items if isinstance(items, list) else [], 1):
        item = item if isinstance(item, dict) else {}
        image = GeneratedImage(
            _text_or_none(item.get("b64_json")),
            _text_or_none(item.get("link")),
            _text_or_none(item.get("revised_prompt")),
        )
        one, _ = shown_image(image, number, "image")
        if item.get("not_kept"):
            one = replace(one, not_kept=True, size_bytes=int(item.get("size_bytes") or 0))
        elif one.data_url and item.get("file_name"):
            one = replace(one, file_name=str(item["file_name"]))
        shown.append(one)
    return shown


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
