"""The music family's bodies as models: the callback (`text`, `first`, `complete`) and record-
info's `data`. `extra="forbid"`: no stray field (docs/api.md, "Callbacks", "Task details")."""

from __future__ import annotations

from typing import Literal

from mock_server.families.schema import Strict

__all__ = [
    "CallbackTrack",
    "MusicCallback",
    "MusicCallbackData",
    "RecordInfoData",
    "RecordResponse",
    "RecordTrack",
]


class CallbackTrack(Strict):
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


class MusicCallbackData(Strict):
    callbackType: Literal["text", "first", "complete", "error"]
    task_id: str
    data: list[CallbackTrack] | None


class MusicCallback(Strict):
    """generate, extend, upload-cover, upload-extend, add-*, replace-section, mashup."""

    code: int
    msg: str
    data: MusicCallbackData


class RecordTrack(Strict):
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


class RecordResponse(Strict):
    taskId: str
    sunoData: list[RecordTrack]


class RecordInfoData(Strict):
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
