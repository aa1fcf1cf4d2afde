"""Vocal separation: which stems each `type` produces, their keys and ids (docs/api.md,
"Vocal removal"). How they appear in the callback and record-info: `payloads.job`."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Literal, get_args

__all__ = [
    "STEM_NAMES",
    "URL_KEYS",
    "Separation",
    "Stem",
    "StemName",
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
URL_KEYS: tuple[str, ...] = tuple(_GROUPS)
"""The stems with a `*Url` key in record-info, in its order (snake_case)."""

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
