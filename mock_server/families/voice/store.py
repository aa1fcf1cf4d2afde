"""Suno Voice's state: its task kinds and statuses, and one voice task."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["KEPT", "NAMES", "VoiceKind", "VoiceStatus", "VoiceTask"]

VoiceStatus = Literal[
    "wait_processing",
    "processing_validate",
    "processing_validate_fail",
    "wait_validating",
    "success",
    "fail",
]
VoiceKind = Literal["validate", "generate"]
NAMES: dict[VoiceKind, str] = {
    "validate": "voice validation task",
    "generate": "voice generation task",
}
"""How a not-found error names a voice task of each kind."""
KEPT = 100_000
"""Voice tasks kept; the oldest are forgotten first."""


@dataclass
class VoiceTask:
    """A validation task (the phrase) or a generation task (the voice)."""

    id: str
    kind: VoiceKind
    callback_url: str
    created_at: float
    status: VoiceStatus = "processing_validate"
    phrase: str = ""
    voice_id: str = ""
    validation_id: str = ""
    """A generation task's validation task."""
    phrases: int = 0
    """How many phrases a validation task has made (regenerate makes another)."""
