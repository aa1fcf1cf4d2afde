"""Jobs on tracks the API made, answered by callback: lyrics, WAV, vocal removal, MIDI, music
video, cover art and recovery."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field, StrictStr, ValidationInfo, model_validator

from mock_server.core.catalog import Separation, StemName
from mock_server.core.errors import InvalidParameters, TooLong
from mock_server.core.wire import HttpUrl, WireBody, require, sent, settings_of

__all__ = [
    "CoverRequest",
    "LyricsRequest",
    "MidiRequest",
    "Mp4Request",
    "RecoveryRequest",
    "TrackJobRequest",
    "VocalRemovalRequest",
    "WavRequest",
]


class LyricsRequest(WireBody):
    """POST /api/v1/lyrics (§7.1)."""

    prompt: StrictStr
    callBackUrl: HttpUrl

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> LyricsRequest:
        require("(the theme of the lyrics)", prompt=self.prompt)
        unit = settings_of(info).lyrics_limit_unit
        size = len(self.prompt.split()) if unit == "words" else len(self.prompt)
        if size > 200:
            raise TooLong(f"prompt: at most 200 {unit}, got {size}")
        return self


class TrackJobRequest(WireBody):
    """A job on one track the API made: WAV, vocal removal, music video (docs/api.md, "WAV and
    MP4", "Vocal removal and MIDI")."""

    taskId: StrictStr
    audioId: StrictStr
    callBackUrl: HttpUrl

    @model_validator(mode="after")
    def _present(self) -> TrackJobRequest:
        require("(the task and track to work on)", taskId=self.taskId, audioId=self.audioId)
        return self


class WavRequest(WireBody):
    """POST /api/v1/wav/generate: the schema requires `taskId` and `audioId`, its usage guide
    says "Provide either taskId or audioId" (setting wav_source)."""

    documented_required: ClassVar[tuple[str, ...]] = ("taskId", "audioId")

    taskId: StrictStr | None = None
    audioId: StrictStr | None = None
    callBackUrl: HttpUrl

    @model_validator(mode="after")
    def _present(self, info: ValidationInfo) -> WavRequest:
        if settings_of(info).wav_source == "both":
            require("(the task and track to work on)", taskId=self.taskId, audioId=self.audioId)
        elif not sent(self.taskId) and not sent(self.audioId):
            raise InvalidParameters(
                "taskId: required, or audioId (setting wav_source=either: one of them names "
                "the track)"
            )
        return self


class VocalRemovalRequest(WireBody):
    """POST /api/v1/vocal-removal/generate: a track the API made (`taskId` + `audioId`) or your
    own audio (`audioUrl`), never both; `split_stem_advanced` extracts the one `stemName`."""

    taskId: StrictStr | None = None
    audioId: StrictStr | None = None
    audioUrl: HttpUrl | None = None
    callBackUrl: HttpUrl
    type: Separation = "separate_vocal"
    stemName: StemName | None = None

    @model_validator(mode="after")
    def _rules(self) -> VocalRemovalRequest:
        if self.audioUrl is not None:
            for name in ("taskId", "audioId"):
                if sent(getattr(self, name)):
                    raise InvalidParameters(
                        f"{name}: send either taskId + audioId (a track the API made) or "
                        "audioUrl (your own audio), not both"
                    )
        else:
            require(
                "(the task and track to separate; or send audioUrl)",
                taskId=self.taskId,
                audioId=self.audioId,
            )
        if self.type == "split_stem_advanced" and self.stemName is None:
            raise InvalidParameters(
                "stemName: required when type is split_stem_advanced (the one stem to extract, "
                "e.g. 'Lead Vocal', 'Drum Kit', 'Bass')"
            )
        return self


class Mp4Request(TrackJobRequest):
    """POST /api/v1/mp4/generate (§7.5)."""

    author: Annotated[StrictStr, Field(max_length=50)] | None = None
    domainName: Annotated[StrictStr, Field(max_length=50)] | None = None


class CoverRequest(WireBody):
    """POST /api/v1/suno/cover/generate (§3.12)."""

    taskId: StrictStr
    callBackUrl: HttpUrl


class MidiRequest(WireBody):
    """POST /api/v1/midi/generate (§7.4; docs.sunoapi.org generate-midi): MIDI from a
    finished vocal-removal task; `audioId` picks one separated track."""

    taskId: StrictStr
    callBackUrl: HttpUrl
    audioId: StrictStr | None = None


class RecoveryRequest(WireBody):
    """POST /api/v1/suno/recovery: fetch a music task's audio again."""

    sunoTaskId: StrictStr
    callBackUrl: HttpUrl

    @model_validator(mode="after")
    def _rules(self) -> RecoveryRequest:
        require("(the music task to recover)", sunoTaskId=self.sunoTaskId)
        return self
