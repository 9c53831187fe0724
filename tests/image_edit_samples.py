"""Real image files for the image-edit tests: a picture, masks that fit it and ones that
do not, a JPEG, a WebP and a GIF header."""

import base64
import struct

from playground.image_edit_files import png_pixels
from playground.providers.offline_images import draw_png
from playground.uploads.services import upload_create

PROMPT = "Paint the sky red"


def picture(width: int = 32, height: int = 32) -> bytes:
    """An RGB PNG (no alpha): a band and a disc on a colour."""
    return draw_png(width, height, "a picture to edit")


def flat(width: int = 32, height: int = 32) -> bytes:
    """Another RGB PNG: a mask without an alpha channel."""
    return draw_png(width, height, "no alpha here")


def mask(width: int = 32, height: int = 32) -> bytes:
    """An RGBA PNG: see-through background (edited), opaque band and disc (kept)."""
    return draw_png(width, height, "a mask", transparent=True)


def jpeg(width: int = 40, height: int = 30) -> bytes:
    """The start of a baseline JPEG: SOI, a JFIF APP0 and a start-of-frame with its size."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    frame = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x01\x22\x00" * 3
    return b"\xff\xd8" + app0 + frame + b"\xff\xd9"


def webp(width: int = 24, height: int = 24) -> bytes:
    """A lossless WebP header with an alpha flag."""
    bits = (width - 1) | ((height - 1) << 14) | (1 << 28)
    chunk = b"\x2f" + struct.pack("<I", bits) + b"\x00" * 11
    return (
        b"RIFF"
        + struct.pack("<I", 4 + 8 + len(chunk))
        + b"WEBPVP8L"
        + struct.pack("<I", len(chunk))
        + chunk
    )


GIF = base64.b64decode("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==")


def uploaded(data: bytes, filename: str) -> str:
    """Upload ``data`` as the page would; its reference."""
    return upload_create(data=data, filename=filename, purpose="image").reference


def rgba_at(png: bytes, x: int, y: int) -> tuple[int, ...]:
    pixels = png_pixels(png)
    assert pixels is not None
    return tuple(pixels.rows[y][4 * x : 4 * x + 4])
