"""Reading the duration of an uploaded MP3 or WAV file, from its bytes alone.

MP3: skip an ID3v2 tag, parse the first frame header, then use a Xing/Info frame count when
there is one (VBR-safe), else the constant bitrate and the file size. WAV: the RIFF `fmt `
chunk's byte rate and the `data` chunk's size.
"""

from __future__ import annotations

import struct

__all__ = ["audio_duration"]

_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
"""By MPEG version bits: 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5."""
_BITRATES = {
    (3, 1): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),  # MPEG-1 L3
    (3, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),  # MPEG-1 L2
    (2, 1): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),  # MPEG-2/2.5 L2/L3
}
_SCAN_LIMIT = 64 * 1024


def audio_duration(data: bytes) -> float | None:
    """Seconds of audio in an MP3 or WAV file; None when it is neither (or is damaged)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return _wav_duration(data)
    return _mp3_duration(data)


def _wav_duration(data: bytes) -> float | None:
    at, byte_rate = 12, 0
    size: int | None = None
    while at + 8 <= len(data):
        chunk, length = data[at : at + 4], int(struct.unpack_from("<I", data, at + 4)[0])
        if chunk == b"fmt " and length >= 12:
            byte_rate = int(struct.unpack_from("<I", data, at + 16)[0])
        elif chunk == b"data":
            size = min(length, len(data) - at - 8)
            break
        at += 8 + length + (length & 1)
    if not byte_rate or size is None:
        return None
    return size / byte_rate


def _id3v2_size(data: bytes) -> int:
    if data[:3] != b"ID3" or len(data) < 10:
        return 0
    size = 0
    for byte in data[6:10]:
        size = (size << 7) | (byte & 0x7F)
    footer = 10 if data[5] & 0x10 else 0
    return 10 + size + footer


def _mp3_duration(data: bytes) -> float | None:
    start = _id3v2_size(data)
    end = min(len(data) - 3, start + _SCAN_LIMIT)
    for at in range(start, max(start, end)):
        if data[at] == 0xFF and data[at + 1] & 0xE0 == 0xE0:
            duration = _from_frame(data, at)
            if duration is not None:
                return duration
    return None


def _from_frame(data: bytes, at: int) -> float | None:
    version = (data[at + 1] >> 3) & 0x3
    layer = (data[at + 1] >> 1) & 0x3  # 1 = Layer III, 2 = Layer II
    bitrate_index = data[at + 2] >> 4
    rate_index = (data[at + 2] >> 2) & 0x3
    mono = (data[at + 3] >> 6) == 3
    if version == 1 or layer not in (1, 2) or rate_index == 3 or bitrate_index in (0, 15):
        return None
    sample_rate = _SAMPLE_RATES[version][rate_index]
    table = _BITRATES[(3, layer)] if version == 3 else _BITRATES[(2, 1)]
    bitrate = table[bitrate_index] * 1000
    samples = 1152 if version == 3 or layer == 2 else 576
    padding = (data[at + 2] >> 1) & 0x1
    length = (144 if version == 3 or layer == 2 else 72) * bitrate // sample_rate + padding
    following = at + length
    if following > len(data):
        return None  # not even one whole frame
    if following + 1 < len(data) and not (
        data[following] == 0xFF and data[following + 1] & 0xE0 == 0xE0
    ):
        return None  # a lone sync pattern in other data, not a frame
    side_info = (17 if mono else 32) if version == 3 else (9 if mono else 17)
    tag = at + 4 + side_info
    if data[tag : tag + 4] in (b"Xing", b"Info"):
        flags = struct.unpack_from(">I", data, tag + 4)[0]
        if flags & 0x1:
            frames = int(struct.unpack_from(">I", data, tag + 8)[0])
            return frames * samples / sample_rate
    audio_bytes = len(data) - at - (128 if data[-128:-125] == b"TAG" else 0)
    return audio_bytes * 8 / bitrate
