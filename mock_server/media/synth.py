"""The files that returned URLs point to: silent MP3s and WAVs of the right length, a tiny
MP4, one-colour PNGs and a cover JPEG.

The MP3 is MPEG-2 Layer III, 16 kHz mono, 8 kbit/s (1 KB per second of audio): a LAME-style
`Info` frame that states the frame count, then silent frames (zero side info, no main data),
which every standard decoder and tag reader accepts. Its length is within 18 ms of the track's.
"""

from __future__ import annotations

import functools
import struct
import zlib
from importlib import resources

__all__ = [
    "FRAME_SECONDS",
    "cover_jpeg",
    "forget_made",
    "silent_mp3",
    "silent_wav",
    "solid_png",
    "tiny_mp4",
]

_HEADER = bytes((0xFF, 0xF3, 0x18, 0xC0))  # MPEG-2, Layer III, no CRC, 8 kbit/s, 16 kHz, mono
_FRAME_BYTES = 36  # 72 * 8000 / 16000
_SIDE_INFO_BYTES = 9  # MPEG-2 mono
FRAME_SECONDS = 576 / 16000
_SILENT_FRAME = _HEADER + bytes(_FRAME_BYTES - len(_HEADER))


CACHED_FRAMES = 16_700
"""Longest MP3 remembered (about 10 minutes, 0.6 MB): the cache holds at most 32 of them;
longer ones (up to MAX_TRACK_SECONDS) are made on each request."""


def _mp3_frames(frames: int) -> bytes:
    return _cached_frames(frames) if frames <= CACHED_FRAMES else _make_frames(frames)


def forget_made() -> None:
    """Empty the cache of made-up MP3s (a reset)."""
    _cached_frames.cache_clear()


def _make_frames(frames: int) -> bytes:
    info = bytearray(_SILENT_FRAME)
    at = len(_HEADER) + _SIDE_INFO_BYTES
    info[at : at + 12] = b"Info" + struct.pack(">II", 0x1, frames)
    return bytes(info) + _SILENT_FRAME * frames


_cached_frames = functools.lru_cache(maxsize=32)(_make_frames)


def silent_mp3(duration: float) -> bytes:
    """A valid MP3 of `duration` seconds of silence."""
    return _mp3_frames(max(1, round(duration / FRAME_SECONDS)))


def silent_wav(duration: float) -> bytes:
    """A valid WAV of `duration` seconds of silence (8 kHz, 8-bit, mono: 8 KB a second)."""
    frames = max(1, round(duration * 8000))
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF", 36 + frames, b"WAVE", b"fmt ", 16, 1, 1, 8000, 8000, 1, 8, b"data", frames,
    )  # fmt: skip
    return header + b"\x80" * frames


def tiny_mp4(duration: float) -> bytes:
    """A valid ISO base-media (MP4) file: `ftyp` and a `moov` whose `mvhd` states the length.

    It has no media tracks: enough for a client that downloads, stores and probes it."""
    ftyp = struct.pack(">I4s4sI4s4s", 24, b"ftyp", b"isom", 0x200, b"isom", b"mp41")
    matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    mvhd_body = (
        struct.pack(">I4I", 0, 0, 0, 1000, round(duration * 1000))
        + struct.pack(">IH10x", 0x10000, 0x100)
        + matrix
        + bytes(24)
        + struct.pack(">I", 1)
    )
    mvhd = struct.pack(">I4s", 8 + len(mvhd_body), b"mvhd") + mvhd_body
    moov = struct.pack(">I4s", 8 + len(mvhd), b"moov") + mvhd
    return ftyp + moov


@functools.cache
def solid_png(red: int = 90, green: int = 60, blue: int = 160, size: int = 64) -> bytes:
    """A valid PNG of one colour (cover images)."""
    row = b"\x00" + bytes((red, green, blue)) * size
    raw = zlib.compress(row * size, 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


@functools.cache
def cover_jpeg() -> bytes:
    """The cover image every track shares (256x256 baseline JPEG)."""
    return resources.files("mock_server.media").joinpath("cover.jpg").read_bytes()
