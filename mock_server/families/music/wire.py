"""The music operations: generate, extend, upload-cover, upload-extend, add-instrumental,
add-vocals and mashup share `MusicRequest`'s fields and rules (docs/api.md)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import StrictBool, StrictStr, ValidationInfo, model_validator

from mock_server.core.catalog import (
    DEFAULT_MODEL,
    DURATION_MODELS,
    MODELS,
    PERSONA_MODELS,
    Model,
    ModelLimits,
    Operation,
    limits_for,
)
from mock_server.core.errors import InvalidParameters
from mock_server.core.wire import (
    DurationSeconds,
    HttpUrl,
    Seconds,
    Variety,
    Weight,
    WireBody,
    blank,
    max_len,
    require,
    sent,
    settings_of,
)
from mock_server.scripting.request import TrackRequest

__all__ = [
    "CUSTOM_ONLY",
    "EXTEND_TITLE_MODELS",
    "AddInstrumentalRequest",
    "AddVocalsRequest",
    "ExtendRequest",
    "GenerateRequest",
    "MashupRequest",
    "MusicRequest",
    "TrackRequest",
    "UploadCoverRequest",
    "UploadExtendRequest",
]

CUSTOM_ONLY = (
    "title",
    "negativeTags",
    "duration",
    "vocalGender",
    "styleWeight",
    "weirdnessConstraint",
    "audioWeight",
    "variety",
)
"""Fields generate refuses in non-custom mode ("do not pass them when customMode is false")."""

EXTEND_TITLE_MODELS = frozenset({"V4_5", "V4_5PLUS", "V5", "V5_5"})
"""Models whose extend title limit is the `title_limit_v4_5` setting (the extend pages say 100)."""


class MusicRequest(WireBody):
    """Fields and rules shared by every music operation (one rule set for every model)."""

    operation: ClassVar[Operation]
    extend_titles: ClassVar[bool] = False
    """Whether the extend pages' title limit applies (100 for the V4_5/V5 families)."""

    callBackUrl: HttpUrl
    model: Model
    prompt: StrictStr | None = None
    style: StrictStr | None = None
    title: StrictStr | None = None
    negativeTags: StrictStr | None = None
    vocalGender: Literal["m", "f"] | None = None
    styleWeight: Weight | None = None
    weirdnessConstraint: Weight | None = None
    audioWeight: Weight | None = None
    personaId: StrictStr | None = None
    personaModel: Literal["style_persona", "voice_persona"] | None = None
    lyrics: StrictStr | None = None
    variety: Variety | None = None
    duration: DurationSeconds | None = None

    def limits(self, info: ValidationInfo) -> ModelLimits:
        return limits_of(self.__dict__, self.extend_titles, info)

    # The rules every submit runs read the body's fields from its `__dict__`, once, and are
    # functions, not methods: every attribute read on a pydantic model, a method's too, goes
    # through its `__getattr__` hook (docs/performance.md, "Fields read once").

    def tracks(self) -> TrackRequest:
        """What the request says about the tracks to produce."""
        raise NotImplementedError

    def upload_urls(self) -> list[str]:
        """The audio the service must download for this request."""
        return []


def _ordered(models: frozenset[str]) -> list[str]:
    """Models in the docs' order (current first)."""
    return [m for m in MODELS if m in models]


def limits_of(fields: dict[str, Any], extend_titles: bool, info: ValidationInfo) -> ModelLimits:
    """The text limits of a body's model (`extend_titles`: the extend pages' title limit)."""
    model = fields["model"]
    if extend_titles and model in EXTEND_TITLE_MODELS:
        return limits_for(model, title=settings_of(info).title_limit_v4_5)
    return limits_for(model)


def track_request(
    fields: dict[str, Any], custom: bool, instrumental: bool, continue_at: float | None = None
) -> TrackRequest:
    """What a body (its `fields`) says about the tracks. In custom mode the texts are used as
    given (`lyrics` wins over `prompt`); otherwise `prompt` only describes the song and title
    and lyrics are written for it."""
    title: str | None = fields["title"] if custom else None
    style: str | None = fields["style"]
    lyrics: str | None = fields["lyrics"]
    if custom and not lyrics:
        lyrics = fields["prompt"]
    # `blank`, inline: empty or all whitespace is what `strip()` leaves empty
    made = TrackRequest(  # no keyword (the usual request has no duration): a keyword costs
        fields["model"],
        None if not title or title.isspace() else title,
        None if not style or style.isspace() else style,
        None if not lyrics or lyrics.isspace() else lyrics,
        instrumental,
        continue_at,
    )
    duration = fields["duration"]
    if duration is not None:
        made.duration = duration
    return made


def check_common(fields: dict[str, Any], custom: bool) -> None:
    """Rules on the optional fields, the same for every operation."""
    model = fields["model"]
    if fields["personaModel"] is not None and model not in PERSONA_MODELS:
        raise InvalidParameters(
            f"personaModel: only supported by models {', '.join(_ordered(PERSONA_MODELS))}; "
            f"got model {model}"
        )
    if fields["duration"] is not None and (model not in DURATION_MODELS or not custom):
        raise InvalidParameters(
            "duration: only allowed in custom mode with models "
            f"{', '.join(_ordered(DURATION_MODELS))}"
        )


def check_custom_texts(fields: dict[str, Any], lim: ModelLimits) -> None:
    """Custom mode: every text within its model's limit."""
    prompt, lyrics, style = fields["prompt"], fields["lyrics"], fields["style"]
    title, negative = fields["title"], fields["negativeTags"]
    if (
        len(prompt or "") <= lim.prompt
        and len(lyrics or "") <= lim.prompt
        and len(style or "") <= lim.style
        and len(title or "") <= lim.title
        and len(negative or "") <= lim.negative_tags
    ):  # all within: one test on every submit; else the first over its limit is named
        return
    model = fields["model"]
    max_len(model, lim.prompt, "prompt", prompt)
    max_len(model, lim.prompt, "lyrics", lyrics)
    max_len(model, lim.style, "style", style)
    max_len(model, lim.title, "title", title)
    max_len(model, lim.negative_tags, "negativeTags", negative)


class GenerateRequest(MusicRequest):
    """POST /api/v1/generate (docs/api.md, "Generate")."""

    operation: ClassVar[Operation] = "generate"

    customMode: StrictBool
    instrumental: StrictBool
    imageUrls: list[HttpUrl] | None = None
    videoUrls: list[HttpUrl] | None = None
    audioUrls: list[HttpUrl] | None = None

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> GenerateRequest:
        if self.customMode:
            if blank(self.style) and blank(self.lyrics or self.prompt) and blank(self.negativeTags):
                raise InvalidParameters(
                    "style: in custom mode at least one of style, lyrics (or prompt) and "
                    "negativeTags must be non-empty"
                )
            check_custom_texts(self.__dict__, self.limits(info))
        else:
            if not self.model_fields_set.isdisjoint(CUSTOM_ONLY):  # usually none is sent
                for name in CUSTOM_ONLY:
                    if sent(getattr(self, name)):
                        raise InvalidParameters(
                            f"{name}: only allowed in custom mode (customMode: true)"
                        )
            lim = limits_for(self.model)  # no extend title limit here
            max_len(self.model, lim.prompt_simple, "prompt", self.prompt)
            max_len(self.model, lim.lyrics, "lyrics", self.lyrics)
            self._check_attachments()
        check_common(self.__dict__, self.customMode)
        return self

    def _check_attachments(self) -> None:
        if (
            self.imageUrls is None
            and self.videoUrls is None
            and self.audioUrls is None
            and not blank(self.prompt)
        ):
            return  # the usual request: a prompt, nothing attached
        images = len(self.imageUrls) if self.imageUrls else 0
        videos = len(self.videoUrls) if self.videoUrls else 0
        audios = len(self.audioUrls) if self.audioUrls else 0
        if images > 5:
            raise InvalidParameters(f"imageUrls: at most 5 items, got {images}")
        if videos > 1:
            raise InvalidParameters(f"videoUrls: at most 1 item, got {videos}")
        texts = (not blank(self.style)) + (not blank(self.lyrics))
        if images + videos + audios + texts + (not blank(self.prompt)) == 0:
            raise InvalidParameters(
                "prompt: when customMode is false send a prompt or at least one of style, "
                "lyrics, imageUrls, videoUrls, audioUrls"
            )
        if images + videos + audios + texts > 10:
            raise InvalidParameters(
                "imageUrls: style + lyrics + imageUrls + videoUrls + audioUrls may hold at most "
                f"10 attachments, got {images + videos + audios + texts}"
            )

    def tracks(self) -> TrackRequest:
        return track_request(self.__dict__, self.customMode, self.instrumental)


class ExtendRequest(MusicRequest):
    """POST /api/v1/generate/extend (docs/api.md, "Extend")."""

    operation: ClassVar[Operation] = "extend"
    extend_titles: ClassVar[bool] = True

    defaultParamFlag: StrictBool
    audioId: StrictStr
    continueAt: Seconds | None = None

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> ExtendRequest:
        if blank(self.audioId):
            raise InvalidParameters("audioId: required (the id of the track to extend)")
        if self.defaultParamFlag:
            require(
                "when defaultParamFlag is true (custom parameters)",
                prompt=self.prompt,
                style=self.style,
                title=self.title,
                continueAt=self.continueAt,
            )
            check_custom_texts(self.__dict__, self.limits(info))
        check_common(self.__dict__, self.defaultParamFlag)
        return self

    def tracks(self) -> TrackRequest:
        fields = self.__dict__
        return track_request(fields, fields["defaultParamFlag"], False, fields["continueAt"])


class UploadCoverRequest(MusicRequest):
    """POST /api/v1/generate/upload-cover: always custom mode; the upload alone is enough."""

    operation: ClassVar[Operation] = "upload_cover"

    uploadUrl: HttpUrl
    instrumental: StrictBool = False
    customMode: StrictBool | None = None
    """Gone from the page ("always runs in custom mode"); `false` is ignored or refused
    (setting legacy_custom_mode)."""

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> UploadCoverRequest:
        if self.customMode is False and settings_of(info).legacy_custom_mode == "refuse":
            raise InvalidParameters(
                "customMode: upload-cover always runs in custom mode; drop customMode: false "
                "(the prompt or lyrics are sung as lyrics) or send customMode: true"
            )
        fields = self.__dict__
        check_custom_texts(fields, limits_of(fields, self.extend_titles, info))
        check_common(fields, True)
        return self

    def upload_urls(self) -> list[str]:
        return [self.uploadUrl]

    def tracks(self) -> TrackRequest:
        return track_request(self.__dict__, True, self.instrumental)


_CUSTOM = "when defaultParamFlag is true (custom parameters)"


class UploadExtendRequest(MusicRequest):
    """POST /api/v1/generate/upload-extend (docs/api.md, "Upload and extend")."""

    operation: ClassVar[Operation] = "upload_extend"
    extend_titles: ClassVar[bool] = True

    uploadUrl: HttpUrl
    defaultParamFlag: StrictBool
    instrumental: StrictBool | None = None
    continueAt: Seconds | None = None

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> UploadExtendRequest:
        fields = self.__dict__
        custom = fields["defaultParamFlag"]
        if custom:
            style, title, continue_at = fields["style"], fields["title"], fields["continueAt"]
            if (  # all sent: one test on every submit; else `require` names the first missing
                style is None
                or title is None
                or continue_at is None
                or not style.strip()
                or not title.strip()
            ):
                require(_CUSTOM, style=style, title=title, continueAt=continue_at)
            if not fields["instrumental"]:
                require(
                    f"{_CUSTOM} with vocals (instrumental: false): it is sung as lyrics",
                    prompt=fields["lyrics"] or fields["prompt"],
                )
            check_custom_texts(fields, limits_of(fields, self.extend_titles, info))
        elif settings_of(info).upload_extend_default_requires_prompt:
            require(
                "when defaultParamFlag is false (setting upload_extend_default_requires_prompt)",
                prompt=fields["prompt"],
            )
        check_common(fields, custom)
        return self

    def upload_urls(self) -> list[str]:
        return [self.uploadUrl]

    def tracks(self) -> TrackRequest:
        fields = self.__dict__
        return track_request(
            fields, fields["defaultParamFlag"], bool(fields["instrumental"]), fields["continueAt"]
        )


class AddInstrumentalRequest(MusicRequest):
    """POST /api/v1/generate/add-instrumental: a backing track for uploaded vocals."""

    operation: ClassVar[Operation] = "add_instrumental"
    documented_required: ClassVar[tuple[str, ...]] = ("title", "tags", "negativeTags")

    uploadUrl: HttpUrl
    model: Model = DEFAULT_MODEL
    tags: StrictStr | None = None

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> AddInstrumentalRequest:
        require(
            "(add-instrumental)", title=self.title, tags=self.tags, negativeTags=self.negativeTags
        )
        lim = self.limits(info)
        max_len(self.model, lim.title, "title", self.title)
        max_len(self.model, lim.style, "tags", self.tags)
        max_len(self.model, lim.negative_tags, "negativeTags", self.negativeTags)
        max_len(self.model, lim.lyrics, "lyrics", self.lyrics)
        check_common(self.__dict__, True)
        return self

    def upload_urls(self) -> list[str]:
        return [self.uploadUrl]

    def tracks(self) -> TrackRequest:
        return TrackRequest(
            model=self.model, title=self.title, style=self.tags, instrumental=True,
            duration=self.duration,
        )  # fmt: skip


class AddVocalsRequest(MusicRequest):
    """POST /api/v1/generate/add-vocals: vocals sung over an uploaded instrumental; `lyrics`
    (else `prompt`) is what is sung, else lyrics are written."""

    operation: ClassVar[Operation] = "add_vocals"
    documented_required: ClassVar[tuple[str, ...]] = ("title", "style", "negativeTags")

    uploadUrl: HttpUrl
    model: Model = DEFAULT_MODEL

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> AddVocalsRequest:
        require("(add-vocals)", title=self.title, style=self.style, negativeTags=self.negativeTags)
        fields = self.__dict__
        check_custom_texts(fields, limits_of(fields, self.extend_titles, info))
        check_common(fields, True)
        return self

    def upload_urls(self) -> list[str]:
        return [self.uploadUrl]

    def tracks(self) -> TrackRequest:
        return track_request(self.__dict__, True, False)


class MashupRequest(MusicRequest):
    """POST /api/v1/generate/mashup: two uploaded songs blended; always custom mode."""

    operation: ClassVar[Operation] = "mashup"

    uploadUrlList: list[HttpUrl]
    instrumental: StrictBool = False

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> MashupRequest:
        if len(self.uploadUrlList) != 2:
            raise InvalidParameters(
                f"uploadUrlList: exactly 2 URLs (the two songs to blend), got "
                f"{len(self.uploadUrlList)}"
            )
        fields = self.__dict__
        check_custom_texts(fields, limits_of(fields, self.extend_titles, info))
        check_common(fields, True)
        return self

    def upload_urls(self) -> list[str]:
        return list(self.uploadUrlList)

    def tracks(self) -> TrackRequest:
        return track_request(self.__dict__, True, self.instrumental)
