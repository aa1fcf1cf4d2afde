"""Vocal separation: which stems each `type` produces, and how they appear in the callback,
in record-info (`originData[]` and the camelCase `*Url` keys) and as files (docs/api.md,
"Vocal removal")."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Stem",
    "callback_info",
    "record_response",
    "stems_of",
]

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
