"""Suno Voice: validate a singer's recording, regenerate the phrase, build the voice, check it."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, StrictStr, ValidationInfo, model_validator

from mock_server.core.errors import InvalidParameters
from mock_server.core.wire import HttpUrl, OptionalUrl, Whole, WireBody, require, settings_of

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
    vocalStartS: Annotated[Whole, Field(ge=0)]
    """Whole seconds: the schema types both `integer`."""
    vocalEndS: Annotated[Whole, Field(gt=0)]
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
    """POST /api/v1/voice/regenerate: a new phrase. Both fields are required, and the page
    spells the callback field `calBackUrl` (one l): "this endpoint uses the field name
    calBackUrl". `callBackUrl` is taken too only under setting voice_regenerate_callback."""

    documented_required: ClassVar[tuple[str, ...]] = ("taskId", "calBackUrl")

    taskId: StrictStr | None = None
    calBackUrl: OptionalUrl = None
    callBackUrl: OptionalUrl = None

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> VoiceRegenerateRequest:
        require("(the validate task)", taskId=self.taskId)
        either = settings_of(info).voice_regenerate_callback == "either"
        if self.calBackUrl is None and not (either and self.callBackUrl is not None):
            if self.callBackUrl is not None:
                raise InvalidParameters(
                    "calBackUrl: required; this endpoint spells it calBackUrl (one l), got "
                    "callBackUrl (setting voice_regenerate_callback=either takes both)"
                )
            raise InvalidParameters(
                "calBackUrl: required (this endpoint spells it calBackUrl, with one l)"
            )
        return self

    @property
    def callback_url(self) -> str:
        """Where the new phrase is announced."""
        return self.calBackUrl or self.callBackUrl or ""


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
