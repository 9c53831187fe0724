"""The images an edit sends (``POST /images/edits``): what they are, read from their bytes.

OpenAI's ``CreateImageEditRequest``: each image a png, webp or jpg file under 50 MB
(dall-e-2: one square png under 4 MB); the mask a png under 4 MB with an alpha channel
(its fully transparent pixels are where the image is edited) and the same dimensions as
the (first) image. Type, width, height and alpha come from the files' headers, read with
the standard library; the offline model also reads a PNG's pixels (``png_pixels``) and
writes its edited image (``png_write``).
"""

import struct
import zlib
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from playground.image_models import family_of

MB = 1024 * 1024
MAX_IMAGE_BYTES = 50 * MB  # each image, GPT image models
DALL_E_2_MAX_BYTES = 4 * MB
MAX_MASK_BYTES = 4 * MB
EDIT_MEDIA_TYPES = ("image/png", "image/webp", "image/jpeg")

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# PNG colour types with an alpha channel: grey + alpha, RGBA.
_PNG_ALPHA_TYPES = (4, 6)
# JPEG start-of-frame markers (they hold the dimensions): C0-CF but DHT, JPG and DAC.
_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


@dataclass(frozen=True)
class ImageHeader:
    """What an image file's header says."""

    media_type: str
    width: int
    height: int
    # Has an alpha channel (PNG colour type 4 or 6, or a tRNS chunk; WebP's alpha flag).
    alpha: bool


def image_header(data: bytes) -> ImageHeader | None:
    """The type, dimensions and alpha of a PNG, JPEG or WebP file; None for anything else
    (or a header cut short)."""
    try:
        if data.startswith(_PNG_SIGNATURE):
            return _png_header(data)
        if data.startswith(b"\xff\xd8\xff"):
            return _jpeg_header(data)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _webp_header(data)
    except (struct.error, IndexError):
        return None
    return None


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, offset = [], len(_PNG_SIGNATURE)
    while offset + 8 <= len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        chunks.append((kind, data[offset + 8 : offset + 8 + length]))
        offset += 12 + length
        if kind == b"IEND":
            break
    return chunks


def _png_header(data: bytes) -> ImageHeader | None:
    chunks = _png_chunks(data)
    if not chunks or chunks[0][0] != b"IHDR" or len(chunks[0][1]) < 13:
        return None
    width, height, _depth, colour = struct.unpack(">IIBB", chunks[0][1][:10])
    alpha = colour in _PNG_ALPHA_TYPES or any(kind == b"tRNS" for kind, _ in chunks)
    return ImageHeader("image/png", width, height, alpha)


def _jpeg_header(data: bytes) -> ImageHeader | None:
    offset = 2
    while offset + 9 < len(data):
        if data[offset] != 0xFF:
            return None
        marker = data[offset + 1]
        if marker == 0xFF:  # fill byte
            offset += 1
            continue
        (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        if marker in _JPEG_FRAMES:
            height, width = struct.unpack(">HH", data[offset + 5 : offset + 9])
            return ImageHeader("image/jpeg", width, height, False)
        offset += 2 + length
    return None


def _webp_header(data: bytes) -> ImageHeader | None:
    kind = data[12:16]
    if kind == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return ImageHeader("image/webp", width & 0x3FFF, height & 0x3FFF, False)
    if kind == b"VP8L" and data[20] == 0x2F:
        (bits,) = struct.unpack("<I", data[21:25])
        width, height = 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
        return ImageHeader("image/webp", width, height, bool((bits >> 28) & 1))
    if kind == b"VP8X":
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
        return ImageHeader("image/webp", width, height, bool(data[20] & 0x10))
    return None


def edit_file_problems(body: dict[str, Any], files: dict[str, list[Any]]) -> dict[str, str]:
    """``{field: why}`` for the files of an image edit that OpenAI refuses: ``files`` maps
    ``image`` and ``mask`` to the ``FileContent`` they name, in order."""
    family = family_of(body.get("model"))
    dall_e_2 = family is not None and not family.gpt_image
    problems: dict[str, str] = {}
    first: ImageHeader | None = None
    several = isinstance(body.get("image"), list)
    for index, content in enumerate(files.get("image") or []):
        field = f"image[{index}]" if several else "image"
        names = {"name": content.filename, "model": body.get("model")}
        header = image_header(content.data)
        if header is None or header.media_type not in EDIT_MEDIA_TYPES:
            problems[field] = _("%(name)s is not a png, webp or jpg image") % names
        elif dall_e_2 and header.media_type != "image/png":
            problems[field] = _("%(model)s edits png images only; %(name)s is not one") % names
        elif dall_e_2 and header.width != header.height:
            problems[field] = _(
                "%(model)s edits square images only; %(name)s is %(width)sx%(height)s"
            ) % {**names, "width": header.width, "height": header.height}
        elif len(content.data) > (DALL_E_2_MAX_BYTES if dall_e_2 else MAX_IMAGE_BYTES):
            limit = DALL_E_2_MAX_BYTES if dall_e_2 else MAX_IMAGE_BYTES
            problems[field] = _("%(name)s is over %(limit)s MB, the most an edit takes") % {
                **names,
                "limit": limit // MB,
            }
        if index == 0:
            first = header
    for content in files.get("mask") or []:
        problem = _mask_problem(content, first)
        if problem:
            problems["mask"] = problem
    return problems


def _mask_problem(content: Any, image: ImageHeader | None) -> str | None:
    header = image_header(content.data)
    names = {"name": content.filename}
    if header is None or header.media_type != "image/png":
        return _("%(name)s is not a PNG; the mask must be a PNG with transparency") % names
    if len(content.data) > MAX_MASK_BYTES:
        return _("%(name)s is over %(limit)s MB, the most a mask may be") % {
            **names,
            "limit": MAX_MASK_BYTES // MB,
        }
    if not header.alpha:
        return (
            _(
                "%(name)s has no alpha channel: the mask's fully transparent pixels are where "
                "the image is edited (save it as an RGBA PNG)"
            )
            % names
        )
    if image is not None and (header.width, header.height) != (image.width, image.height):
        return _(
            "%(name)s is %(width)sx%(height)s; the mask must have the image's dimensions, "
            "%(image_width)sx%(image_height)s"
        ) % {
            **names,
            "width": header.width,
            "height": header.height,
            "image_width": image.width,
            "image_height": image.height,
        }
    return None


# --- a PNG's pixels, for the offline model ------------------------------------------------

# The most pixels the offline model reads (decoding is pure Python): a bigger image is
# answered with a drawn one of its size.
MAX_DECODED_PIXELS = 1024 * 1024
_CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}


@dataclass(frozen=True)
class Pixels:
    """An image as 8-bit RGBA rows."""

    width: int
    height: int
    rows: list[bytearray]


def png_pixels(data: bytes) -> Pixels | None:
    """The RGBA pixels of an 8-bit, non-interlaced greyscale or RGB(A) PNG; None for
    anything else (palette, 16-bit, interlaced, too big, damaged)."""
    chunks = _png_chunks(data) if data.startswith(_PNG_SIGNATURE) else []
    if not chunks or chunks[0][0] != b"IHDR":
        return None
    try:
        width, height, depth, colour, _c, _f, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
        channels = _CHANNELS.get(colour)
        if depth != 8 or interlace or channels is None or width * height > MAX_DECODED_PIXELS:
            return None
        stride = width * channels
        # No more than the rows hold: a small file may inflate to gigabytes.
        raw = zlib.decompressobj().decompress(
            b"".join(body for kind, body in chunks if kind == b"IDAT"), height * (stride + 1)
        )
    except (struct.error, zlib.error):
        return None
    if len(raw) < height * (stride + 1):
        return None
    rows: list[bytearray] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        row = _unfilter(
            raw[start], bytearray(raw[start + 1 : start + 1 + stride]), previous, channels
        )
        if row is None:
            return None
        rows.append(_rgba(row, channels))
        previous = row
    return Pixels(width, height, rows)


def _unfilter(kind: int, row: bytearray, above: bytearray, bpp: int) -> bytearray | None:
    if kind == 0:
        return row
    if kind == 2:
        return bytearray((a + b) & 0xFF for a, b in zip(row, above, strict=True))
    if kind not in (1, 3, 4):
        return None
    for i in range(len(row)):
        left = row[i - bpp] if i >= bpp else 0
        if kind == 1:
            row[i] = (row[i] + left) & 0xFF
        elif kind == 3:
            row[i] = (row[i] + (left + above[i]) // 2) & 0xFF
        else:
            corner = above[i - bpp] if i >= bpp else 0
            row[i] = (row[i] + _paeth(left, above[i], corner)) & 0xFF
    return row


def _paeth(left: int, above: int, corner: int) -> int:
    guess = left + above - corner
    to_left, to_above, to_corner = abs(guess - left), abs(guess - above), abs(guess - corner)
    if to_left <= to_above and to_left <= to_corner:
        return left
    return above if to_above <= to_corner else corner


def _rgba(row: bytearray, channels: int) -> bytearray:
    if channels == 4:
        return row
    if channels == 3:
        out = bytearray(len(row) // 3 * 4)
        out[0::4], out[1::4], out[2::4] = row[0::3], row[1::3], row[2::3]
        out[3::4] = b"\xff" * (len(row) // 3)
        return out
    grey, alpha = (row, b"\xff" * len(row)) if channels == 1 else (row[0::2], row[1::2])
    out = bytearray(len(grey) * 4)
    out[0::4] = out[1::4] = out[2::4] = grey
    out[3::4] = alpha
    return out


def png_write(pixels: Pixels) -> bytes:
    """An RGBA PNG of the pixels."""
    raw = b"".join(b"\x00" + bytes(row) for row in pixels.rows)
    header = struct.pack(">IIBBBBB", pixels.width, pixels.height, 8, 6, 0, 0, 0)
    return (
        _PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 6))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
