"""Vocal separation: which stems each `type` produces, their keys and ids (docs/api.md,
"Vocal removal"). How they appear in the callback and record-info: `payloads.job`."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

__all__ = [
    "URL_KEYS",
    "Stem",
    "stems_of",
]

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
