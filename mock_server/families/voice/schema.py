"""Suno Voice's bodies as models: the callback and the record-info and check answers.
`extra="forbid"`: no stray field (docs/api.md, "Callbacks", "Task details")."""

from __future__ import annotations

from typing import Literal

from mock_server.families.schema import Strict

__all__ = [
    "VoiceCallback",
    "VoiceCallbackData",
    "VoiceCheckData",
    "VoiceRecordData",
    "VoiceStatusValue",
    "VoiceValidateData",
]


VoiceStatusValue = Literal[
    "wait_processing", "processing_validate", "processing_validate_fail", "wait_validating",
    "success", "fail",
]  # fmt: skip


class VoiceCallbackData(Strict):
    """Voice callbacks use camelCase `taskId`; validate/regenerate carry `validateInfo` (the
    phrase), generate carries `voiceId`."""

    taskId: str
    validateInfo: str | None = None
    voiceId: str | None = None
    status: VoiceStatusValue
    errorCode: int
    errorMessage: str


class VoiceCallback(Strict):
    code: int
    msg: str
    data: VoiceCallbackData


class VoiceValidateData(Strict):
    """`data` of GET /api/v1/voice/validate-info."""

    taskId: str
    validateInfo: str
    status: VoiceStatusValue
    errorCode: int
    """0 when nothing failed (as the callbacks send); the schema types it an integer."""
    errorMessage: str


class VoiceRecordData(Strict):
    """`data` of GET /api/v1/voice/record-info."""

    taskId: str
    voiceId: str
    status: VoiceStatusValue
    errorCode: int
    """0 when nothing failed (as the callbacks send); the schema types it an integer."""
    errorMessage: str


class VoiceCheckData(Strict):
    isAvailable: bool
