"""The offline model's images: a PNG of the requested size, drawn from the prompt; or,
for an edit, the given image tinted where the mask is transparent.

Deterministic and fast, with no imaging library: a background colour derived from the
prompt (and the image's number, so that ``n`` images differ), a band and a disc in
colours derived from it too, written as a PNG with zlib and struct. A transparent
``background`` leaves the background see-through. The offline model always draws PNG
(``output_format`` jpeg or webp is answered as png, and the answer says so).

The answer has OpenAI's ``ImagesResponse`` shape: ``b64_json`` by default; for
``response_format: url`` a ``data:`` URL, so that nothing needs serving or fetching.
The test suite's fake upstream answers with the same images (``images_response``).
"""

import asyncio
import base64
import hashlib
import json
import math
import struct
import time
import zlib
from collections.abc import AsyncIterator, Callable
from typing import Any

from playground.image_edit_files import Pixels, image_header, png_pixels, png_write
from playground.image_models import parse_size
from playground.modes import get_mode
from playground.providers.base import Event, GeneratedImage, Images, RawChunk, Usage
from playground.providers.openai_format import Sender
from playground.providers.sent_files import files_for_sending

OFFLINE = Sender("offline")

# What "auto" (or no size) draws: the GPT image models' square.
AUTO_SIZE = (1024, 1024)
# The sizes ImagesResponse's "size" may name; another size is drawn but not named there.
_NAMED_SIZES = frozenset({"1024x1024", "1024x1536", "1536x1024"})
_NAMED_QUALITIES = frozenset({"low", "medium", "high"})

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def image_size(body: dict[str, Any]) -> tuple[int, int]:
    """The width and height the body asks for (``auto`` or none: 1024x1024)."""
    size = body.get("size")
    return (parse_size(size) if isinstance(size, str) else None) or AUTO_SIZE


def draw_png(width: int, height: int, seed: str, *, transparent: bool = False) -> bytes:
    """A PNG: a background, a band and a disc, their colours and places derived from ``seed``."""
    digest = hashlib.sha256(seed.encode("utf-8", "surrogatepass")).digest()
    depth = 4 if transparent else 3

    def colour(offset: int, alpha: int = 255) -> bytes:
        return bytes(digest[offset : offset + 3]) + (bytes([alpha]) if transparent else b"")

    background = colour(0, alpha=0)
    band = colour(3)
    disc = bytes(255 - c for c in digest[0:3]) + (b"\xff" if transparent else b"")
    plain_row = background * width
    band_row = band * width
    band_top = height * (2 + digest[6] % 4) // 10
    band_bottom = band_top + max(1, height // 8)
    radius = max(1, min(width, height) * (20 + digest[7] % 15) // 100)
    centre_x = width * (30 + digest[8] % 40) // 100
    centre_y = height * (30 + digest[9] % 40) // 100
    packer = zlib.compressobj(6)
    parts = [
        _PNG_SIGNATURE,
        _chunk(
            b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6 if transparent else 2, 0, 0, 0)
        ),
    ]
    compressed = []
    for y in range(height):
        row = band_row if band_top <= y < band_bottom else plain_row
        distance = y - centre_y
        if abs(distance) < radius:
            half = math.isqrt(radius * radius - distance * distance)
            left, right = max(0, centre_x - half), min(width, centre_x + half)
            if right > left:
                row = row[: left * depth] + disc * (right - left) + row[right * depth :]
        compressed.append(packer.compress(b"\x00" + row))  # filter type 0: the row as is
    compressed.append(packer.flush())
    parts += [_chunk(b"IDAT", b"".join(compressed)), _chunk(b"IEND", b"")]
    return b"".join(parts)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def edited_png(source: bytes, mask: bytes | None, size: tuple[int, int] | None, seed: str) -> bytes:
    """The offline model's edit of ``source``: a PNG of ``size`` (the source's when None),
    the source tinted with a colour derived from ``seed`` where the mask is fully
    transparent (everywhere without a mask). A source it cannot read (JPEG, WebP, a
    palette or 16-bit PNG, a very big one) is answered with a drawn image of its size."""
    pixels = png_pixels(source)
    if pixels is None:
        header = image_header(source)
        width, height = size or ((header.width, header.height) if header else AUTO_SIZE)
        return draw_png(width, height, seed)
    if size is not None and size != (pixels.width, pixels.height):
        pixels = _scaled(pixels, *size)
    mask_pixels = png_pixels(mask) if mask else None
    if mask_pixels is not None and (mask_pixels.width, mask_pixels.height) != (
        pixels.width,
        pixels.height,
    ):
        mask_pixels = _scaled(mask_pixels, pixels.width, pixels.height)
    digest = hashlib.sha256(seed.encode("utf-8", "surrogatepass")).digest()
    # Halfway between each pixel's channel and the colour's (alpha made opaque).
    tables = [bytes((value + digest[c]) // 2 for value in range(256)) for c in range(3)]
    rows = []
    for y, row in enumerate(pixels.rows):
        tinted = bytearray(row)
        for channel, table in enumerate(tables):
            tinted[channel::4] = row[channel::4].translate(table)
        tinted[3::4] = b"\xff" * pixels.width
        if mask_pixels is not None:
            alpha = mask_pixels.rows[y][3::4]
            for x in range(pixels.width):
                if alpha[x]:  # kept as it was
                    tinted[4 * x : 4 * x + 4] = row[4 * x : 4 * x + 4]
        rows.append(tinted)
    return png_write(Pixels(pixels.width, pixels.height, rows))


def _scaled(pixels: Pixels, width: int, height: int) -> Pixels:
    """The pixels resized to ``width`` x ``height`` (nearest neighbour)."""
    columns = [x * pixels.width // width for x in range(width)]
    rows = []
    for y in range(height):
        source = pixels.rows[y * pixels.height // height]
        rows.append(bytearray(b"".join(source[4 * x : 4 * x + 4] for x in columns)))
    return Pixels(width, height, rows)


def images_response(
    body: dict[str, Any],
    sender: Sender,
    *,
    url_for: Callable[[int, bytes], str] | None = None,
    source: bytes | None = None,
    mask: bytes | None = None,
) -> dict[str, Any]:
    """The ``ImagesResponse`` for an image body: ``n`` PNGs of its size; with a ``source``
    image (an edit), that image edited inside the ``mask``'s transparent area. For a body
    asking for ``response_format: url``, ``url_for(index, png)`` makes each link (a data:
    URL if not given)."""
    size = body.get("size")
    asked = parse_size(size) if isinstance(size, str) else None
    width, height = image_size(body)
    prompt = str(body.get("prompt") or "")
    count = int(body.get("n") or 1)
    transparent = body.get("background") == "transparent" and source is None
    data = []
    for index in range(count):
        if source is not None:
            png = edited_png(source, mask, asked, f"{index}:{prompt}")
        else:
            png = draw_png(width, height, f"{index}:{prompt}", transparent=transparent)
        item: dict[str, Any]
        if body.get("response_format") == "url":
            link = url_for(index, png) if url_for else _data_url(png)
            item = {"url": link}
        else:
            item = {"b64_json": base64.b64encode(png).decode("ascii")}
        item["revised_prompt"] = (
            f"{prompt} (edited by the {sender.name} model: the image tinted with a colour "
            "derived from the prompt where the mask is transparent)"
            if source is not None
            else f"{prompt} (drawn by the {sender.name} model: a band and a disc on a colour "
            "derived from the prompt)"
        )
        data.append(item)
    text_tokens = max(1, len(prompt.split()))
    image_tokens = count * max(1, width * height // 4096)
    answer: dict[str, Any] = {
        "created": int(time.time()),
        "data": data,
        "background": "transparent" if transparent else "opaque",
        "output_format": "png",
        "usage": {
            "input_tokens": text_tokens,
            "output_tokens": image_tokens,
            "total_tokens": text_tokens + image_tokens,
            "input_tokens_details": {"text_tokens": text_tokens, "image_tokens": 0},
        },
    }
    size = f"{width}x{height}"
    if size in _NAMED_SIZES:
        answer["size"] = size
    if body.get("quality") in _NAMED_QUALITIES:
        answer["quality"] = body["quality"]
    return answer


def _data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def image_events(
    body: dict[str, Any], sender: Sender, *, source: bytes | None = None, mask: bytes | None = None
) -> list[Event]:
    """The offline model's answer to an image body (an edit of ``source``, when given), as
    a provider's events."""
    answer = images_response(body, sender, source=source, mask=mask)
    images = tuple(
        GeneratedImage(item.get("b64_json"), item.get("url"), item.get("revised_prompt"))
        for item in answer["data"]
    )
    usage = answer["usage"]
    return [
        RawChunk(json.dumps(answer)),
        Images(images, sender.model(body, "image"), answer["output_format"]),
        Usage(usage["input_tokens"], usage["output_tokens"], usage["total_tokens"]),
    ]


async def image_stream(body: dict[str, Any], mode: str = "image") -> AsyncIterator[Event]:
    """The offline provider's answer to an image body, or to an edit when the body names
    an image (big images take a moment to compress: off the event loop, as embeddings
    are)."""
    source = mask = None
    if get_mode(mode).endpoint_for(body).multipart:
        sent = await files_for_sending(mode, body)
        source = sent.files["image"][0].data
        mask = sent.files["mask"][0].data if sent.files.get("mask") else None
    events = await asyncio.to_thread(image_events, body, OFFLINE, source=source, mask=mask)
    for event in events:
        yield event
