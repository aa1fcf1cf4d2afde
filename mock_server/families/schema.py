"""Payload shapes as pydantic models — the callbacks and the core answers' `data` (docs/api.md,
"Callbacks", "Task details"): documented in /openapi.json and used by the tests to check what
the mock really sends. `extra="forbid"`: no stray field."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "CoverCallback",
    "LyricsCallback",
    "MidiCallback",
    "Mp4Callback",
    "MusicCallback",
    "RecordInfoData",
    "RecoveryCallback",
    "RecoveryTaskData",
    "TaskIdData",
    "VocalRemovalCallback",
    "VoiceCallback",
    "VoiceCheckData",
    "VoiceRecordData",
    "VoiceValidateData",
    "WavCallback",
]


class _Strict(BaseModel):
    # `model_name` is a field of the real payload; pydantic < 2.10 warns about the prefix.
    # Built when first used (/openapi.json, a test's check), not at every import of the server.
    model_config = ConfigDict(extra="forbid", protected_namespaces=(), defer_build=True)


class CallbackTrack(_Strict):
    """A track in a music callback: snake_case, but `createTime` camelCase."""

    id: str
    audio_url: str
    source_audio_url: str | None = None
    stream_audio_url: str
    source_stream_audio_url: str
    image_url: str
    source_image_url: str
    prompt: str
    model_name: str
    title: str
    tags: str
    createTime: int | str
    duration: float | None = None


class MusicCallbackData(_Strict):
    callbackType: Literal["text", "first", "complete", "error"]
    task_id: str
    data: list[CallbackTrack] | None


class MusicCallback(_Strict):
    """generate, extend, upload-cover, upload-extend, add-*, replace-section, mashup."""

    code: int
    msg: str
    data: MusicCallbackData


class LyricsItem(_Strict):
    text: str
    title: str
    status: Literal["complete", "failed"]
    errorMessage: str


class LyricsCallbackData(_Strict):
    callbackType: Literal["complete", "error"]
    taskId: str
    data: list[LyricsItem] | None


class LyricsCallback(_Strict):
    code: int
    msg: str
    data: LyricsCallbackData


class WavCallbackData(_Strict):
    audioWavUrl: str | None
    task_id: str


class WavCallback(_Strict):
    code: int
    msg: str
    data: WavCallbackData


class VocalRemovalCallbackData(_Strict):
    task_id: str
    vocal_removal_info: dict[str, str] | None


class VocalRemovalCallback(_Strict):
    code: int
    msg: str
    data: VocalRemovalCallbackData


class Mp4CallbackData(_Strict):
    task_id: str
    video_url: str | None


class Mp4Callback(_Strict):
    code: int
    msg: str
    data: Mp4CallbackData


class CoverCallbackData(_Strict):
    taskId: str
    images: list[str] | None


class CoverCallback(_Strict):
    code: int
    msg: str
    data: CoverCallbackData


class MidiNote(_Strict):
    """`start`/`end` are seconds, sent as a JSON number or a numeric string (both occur)."""

    pitch: int
    start: float | str
    end: float | str
    velocity: float


class MidiInstrument(_Strict):
    name: str
    notes: list[MidiNote]


class MidiData(_Strict):
    state: str
    instruments: list[MidiInstrument]


class MidiCallback(_Strict):
    """The MIDI callback carries `task_id` at the top level."""

    task_id: str
    code: int
    msg: str
    data: MidiData


class TaskIdData(_Strict):
    """`data` of every submit answer."""

    taskId: str


class RecordTrack(_Strict):
    """A track in record-info: camelCase."""

    id: str
    audioUrl: str
    sourceAudioUrl: str | None
    streamAudioUrl: str
    sourceStreamAudioUrl: str
    imageUrl: str
    sourceImageUrl: str
    prompt: str
    modelName: str
    title: str
    tags: str
    createTime: int | str
    duration: float | None


class RecordResponse(_Strict):
    taskId: str
    sunoData: list[RecordTrack]


class RecordInfoData(_Strict):
    """`data` of GET /api/v1/generate/record-info."""

    taskId: str
    parentMusicId: str
    param: str
    response: RecordResponse | None
    status: Literal[
        "PENDING", "TEXT_SUCCESS", "FIRST_SUCCESS", "SUCCESS", "CREATE_TASK_FAILED",
        "GENERATE_AUDIO_FAILED", "CALLBACK_EXCEPTION", "SENSITIVE_WORD_ERROR",
    ]  # fmt: skip
    type: str
    operationType: str
    errorCode: int | None
    errorMessage: str | None
    createTime: int


VoiceStatusValue = Literal[
    "wait_processing", "processing_validate", "processing_validate_fail", "wait_validating",
    "success", "fail",
]  # fmt: skip


class VoiceCallbackData(_Strict):
    """Voice callbacks use camelCase `taskId`; validate/regenerate carry `validateInfo` (the
    phrase), generate carries `voiceId`."""

    taskId: str
    validateInfo: str | None = None
    voiceId: str | None = None
    status: VoiceStatusValue
    errorCode: int
    errorMessage: str


class VoiceCallback(_Strict):
    code: int
    msg: str
    data: VoiceCallbackData


class VoiceValidateData(_Strict):
    """`data` of GET /api/v1/voice/validate-info."""

    taskId: str
    validateInfo: str
    status: VoiceStatusValue
    errorCode: int
    """0 when nothing failed (as the callbacks send); the schema types it an integer."""
    errorMessage: str


class VoiceRecordData(_Strict):
    """`data` of GET /api/v1/voice/record-info."""

    taskId: str
    voiceId: str
    status: VoiceStatusValue
    errorCode: int
    """0 when nothing failed (as the callbacks send); the schema types it an integer."""
    errorMessage: str


class VoiceCheckData(_Strict):
    isAvailable: bool


class RecoveryItem(_Strict):
    id: str
    audio_url: str
    title: str
    status: Literal["success", "failed"]
    error: str


class RecoveryCallback(_Strict):
    """The Recovery Audio callback: `task_id` at the top level, one item per track."""

    code: int
    msg: str
    task_id: str
    data: list[RecoveryItem]


class RecoveryTaskData(_Strict):
    """`data` of POST /api/v1/suno/recovery: snake_case `task_id`."""

    task_id: str
