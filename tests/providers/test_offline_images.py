"""The offline model's images: real PNGs of the asked size, the same for the same prompt."""

import base64
import json
import struct
import zlib

import pytest

from playground.providers import Images, RawChunk, Usage
from playground.providers.offline import OfflineProvider
from playground.providers.offline_images import draw_png
from tests.openapi import assert_valid


def read_png(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """Width, height, colour type and the rows of a PNG (filter type 0, as drawn)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, {}
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        content = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + content), kind
        chunks[kind] = chunks.get(kind, b"") + content
        position += 12 + length
    width, height, depth, colour, *_ = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert depth == 8 and b"IEND" in chunks
    pixels = zlib.decompress(chunks[b"IDAT"])
    stride = 1 + width * (4 if colour == 6 else 3)
    rows = [pixels[i : i + stride] for i in range(0, len(pixels), stride)]
    assert len(rows) == height and all(row[0] == 0 for row in rows)
    return width, height, colour, [row[1:] for row in rows]


async def answer(body: dict) -> list:
    return [event async for event in OfflineProvider(tokens_per_second=0).stream(body, "image")]


async def test_each_image_is_a_png_of_the_asked_size_and_the_answer_is_openais_shape():
    events = await answer({"prompt": "A lighthouse at dusk", "size": "320x200", "n": 3})
    (raw,) = [e for e in events if isinstance(e, RawChunk)]
    assert_valid(json.loads(raw.data), "ImagesResponse")
    (images,) = [e for e in events if isinstance(e, Images)]
    assert images.output_format == "png" and len(images.images) == 3
    files = [base64.b64decode(image.b64_json) for image in images.images]
    assert [read_png(f)[:3] for f in files] == [(320, 200, 2)] * 3
    assert len(set(files)) == 3  # each of the n images differs
    assert all("A lighthouse at dusk" in image.revised_prompt for image in images.images)
    (usage,) = [e for e in events if isinstance(e, Usage)]
    assert usage.prompt_tokens == 4 and usage.completion_tokens > 0


async def test_the_same_prompt_draws_the_same_image_and_another_prompt_another():
    first = (await answer({"prompt": "fox", "size": "64x64"}))[1].images[0].b64_json
    again = (await answer({"prompt": "fox", "size": "64x64"}))[1].images[0].b64_json
    other = (await answer({"prompt": "owl", "size": "64x64"}))[1].images[0].b64_json
    assert first == again != other


async def test_auto_is_a_1024_square_and_a_link_is_a_data_url():
    events = await answer({"prompt": "fox", "size": "auto", "response_format": "url"})
    image = events[1].images[0]
    assert image.b64_json is None and image.url.startswith("data:image/png;base64,")
    png = base64.b64decode(image.url.partition(",")[2])
    assert read_png(png)[:2] == (1024, 1024)


def test_a_transparent_background_is_see_through_and_the_shapes_are_not():
    width, _, colour, rows = read_png(draw_png(40, 40, "fox", transparent=True))
    assert colour == 6
    alphas = {row[x * 4 + 3] for row in rows for x in range(width)}
    assert alphas == {0, 255}
    assert rows[0][3] == 0  # a corner is background


@pytest.mark.parametrize("size", [(16, 16), (4096, 16), (16, 4096)])
def test_the_extreme_sizes_are_drawn(size):
    assert read_png(draw_png(*size, "x"))[:2] == size
