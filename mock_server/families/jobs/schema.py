"""The single-stage jobs' callbacks as models (lyrics, WAV, vocal removal, MP4, cover, MIDI).
`extra="forbid"`: no stray field (docs/api.md, "Callbacks", "Task details")."""

from __future__ import annotations

from typing import Literal

from mock_server.families.schema import Strict

__all__ = [
    "CoverCallback",
    "CoverCallbackData",
    "LyricsCallback",
    "LyricsCallbackData",
    "LyricsItem",
    "MidiCallback",
    "MidiData",
    "MidiInstrument",
    "MidiNote",
    "Mp4Callback",
    "Mp4CallbackData",
    "VocalRemovalCallback",
    "VocalRemovalCallbackData",
    "WavCallback",
    "WavCallbackData",
]


class LyricsItem(Strict):
    text: str
    title: str
    status: Literal["complete", "failed"]
    errorMessage: str


class LyricsCallbackData(Strict):
    callbackType: Literal["complete", "error"]
    taskId: str
    data: list[LyricsItem] | None


class LyricsCallback(Strict):
    code: int
    msg: str
    data: LyricsCallbackData


class WavCallbackData(Strict):
    audioWavUrl: str | None
    task_id: str


class WavCallback(Strict):
    code: int
    msg: str
    data: WavCallbackData


class VocalRemovalCallbackData(Strict):
    task_id: str
    vocal_removal_info: dict[str, str] | None


class VocalRemovalCallback(Strict):
    code: int
    msg: str
    data: VocalRemovalCallbackData


class Mp4CallbackData(Strict):
    task_id: str
    video_url: str | None


class Mp4Callback(Strict):
    code: int
    msg: str
    data: Mp4CallbackData


class CoverCallbackData(Strict):
    taskId: str
    images: list[str] | None


class CoverCallback(Strict):
    code: int
    msg: str
    data: CoverCallbackData


class MidiNote(Strict):
    """`start`/`end` are seconds, sent as a JSON number or a numeric string (both occur)."""

    pitch: int
    start: float | str
    end: float | str
    velocity: float


class MidiInstrument(Strict):
    name: str
    notes: list[MidiNote]


class MidiData(Strict):
    state: str
    instruments: list[MidiInstrument]


class MidiCallback(Strict):
    """The MIDI callback carries `task_id` at the top level."""

    task_id: str
    code: int
    msg: str
    data: MidiData
