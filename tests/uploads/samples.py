"""Small real files for tests: a WAV of silence, a PNG, an MP3 frame, a JSONL file."""

import io
import struct
import wave
import zlib


def wav_bytes(seconds: float = 0.5, rate: int = 8000) -> bytes:
    """A mono 16-bit WAV of silence lasting ``seconds``."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(rate)
        audio.writeframes(b"\x00\x00" * int(seconds * rate))
    return buffer.getvalue()


def png_bytes(width: int = 4, height: int = 4, rgba: tuple[int, ...] = (200, 40, 40, 255)) -> bytes:
    """A PNG of one colour (RGBA, so a mask can use its alpha)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgba) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def mp3_bytes() -> bytes:
    """An ID3 tag followed by one MPEG-1 Layer III frame header and padding."""
    return b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 413


def jsonl_bytes(lines: int = 10) -> bytes:
    line = '{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}'
    return ("\n".join([line] * lines) + "\n").encode()
