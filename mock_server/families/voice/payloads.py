"""Suno Voice's bodies: the callbacks, the phrase a validation task asks for and the voiceId a
generation task makes (both seeded by the task id)."""

from __future__ import annotations

import hashlib
import random
from typing import Any

from mock_server.core import words
from mock_server.families.voice.store import VoiceStatus

__all__ = ["NO_ERROR", "validation_phrase", "voice_callback", "voice_id_for"]

NO_ERROR: dict[str, Any] = {"errorCode": 0, "errorMessage": ""}
"""What a task that did not fail reports: the schema types errorCode an integer, and the
callbacks send 0 and "" (voice tasks never fail here)."""


def validation_phrase(task_id: str, number: int) -> str:
    """The `number`th phrase a validation task asks the singer to record (seeded by its id)."""
    return words.line(random.Random(f"{task_id}/{number}"), 8)  # noqa: S311 - not crypto


def voice_id_for(task_id: str) -> str:
    """The voiceId a generation task makes."""
    return "voice_" + hashlib.blake2b(task_id.encode(), digest_size=8).hexdigest()


def voice_callback(task_id: str, status: VoiceStatus, **fields: str) -> dict[str, Any]:
    """A voice callback: camelCase `taskId`, the phrase (`validateInfo`) or the `voiceId`."""
    return {
        "code": 200,
        "msg": "success",
        "data": {"taskId": task_id, **fields, "status": status, "errorCode": 0,
                 "errorMessage": ""},
    }  # fmt: skip
