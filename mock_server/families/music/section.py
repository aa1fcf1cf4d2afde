"""POST /api/v1/generate/replace-section: the body and its window rules."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, Field, StrictStr, ValidationInfo, model_validator

from mock_server.core.catalog import DEFAULT_MODEL, Model, Operation, limits_for
from mock_server.core.errors import InvalidParameters
from mock_server.core.wire import (
    HttpUrl,
    Number,
    OptionalUrl,
    Variety,
    Weight,
    WireBody,
    blank,
    hundredths,
    max_len,
    require,
    settings_of,
)
from mock_server.scripting.request import TrackRequest

__all__ = ["ReplaceSectionRequest"]


class ReplaceSectionRequest(WireBody):
    """POST /api/v1/generate/replace-section: re-generate a window of a track.

    Either `taskId` + `audioId` (a track the API made) or `uploadUrl` + `model` (your own
    audio), never parts of both. The window rules that need the track's duration are checked
    by the engine."""

    # (This docstring is the model's description in /openapi.json: the engine's part is
    # `window_tracks`, which it calls with the track's duration.)

    operation: ClassVar[Operation] = "replace_section"
    documented_required: ClassVar[tuple[str, ...]] = (
        "prompt",
        "tags",
        "title",
        "infillStartS",
        "infillEndS",
        "fullLyrics",
    )

    taskId: StrictStr | None = None
    audioId: StrictStr | None = None
    uploadUrl: HttpUrl | None = None
    model: Model | None = None
    callBackUrl: OptionalUrl = None
    prompt: StrictStr | None = None
    lyrics: StrictStr | None = None
    tags: StrictStr | None = None
    title: StrictStr | None = None
    fullLyrics: StrictStr | None = None
    infillStartS: Annotated[Number, Field(ge=0), AfterValidator(hundredths)] | None = None
    infillEndS: Annotated[Number, Field(ge=0), AfterValidator(hundredths)] | None = None
    negativeTags: StrictStr | None = None
    vocalGender: Literal["m", "f"] | None = None
    styleWeight: Weight | None = None
    weirdnessConstraint: Weight | None = None
    audioWeight: Weight | None = None
    variety: Variety | None = None
    personaId: StrictStr | None = None
    personaModel: Literal["style_persona", "voice_persona"] | None = None

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> ReplaceSectionRequest:
        self._check_mode()
        require(
            "(replace-section)",
            prompt=self.prompt,
            tags=self.tags,
            title=self.title,
            fullLyrics=self.fullLyrics,
            infillStartS=self.infillStartS,
            infillEndS=self.infillEndS,
        )
        start, end = self.infillStartS or 0.0, self.infillEndS or 0.0
        if end <= start:
            raise InvalidParameters(
                f"infillEndS: must be greater than infillStartS ({start:g}), got {end:g}"
            )
        settings = settings_of(info)
        low, high = settings.infill_min_seconds, settings.infill_max_seconds
        if end - start < low or (high is not None and end - start > high):
            allowed = f"{low:g}-{high:g} s" if high is not None else f"at least {low:g} s"
            raise InvalidParameters(
                f"infillEndS: the window infillEndS - infillStartS must be {allowed}, "
                f"got {end - start:g} s"
            )
        model = self.model or DEFAULT_MODEL
        lim = limits_for(model)
        max_len(model, lim.title, "title", self.title)
        max_len(model, lim.style, "tags", self.tags)
        max_len(model, lim.prompt, "prompt", self.prompt)
        max_len(model, lim.lyrics, "lyrics", self.lyrics)
        max_len(model, lim.negative_tags, "negativeTags", self.negativeTags)
        return self

    def _check_mode(self) -> None:
        existing = not blank(self.taskId) or not blank(self.audioId)
        either = (
            "send either taskId + audioId (a track the API made) or uploadUrl + model (your "
            "own audio), not both"
        )
        if existing:
            for name in ("uploadUrl", "model"):
                if getattr(self, name) is not None:
                    raise InvalidParameters(f"{name}: {either}")
            require("with taskId (the track to edit)", taskId=self.taskId, audioId=self.audioId)
        else:
            require("(or send taskId + audioId)", uploadUrl=self.uploadUrl)
            require("with uploadUrl", model=self.model)

    def upload_urls(self) -> list[str]:
        return [self.uploadUrl] if self.uploadUrl else []

    def tracks(self, model: str) -> TrackRequest:
        lyrics = self.fullLyrics
        return TrackRequest(model=model, title=self.title, style=self.tags, lyrics=lyrics)

    def window_tracks(self, model: str, duration: float) -> TrackRequest:
        """The tracks of a window of a `duration`-second track made with `model`, once the
        window rules that need that duration hold."""
        start, end = self.infillStartS or 0.0, self.infillEndS or 0.0
        if end > duration:
            raise InvalidParameters(
                f"infillEndS: must lie within the track ({duration:g} s), got {end:g}"
            )
        if end - start > duration / 2:
            raise InvalidParameters(
                f"infillEndS: the window ({end - start:g} s) must not exceed half of the "
                f"track ({duration / 2:g} s)"
            )
        return replace(self.tracks(model), durations=(duration, duration))
