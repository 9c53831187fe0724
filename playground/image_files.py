"""Generated images as files: which answers are images, their data URLs and file names.

An image answer is untrusted model output. Only bytes that really are a PNG, JPEG or
WebP file (read from their first bytes, whatever the answer claims) become a ``data:``
URL the page shows or a file the terminal writes; a link (``url``) is shown as a link,
only when it is http(s), and never fetched by the server. The page, the terminal and
the run history read images through this module.
"""

import base64
import binascii
from dataclasses import dataclass

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
    return ShownImage(number, revised_prompt=revised, unreadable=bool(url)), None


def shown_images(images: tuple[GeneratedImage, ...], prompt: str) -> list[ShownImage]:
    """Every image of an answer as shown, numbered from 1."""
    stem = file_stem(prompt)
    return [shown_image(image, number, stem)[0] for number, image in enumerate(images, 1)]
