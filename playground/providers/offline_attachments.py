"""What the offline model perceives in a message's images and audio: an image's size and
type read from its header, an audio's length, said in a sentence each.

It reads the body as sent (``providers.sending`` put the files' bytes in), as an upstream
would: a data URL, base64, or a link it does not fetch.
"""

import io
import struct
import wave
from typing import Any

from playground.message_files import IMAGE_MEDIA_TYPES, attached_files, base64_bytes
from playground.uploads.kinds import media_type_sniff


def attachment_sentences(message: Any, *, chinese: bool = False) -> list[str]:
    """What the offline model says it sees and hears in a (sent) message's images and
    audio, one sentence each: "I see an image of 64 by 48 pixels (PNG).", "I hear 1.5 s of
    audio (WAV)." (model output, in the prompt's language rather than the page's)."""
    sentences: list[str] = []
    for item in attached_files({"messages": [message]}):
        if item.kind == "image":
            sentences.append(_image_sentence(item.value, chinese))
        else:
            sentences.append(_audio_sentence(item.value, item.option, chinese))
    return sentences


def _image_sentence(url: str, chinese: bool) -> str:
    if url.startswith(("https://", "http://")):
        host = url.split("/")[2] if url.count("/") >= 2 else url
        if chinese:
            return f"我看到一个指向 {host} 上图片的链接（离线模型不会去取）。"
        return f"I see a link to an image on {host} (the offline model does not fetch it)."
    data = base64_bytes(url.partition(",")[2]) or b""
    label = IMAGE_MEDIA_TYPES.get(media_type_sniff(data) or "", "?")
    size = image_dimensions(data)
    if size is None:
        return f"我看到一张图片（{label}）。" if chinese else f"I see an image ({label})."
    if chinese:
        return f"我看到一张 {size[0]}×{size[1]} 像素的图片（{label}）。"
    return f"I see an image of {size[0]}×{size[1]} pixels ({label})."


def _audio_sentence(data_text: str, fmt: str, chinese: bool) -> str:
    data = base64_bytes(data_text) or b""
    seconds = audio_seconds(data, fmt)
    label = fmt.upper() or "?"
    if seconds is None:
        return f"我听到一段音频（{label}）。" if chinese else f"I hear some audio ({label})."
    shown = f"{seconds:.1f}" if seconds >= 0.1 else f"{seconds:.2f}"
    if chinese:
        return f"我听到 {shown} 秒的音频（{label}）。"
    return f"I hear {shown} s of audio ({label})."


def image_dimensions(data: bytes) -> tuple[int, int] | None:
    """An image file's width and height in pixels, read from its header (PNG, GIF, JPEG,
    WebP); None when it cannot be read."""
    try:
        if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
            width, height = struct.unpack(">II", data[16:24])
            return int(width), int(height)
        if data[:6] in (b"GIF87a", b"GIF89a"):
            width, height = struct.unpack("<HH", data[6:10])
            return int(width), int(height)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _webp_dimensions(data)
        if data.startswith(b"\xff\xd8"):
            return _jpeg_dimensions(data)
    except struct.error:
        return None
    return None


def _webp_dimensions(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    return None


def _jpeg_dimensions(data: bytes) -> tuple[int, int] | None:
    position = 2
    while position + 9 < len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        # Start-of-frame markers (baseline, progressive…), not DHT (C4), JPG (C8), DAC (CC).
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return int(width), int(height)
        position += 2 + length
    return None


def audio_seconds(data: bytes, fmt: str) -> float | None:
    """How long a WAV or MP3 file plays, in seconds (an MP3's from its first frame's bit
    rate); None when it cannot be read."""
    if fmt == "wav" or data[:4] == b"RIFF":
        try:
            with wave.open(io.BytesIO(data), "rb") as audio:
                return float(audio.getnframes()) / float(audio.getframerate())
        except (wave.Error, EOFError, ZeroDivisionError):
            return None
    return _mp3_seconds(data)


# MPEG-1 Layer III bit rates (kbit/s) by the header's index.
_MP3_BITRATES = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0)


def _mp3_seconds(data: bytes) -> float | None:
    start = 0
    if data[:3] == b"ID3" and len(data) >= 10:
        size = data[6:10]
        start = 10 + ((size[0] << 21) | (size[1] << 14) | (size[2] << 7) | size[3])
    header = data[start : start + 4]
    if len(header) < 4 or header[0] != 0xFF or (header[1] & 0xE0) != 0xE0:
        return None
    bitrate = _MP3_BITRATES[header[2] >> 4] * 1000
    if not bitrate:
        return None
    return (len(data) - start) * 8 / bitrate
