"""Vocal separation: which stems each `type` produces, and how they appear in the callback,
in record-info (`originData[]` and the camelCase `*Url` keys) and as files (docs/api.md,
"Vocal removal")."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any, Literal, get_args

__all__ = [
    "STEM_NAMES",
    "Separation",
    "Stem",
    "StemName",
    "callback_info",
    "record_response",
    "stems_of",
]

Separation = Literal["separate_vocal", "split_stem", "split_stem_advanced"]

StemName = Literal[
    "Lead Vocal", "Drum Kit", "Kick", "Snare", "Risers", "Bass", "Backing Vocals", "Piano",
    "Electric Guitar", "Percussion", "String Section", "Synth", "Acoustic Guitar",
    "Sound Effects", "Synth Pad", "Synth Bass", "Guitar", "Brass Section", "Organ",
    "Electronic Drum Kit", "Lead Electric Guitar", "Synth Keys", "Rhythm Electric Guitar",
    "Electric Piano", "Upright Bass", "Keyboards", "Distorted Electric Guitar", "Synth Strings",
    "Synth Lead", "Woodwinds", "Rhythm Acoustic Guitar", "Flute", "Harp", "Tambourine",
    "Trumpet", "Arpeggiator", "Accordion", "Fiddle", "Pedal Steel Guitar", "Synth Voice",
    "Violin", "Digital Piano", "Synth Brass", "Mandolin", "Choir", "Banjo", "Bells", "Clarinet",
    "Tenor Saxophone", "Trombone", "Shaker", "French Horn", "Glockenspiel", "Electric Bass",
    "Cello", "Timpani", "Harmonica", "Marimba", "Vibraphone", "Lap Steel Guitar", "Saxophone",
    "Orchestra", "Horns", "Cymbals", "Hand Clap", "Oboe", "Celesta", "Congas", "Drone",
    "Alto Saxophone", "Double Bass", "Ukulele", "Harpsichord", "Baritone Saxophone",
    "Xylophone", "Tuba", "Bass Guitar", "Whistle", "Lead Guitar", "Rhodes", "808", "Bongos",
    "Bassoon", "Cowbell", "Viola", "Sitar", "Steel Drums", "Piccolo", "Theremin", "Bagpipes",
    "Hi-Hat", "Music Box", "Melodica", "Tabla", "Koto", "Djembe", "Taiko", "Didgeridoo",
]  # fmt: skip
"""`stemName` of `split_stem_advanced`: the one stem to extract."""
STEM_NAMES: tuple[str, ...] = get_args(StemName)

_GROUPS = {
    "instrumental": "Instrumental", "vocal": "Vocals", "backing_vocals": "Backing Vocals",
    "drums": "Drums", "bass": "Bass", "guitar": "Guitar", "piano": "Piano",
    "keyboard": "Keyboard", "percussion": "Percussion", "strings": "Strings", "synth": "Synth",
    "fx": "FX", "brass": "Brass", "woodwinds": "Woodwinds",
}  # fmt: skip
"""Every stem with a `*Url` key in record-info, in its order, and its `stem_type_group_name`."""

_PRODUCED: dict[str, tuple[str, ...]] = {
    "separate_vocal": ("vocal", "instrumental"),  # originData order of the example
    "split_stem": (
        "vocal", "backing_vocals", "drums", "bass", "guitar", "keyboard", "percussion",
        "strings", "synth", "fx", "brass", "woodwinds",
    ),
}  # fmt: skip

_ADVANCED_KEYS = {
    "Lead Vocal": "vocal", "Backing Vocals": "backing_vocals", "Drum Kit": "drums",
    "Bass": "bass", "Guitar": "guitar", "Piano": "piano", "Keyboards": "keyboard",
    "Percussion": "percussion", "String Section": "strings", "Synth": "synth",
    "Sound Effects": "fx", "Brass Section": "brass", "Woodwinds": "woodwinds",
}  # fmt: skip
"""Advanced stems that have a `*Url` key of their own; the others appear in originData only."""


@dataclass(frozen=True)
class Stem:
    """One separated track: its file name, its keys in the payloads and its originData id."""

    key: str
    """snake_case base of `<key>_url` and of the file name (`vocal`, `drums`, `kick`)."""
    group: str
    """`stem_type_group_name` (`Vocals`, `Drums`, `Kick`)."""
    id: str

    def origin_data(self, url: str, duration: float) -> dict[str, Any]:
        return {
            "duration": duration,
            "audio_url": url,
            "stem_type_group_name": self.group,
            "id": self.id,
        }


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def stems_of(job_id: str, separation: str, stem_name: str | None) -> list[Stem]:
    """The stems a separation produces; ids are derived from the job id (deterministic)."""
    if separation == "split_stem_advanced":
        name = stem_name or "Lead Vocal"
        pairs = [(_ADVANCED_KEYS.get(name) or _slug(name), name)]
    else:
        pairs = [(key, _GROUPS[key]) for key in _PRODUCED[separation]]
    return [
        Stem(key, group, str(uuid.uuid5(uuid.NAMESPACE_URL, f"suno-mock/{job_id}/{key}")))
        for key, group in pairs
    ]


def callback_info(stems: list[Stem], urls: dict[str, str]) -> dict[str, str]:
    """`data.vocal_removal_info` of the callback: `origin_url` is empty, keys sorted as in the
    docs' example."""
    info = {"origin_url": ""} | {f"{s.key}_url": urls[s.key] for s in stems}
    return dict(sorted(info.items()))


def record_response(stems: list[Stem], urls: dict[str, str], duration: float) -> dict[str, Any]:
    """`data.response` of record-info: `originData[]` plus the 14 camelCase `*Url` keys (null
    for stems not produced)."""
    response: dict[str, Any] = {
        "id": None,
        "originUrl": None,
        "originData": [s.origin_data(urls[s.key], duration) for s in stems],
    }
    made = {s.key for s in stems}
    for key in _GROUPS:
        head, *rest = key.split("_")
        camel = head + "".join(part.title() for part in rest) + "Url"
        response[camel] = urls[key] if key in made else None
    return response
