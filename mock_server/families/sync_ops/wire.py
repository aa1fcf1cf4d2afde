"""Operations answered synchronously: persona, timestamped lyrics, boost style."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StrictStr, model_validator

from mock_server.core.errors import InvalidParameters
from mock_server.core.wire import Number, WireBody, hundredths, require

__all__ = ["BoostStyleRequest", "PersonaRequest", "TimestampedLyricsRequest"]


class PersonaRequest(WireBody):
    """POST /api/v1/generate/generate-persona (§3.9), answered synchronously."""

    taskId: StrictStr
    audioId: StrictStr
    name: StrictStr
    description: StrictStr
    vocalStart: Annotated[Number, Field(ge=0), AfterValidator(hundredths)] = 0.0
    vocalEnd: Annotated[Number, Field(ge=0), AfterValidator(hundredths)] = 30.0
    style: StrictStr | None = None

    @model_validator(mode="after")
    def _rules(self) -> PersonaRequest:
        require("(persona)", name=self.name, description=self.description)
        window = self.vocalEnd - self.vocalStart
        if not 10 <= window <= 30:
            raise InvalidParameters(
                f"vocalEnd: vocalEnd - vocalStart must be 10-30 s, got {window:g} s"
            )
        return self


class TimestampedLyricsRequest(WireBody):
    """POST /api/v1/generate/get-timestamped-lyrics, answered synchronously: both ids are
    required today (the older `musicIndex` is no longer documented and is ignored)."""

    taskId: StrictStr
    audioId: StrictStr

    @model_validator(mode="after")
    def _rules(self) -> TimestampedLyricsRequest:
        require("(the task and track to align)", taskId=self.taskId, audioId=self.audioId)
        return self


class BoostStyleRequest(WireBody):
    """POST /api/v1/style/generate (§3.10), answered synchronously."""

    content: StrictStr

    @model_validator(mode="after")
    def _rules(self) -> BoostStyleRequest:
        require("(a short style description)", content=self.content)
        return self
