"""Suno Voice: validate a singer's recording, regenerate the phrase, build the voice, check it."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictStr, model_validator

from mock_server.errors import InvalidParameters
from mock_server.wire.common import HttpUrl, Number, OptionalUrl, WireBody, require

__all__ = [
    "VoiceCheckRequest",
    "VoiceGenerateRequest",
    "VoiceLanguage",
    "VoiceRegenerateRequest",
    "VoiceValidateRequest",
]

VoiceLanguage = Literal["en", "zh", "es", "fr", "pt", "de", "ja", "ko", "hi", "ru"]


class VoiceValidateRequest(WireBody):
    """POST /api/v1/voice/validate: the singer's recording and the part of it to use."""

    voiceUrl: HttpUrl
    vocalStartS: Annotated[Number, Field(ge=0)]
    vocalEndS: Annotated[Number, Field(gt=0)]
    language: VoiceLanguage | None = None
    callBackUrl: OptionalUrl = None

    @model_validator(mode="after")
    def _rules(self) -> VoiceValidateRequest:
        if self.vocalEndS <= self.vocalStartS:
            raise InvalidParameters(
                f"vocalEndS: must be greater than vocalStartS ({self.vocalStartS:g}), "
                f"got {self.vocalEndS:g}"
            )
        return self


class VoiceRegenerateRequest(WireBody):
    """POST /api/v1/voice/regenerate: a new phrase. The docs spell its callback field
    `calBackUrl` (one l)."""

    taskId: StrictStr
    calBackUrl: OptionalUrl = None

    @model_validator(mode="after")
    def _rules(self) -> VoiceRegenerateRequest:
        require("(the validate task)", taskId=self.taskId)
        return self


class VoiceGenerateRequest(WireBody):
    """POST /api/v1/voice/generate: the recording of the validation phrase."""

    taskId: StrictStr
    verifyUrl: HttpUrl
    voiceName: StrictStr | None = None
    description: StrictStr | None = None
    style: StrictStr | None = None
    singerSkillLevel: Literal["beginner", "intermediate", "advanced", "professional"] | None = None
    callBackUrl: OptionalUrl = None

    @model_validator(mode="after")
    def _rules(self) -> VoiceGenerateRequest:
        require("(the validate task whose phrase was recorded)", taskId=self.taskId)
        return self


class VoiceCheckRequest(WireBody):
    """POST /api/v1/voice/check-voice: snake_case `task_id`, as documented."""

    task_id: StrictStr

    @model_validator(mode="after")
    def _rules(self) -> VoiceCheckRequest:
        require("(a voice task)", task_id=self.task_id)
        return self
