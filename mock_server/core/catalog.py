"""Facts about the real API's models and operations (docs/api.md: models, limits, statuses).

Data only: the rules that use it live in `wire/` (request validation) and `tasks.py`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal, get_args

__all__ = [
    "CHIRP_NAMES",
    "CURRENT_MODELS",
    "DEFAULT_MODEL",
    "DURATION_MODELS",
    "MODELS",
    "PERSONA_MODELS",
    "STAGES",
    "STEM_NAMES",
    "Model",
    "ModelLimits",
    "Operation",
    "Separation",
    "Stage",
    "StemName",
    "TaskStatus",
    "limits_for",
]

Model = Literal["V6", "V6_WILD", "V6_MINI", "V5_5", "V5", "V4_5PLUS", "V4_5ALL", "V4_5", "V4"]
"""Today's model enum (V6 generation): the V6 series is current, the rest deprecated but
accepted. `V3_5` left the enum two doc generations ago and is refused."""
MODELS: tuple[str, ...] = get_args(Model)
CURRENT_MODELS = frozenset({"V6", "V6_WILD", "V6_MINI"})
PERSONA_MODELS = frozenset({"V5", "V5_5", *CURRENT_MODELS})
"""Models that take `personaModel` (and so a Suno Voice `voiceId` as `personaId`)."""
DURATION_MODELS = frozenset({"V5_5", *CURRENT_MODELS})
"""Models that take `duration` (custom mode)."""
DEFAULT_MODEL: Model = "V6"
"""What endpoints with an optional `model` use (add-instrumental, add-vocals)."""

Operation = Literal[
    "generate",
    "extend",
    "upload_cover",
    "upload_extend",
    "add_instrumental",
    "add_vocals",
    "replace_section",
    "mashup",
    "sounds",
]
"""record-info `operationType`; only the first four are documented, the others follow the
documented `upload_cover` style."""

TaskStatus = Literal[
    "PENDING",
    "TEXT_SUCCESS",
    "FIRST_SUCCESS",
    "SUCCESS",
    "CREATE_TASK_FAILED",
    "GENERATE_AUDIO_FAILED",
    "CALLBACK_EXCEPTION",
    "SENSITIVE_WORD_ERROR",
]

Stage = Literal["text", "first", "complete"]
"""The success stages of a music task, in order."""
STAGES: tuple[Stage, ...] = get_args(Stage)

CHIRP_NAMES: dict[str, str] = {
    "V4": "chirp-v4",
    "V4_5": "chirp-auk",
    "V4_5PLUS": "chirp-bluejay",
    "V4_5ALL": "chirp-auk-turbo",
    "V5": "chirp-crow",
    "V5_5": "chirp-fenix",
    "V6": "chirp-v6",
    "V6_WILD": "chirp-v6-wild",
    "V6_MINI": "chirp-v6-mini",
}
"""Internal model name (`model_name`, record-info `type`). `chirp-v4`, `chirp-auk-turbo` and
`chirp-crow` were seen in real payloads; `chirp-fenix` (V5_5) comes from a client of Suno's own
web API; the others are plausible guesses."""


@dataclass(frozen=True)
class ModelLimits:
    """Character limits of one model (docs/api.md, "Limits")."""

    prompt: int
    """`prompt` / `lyrics` used as lyrics (custom mode)."""
    style: int
    title: int
    prompt_simple: int = 3000
    """`prompt` as a description (non-custom mode), every model."""
    lyrics: int = 5000
    negative_tags: int = 1000


@functools.cache
def limits_for(model: str, *, title: int = 80) -> ModelLimits:
    """Today's limits: V4 keeps its smaller prompt and style; the title limit is 80 for every
    model, except where a caller passes the extend pages' 100 for the V4_5/V5 families."""
    if model == "V4":
        return ModelLimits(prompt=3000, style=200, title=80)
    return ModelLimits(prompt=5000, style=1000, title=title)


Separation = Literal["separate_vocal", "split_stem", "split_stem_advanced"]
"""Vocal removal `type`: which stems a separation produces."""

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
