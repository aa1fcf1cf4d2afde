"""Facts about the real API's models and operations (CONTRACT.md §2.3-§2.4, §3, §4.1).

Data only: the rules that use it live in `api/wire.py` (request validation) and `tasks.py`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal, get_args

__all__ = [
    "CHIRP_NAMES",
    "G3_MODELS",
    "MODELS",
    "STAGES",
    "Model",
    "ModelLimits",
    "Operation",
    "Stage",
    "TaskStatus",
    "limits_for",
]

Model = Literal[
    "V3_5", "V4", "V4_5", "V4_5PLUS", "V4_5ALL", "V5", "V5_5", "V6", "V6_WILD", "V6_MINI"
]
MODELS: tuple[str, ...] = get_args(Model)
G3_MODELS = frozenset({"V6", "V6_WILD", "V6_MINI"})
"""Models validated by the G3 (V6 era) request rules."""

Operation = Literal[
    "generate",
    "extend",
    "upload_cover",
    "upload_extend",
    "add_instrumental",
    "add_vocals",
    "replace_section",
    "mashup",
]
"""record-info `operationType`; the last four are not documented (CONTRACT §11.5), so they
follow the documented `upload_cover` style."""

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
    "V3_5": "chirp-v3-5",
    "V4": "chirp-v4",
    "V4_5": "chirp-auk",
    "V4_5PLUS": "chirp-bluejay",
    "V4_5ALL": "chirp-auk-turbo",
    "V5": "chirp-crow",
    "V5_5": "chirp-crow-plus",
    "V6": "chirp-v6",
    "V6_WILD": "chirp-v6-wild",
    "V6_MINI": "chirp-v6-mini",
}
"""Internal model name (`model_name`, record-info `type`). `chirp-v3-5`, `chirp-v4`,
`chirp-auk-turbo` and `chirp-crow` were seen in real payloads; the others are plausible guesses."""


@dataclass(frozen=True)
class ModelLimits:
    """Character limits of one model (custom mode, except `prompt_simple`)."""

    prompt: int
    style: int
    title: int
    prompt_simple: int
    """Non-custom mode prompt limit."""


@functools.cache
def limits_for(model: str, *, title_limit_v4_5: int = 100) -> ModelLimits:
    """Limits per CONTRACT §2.4; `title_limit_v4_5` settles the 80-vs-100 conflict (§10)."""
    if model in {"V3_5", "V4"}:
        return ModelLimits(3000, 200, 80, 500)
    if model == "V4_5ALL":
        return ModelLimits(5000, 1000, 80, 500)
    if model in G3_MODELS:
        return ModelLimits(5000, 1000, 80, 3000)
    return ModelLimits(5000, 1000, title_limit_v4_5, 500)
