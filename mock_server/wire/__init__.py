"""Request bodies, validated as the real API documents them today (docs/api.md).

Field types are strict (a JSON `"true"` is not a boolean). Rules that depend on several fields
(customMode/instrumental, defaultParamFlag, per-model length limits) run after the fields parse
and raise the API's own errors: 413 for a text over its limit, 400 for anything else. Every
message reads `<field>: <what is wrong and what is allowed>`.

Unknown fields are accepted and ignored, like the real service; record-info `param` still shows
the body exactly as sent.
"""

from __future__ import annotations

import hashlib
import math
import random
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from yarl import URL

from mock_server.catalog import (
    DEFAULT_MODEL,
    DURATION_MODELS,
    MODELS,
    PERSONA_MODELS,
    Model,
    ModelLimits,
    Operation,
    limits_for,
)
from mock_server.errors import InvalidParameters, TooLong
from mock_server.settings import Settings
from mock_server.stems import STEM_NAMES, Separation, StemName
from mock_server.tracks import TrackRequest

__all__ = [
    "AddInstrumentalRequest",
    "AddVocalsRequest",
    "Base64Upload",
    "BoostStyleRequest",
    "CoverRequest",
    "ExtendRequest",
    "GenerateRequest",
    "LyricsRequest",
    "MashupRequest",
    "MidiRequest",
    "Mp4Request",
    "MusicRequest",
    "PersonaRequest",
    "RecoveryRequest",
    "ReplaceSectionRequest",
    "SoundsRequest",
    "TimestampedLyricsRequest",
    "TrackJobRequest",
    "UploadCoverRequest",
    "UploadExtendRequest",
    "UrlUpload",
    "VocalRemovalRequest",
    "VoiceCheckRequest",
    "VoiceGenerateRequest",
    "VoiceRegenerateRequest",
    "VoiceValidateRequest",
    "parse",
    "validation_message",
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


def _http_url(value: str) -> str:
    try:
        url = URL(value)
    except ValueError as err:
        raise ValueError(f"must be an absolute http(s) URL, got {value!r}") from err
    if url.scheme not in {"http", "https"} or not url.host:
        raise ValueError(f"must be an absolute http(s) URL, got {value!r}")
    return value


def _hundredths(value: float) -> float:
    if not math.isfinite(value * 100):
        raise ValueError(f"must be a finite number with at most 2 decimals, got {value}")
    if abs(round(value * 100) - value * 100) > 1e-6:
        raise ValueError(f"must be a multiple of 0.01, got {value}")
    return value


def _json_number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a JSON number")
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        finite = False
    if not finite:
        raise ValueError("must be a finite JSON number")
    return value


def _whole(value: Any) -> int:
    """A JSON number with an integral value: the docs type these `number, multipleOf: 1`."""
    number = _json_number(value)
    if number != int(number):
        raise ValueError(f"must be a whole number, got {value}")
    return int(number)


HttpUrl = Annotated[StrictStr, AfterValidator(_http_url)]
OptionalUrl = Annotated[
    HttpUrl | None, BeforeValidator(lambda v: None if isinstance(v, str) and not v.strip() else v)
]
"""An optional URL; a blank string counts as not sent."""
Number = Annotated[float, BeforeValidator(_json_number)]
Weight = Annotated[Number, Field(ge=0, le=1), AfterValidator(_hundredths)]
Seconds = Annotated[Number, Field(gt=0)]
Whole = Annotated[int, BeforeValidator(_whole)]
Variety = Annotated[Whole, Field(ge=0, le=4)]
DurationSeconds = Annotated[Whole, Field(ge=10, le=360)]


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def _sent(value: object) -> bool:
    """Whether an optional field carries something (a blank string counts as not sent)."""
    return value is not None and not (isinstance(value, str) and not value.strip())


def _require(why: str, **fields: str | float | None) -> None:
    for name, value in fields.items():
        if value is None or (isinstance(value, str) and _blank(value)):
            raise InvalidParameters(f"{name}: required {why}")


def _max_len(model: str, limit: int, name: str, value: str | None) -> None:
    if value is not None and len(value) > limit:
        raise TooLong(f"{name}: at most {limit} characters with model {model}, got {len(value)}")


def _settings(info: ValidationInfo) -> Settings:
    context = info.context or {}
    settings = context.get("settings")
    return settings if isinstance(settings, Settings) else Settings()


def _documented_required(schema: dict[str, Any], model: type) -> None:
    """List in the JSON schema the fields a rule requires (they are optional in the model so
    that a missing or blank one gets the rule's own message)."""
    required = list(schema.get("required", []))
    required += [f for f in getattr(model, "documented_required", ()) if f not in required]
    if required:
        schema["required"] = required


class WireBody(BaseModel):
    """A request body: unknown fields are accepted and ignored, like the real service; the
    parsed body is immutable."""

    model_config = ConfigDict(extra="allow", frozen=True, json_schema_extra=_documented_required)
    documented_required: ClassVar[tuple[str, ...]] = ()


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
        if self.extend_titles and self.model in EXTEND_TITLE_MODELS:
            return limits_for(self.model, title=_settings(info).title_limit_v4_5)
        return limits_for(self.model)

    def check_common(self, *, custom: bool) -> None:
        """Rules on the optional fields, the same for every operation."""
        if self.personaModel is not None and self.model not in PERSONA_MODELS:
            raise InvalidParameters(
                f"personaModel: only supported by models {', '.join(_ordered(PERSONA_MODELS))}; "
                f"got model {self.model}"
            )
        if self.duration is not None and (self.model not in DURATION_MODELS or not custom):
            raise InvalidParameters(
                "duration: only allowed in custom mode with models "
                f"{', '.join(_ordered(DURATION_MODELS))}"
            )

    def check_custom_texts(self, info: ValidationInfo) -> None:
        """Custom mode: every text within its model's limit."""
        lim = self.limits(info)
        _max_len(self.model, lim.prompt, "prompt", self.prompt)
        _max_len(self.model, lim.prompt, "lyrics", self.lyrics)
        _max_len(self.model, lim.style, "style", self.style)
        _max_len(self.model, lim.title, "title", self.title)
        _max_len(self.model, lim.negative_tags, "negativeTags", self.negativeTags)

    def track_request(
        self, *, custom: bool, instrumental: bool, continue_at: float | None = None
    ) -> TrackRequest:
        """In custom mode the texts are used as given (`lyrics` wins over `prompt`); otherwise
        `prompt` only describes the song and title and lyrics are written for it."""
        lyrics = (self.lyrics or self.prompt) if custom else self.lyrics
        return TrackRequest(
            model=self.model,
            title=None if not custom or _blank(self.title) else self.title,
            style=None if _blank(self.style) else self.style,
            lyrics=None if _blank(lyrics) else lyrics,
            instrumental=instrumental,
            continue_at=continue_at,
        )

    def tracks(self) -> TrackRequest:
        """What the request says about the tracks to produce."""
        raise NotImplementedError

    def upload_urls(self) -> list[str]:
        """The audio the service must download for this request."""
        return []


def _ordered(models: frozenset[str]) -> list[str]:
    """Models in the docs' order (current first)."""
    return [m for m in MODELS if m in models]


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
            if (
                _blank(self.style)
                and _blank(self.lyrics or self.prompt)
                and _blank(self.negativeTags)
            ):
                raise InvalidParameters(
                    "style: in custom mode at least one of style, lyrics (or prompt) and "
                    "negativeTags must be non-empty"
                )
            self.check_custom_texts(info)
        else:
            for name in CUSTOM_ONLY:
                if _sent(getattr(self, name)):
                    raise InvalidParameters(
                        f"{name}: only allowed in custom mode (customMode: true)"
                    )
            lim = self.limits(info)
            _max_len(self.model, lim.prompt_simple, "prompt", self.prompt)
            _max_len(self.model, lim.lyrics, "lyrics", self.lyrics)
            self._check_attachments()
        self.check_common(custom=self.customMode)
        return self

    def _check_attachments(self) -> None:
        images, videos, audios = (
            len(x or []) for x in (self.imageUrls, self.videoUrls, self.audioUrls)
        )
        if images > 5:
            raise InvalidParameters(f"imageUrls: at most 5 items, got {images}")
        if videos > 1:
            raise InvalidParameters(f"videoUrls: at most 1 item, got {videos}")
        texts = sum(not _blank(x) for x in (self.style, self.lyrics))
        if images + videos + audios + texts + (not _blank(self.prompt)) == 0:
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
        return self.track_request(custom=self.customMode, instrumental=self.instrumental)


class ExtendRequest(MusicRequest):
    """POST /api/v1/generate/extend (docs/api.md, "Extend")."""

    operation: ClassVar[Operation] = "extend"
    extend_titles: ClassVar[bool] = True

    defaultParamFlag: StrictBool
    audioId: StrictStr
    continueAt: Seconds | None = None

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> ExtendRequest:
        if _blank(self.audioId):
            raise InvalidParameters("audioId: required (the id of the track to extend)")
        if self.defaultParamFlag:
            _require(
                "when defaultParamFlag is true (custom parameters)",
                prompt=self.prompt,
                style=self.style,
                title=self.title,
                continueAt=self.continueAt,
            )
            self.check_custom_texts(info)
        self.check_common(custom=self.defaultParamFlag)
        return self

    def tracks(self) -> TrackRequest:
        return self.track_request(
            custom=self.defaultParamFlag, instrumental=False, continue_at=self.continueAt
        )


class UploadCoverRequest(MusicRequest):
    """POST /api/v1/generate/upload-cover: always custom mode; the upload alone is enough."""

    operation: ClassVar[Operation] = "upload_cover"

    uploadUrl: HttpUrl
    instrumental: StrictBool = False

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> UploadCoverRequest:
        self.check_custom_texts(info)
        self.check_common(custom=True)
        return self

    def upload_urls(self) -> list[str]:
        return [self.uploadUrl]

    def tracks(self) -> TrackRequest:
        return self.track_request(custom=True, instrumental=self.instrumental)


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
        if self.defaultParamFlag:
            why = "when defaultParamFlag is true (custom parameters)"
            _require(why, style=self.style, title=self.title, continueAt=self.continueAt)
            if not self.instrumental:
                _require(
                    f"{why} with vocals (instrumental: false): it is sung as lyrics",
                    prompt=self.lyrics or self.prompt,
                )
            self.check_custom_texts(info)
        elif _settings(info).upload_extend_default_requires_prompt:
            _require(
                "when defaultParamFlag is false (setting upload_extend_default_requires_prompt)",
                prompt=self.prompt,
            )
        self.check_common(custom=self.defaultParamFlag)
        return self

    def upload_urls(self) -> list[str]:
        return [self.uploadUrl]

    def tracks(self) -> TrackRequest:
        return self.track_request(
            custom=self.defaultParamFlag,
            instrumental=bool(self.instrumental),
            continue_at=self.continueAt,
        )


M = TypeVar("M", bound=BaseModel)


class AddInstrumentalRequest(MusicRequest):
    """POST /api/v1/generate/add-instrumental: a backing track for uploaded vocals."""

    operation: ClassVar[Operation] = "add_instrumental"
    documented_required: ClassVar[tuple[str, ...]] = ("title", "tags", "negativeTags")

    uploadUrl: HttpUrl
    model: Model = DEFAULT_MODEL
    tags: StrictStr | None = None

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> AddInstrumentalRequest:
        _require(
            "(add-instrumental)", title=self.title, tags=self.tags, negativeTags=self.negativeTags
        )
        lim = self.limits(info)
        _max_len(self.model, lim.title, "title", self.title)
        _max_len(self.model, lim.style, "tags", self.tags)
        _max_len(self.model, lim.negative_tags, "negativeTags", self.negativeTags)
        _max_len(self.model, lim.lyrics, "lyrics", self.lyrics)
        self.check_common(custom=True)
        return self

    def upload_urls(self) -> list[str]:
        return [self.uploadUrl]

    def tracks(self) -> TrackRequest:
        return TrackRequest(model=self.model, title=self.title, style=self.tags, instrumental=True)


class AddVocalsRequest(MusicRequest):
    """POST /api/v1/generate/add-vocals: vocals sung over an uploaded instrumental; `lyrics`
    (else `prompt`) is what is sung, else lyrics are written."""

    operation: ClassVar[Operation] = "add_vocals"
    documented_required: ClassVar[tuple[str, ...]] = ("title", "style", "negativeTags")

    uploadUrl: HttpUrl
    model: Model = DEFAULT_MODEL

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> AddVocalsRequest:
        _require("(add-vocals)", title=self.title, style=self.style, negativeTags=self.negativeTags)
        self.check_custom_texts(info)
        self.check_common(custom=True)
        return self

    def upload_urls(self) -> list[str]:
        return [self.uploadUrl]

    def tracks(self) -> TrackRequest:
        return self.track_request(custom=True, instrumental=False)


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
        self.check_custom_texts(info)
        self.check_common(custom=True)
        return self

    def upload_urls(self) -> list[str]:
        return list(self.uploadUrlList)

    def tracks(self) -> TrackRequest:
        return self.track_request(custom=True, instrumental=self.instrumental)


class ReplaceSectionRequest(WireBody):
    """POST /api/v1/generate/replace-section: re-generate a window of a track.

    Either `taskId` + `audioId` (a track the API made) or `uploadUrl` + `model` (your own
    audio), never parts of both. The window rules that need the track's duration are checked
    by the engine."""

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
    infillStartS: Annotated[Number, Field(ge=0), AfterValidator(_hundredths)] | None = None
    infillEndS: Annotated[Number, Field(ge=0), AfterValidator(_hundredths)] | None = None
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
        _require(
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
        settings = _settings(info)
        low, high = settings.infill_min_seconds, settings.infill_max_seconds
        if end - start < low or (high is not None and end - start > high):
            allowed = f"{low:g}-{high:g} s" if high is not None else f"at least {low:g} s"
            raise InvalidParameters(
                f"infillEndS: the window infillEndS - infillStartS must be {allowed}, "
                f"got {end - start:g} s"
            )
        model = self.model or DEFAULT_MODEL
        lim = limits_for(model)
        _max_len(model, lim.title, "title", self.title)
        _max_len(model, lim.style, "tags", self.tags)
        _max_len(model, lim.prompt, "prompt", self.prompt)
        _max_len(model, lim.lyrics, "lyrics", self.lyrics)
        _max_len(model, lim.negative_tags, "negativeTags", self.negativeTags)
        return self

    def _check_mode(self) -> None:
        existing = not _blank(self.taskId) or not _blank(self.audioId)
        either = (
            "send either taskId + audioId (a track the API made) or uploadUrl + model (your "
            "own audio), not both"
        )
        if existing:
            for name in ("uploadUrl", "model"):
                if getattr(self, name) is not None:
                    raise InvalidParameters(f"{name}: {either}")
            _require("with taskId (the track to edit)", taskId=self.taskId, audioId=self.audioId)
        else:
            _require("(or send taskId + audioId)", uploadUrl=self.uploadUrl)
            _require("with uploadUrl", model=self.model)

    def upload_urls(self) -> list[str]:
        return [self.uploadUrl] if self.uploadUrl else []

    def tracks(self, model: str) -> TrackRequest:
        lyrics = self.fullLyrics
        return TrackRequest(model=model, title=self.title, style=self.tags, lyrics=lyrics)


SoundKey = Literal[
    "Any", "Cm", "C#m", "Dm", "D#m", "Em", "Fm", "F#m", "Gm", "G#m", "Am", "A#m", "Bm",
    "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B",
]  # fmt: skip


class SoundsRequest(WireBody):
    """POST /api/v1/generate/sounds: sound effects and loops, polled through the music
    record-info; `callBackUrl` is optional here."""

    operation: ClassVar[Operation] = "sounds"

    prompt: StrictStr
    model: Model
    callBackUrl: OptionalUrl = None
    soundLoop: StrictBool = False
    soundTempo: Annotated[Whole, Field(ge=1, le=300)] | None = None
    soundKey: SoundKey = "Any"
    grabLyrics: StrictBool = False

    @model_validator(mode="after")
    def _rules(self) -> SoundsRequest:
        _require("(what the sound should be)", prompt=self.prompt)
        _max_len(self.model, 500, "prompt", self.prompt)
        return self

    def upload_urls(self) -> list[str]:
        return []

    def tracks(self, seed: int) -> TrackRequest:
        """Short instrumental clips: a loop lasts 4-13 s, a one-shot 1-4 s (seeded by the
        server's seed and the request: the same request gives the same lengths)."""
        text = f"{seed}/{self.model_dump_json()}"
        digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
        rng = random.Random(int.from_bytes(digest))  # noqa: S311 - not crypto
        low, high = (4.0, 13.0) if self.soundLoop else (1.0, 4.0)
        tags = ["loop" if self.soundLoop else "one-shot"]
        if self.soundTempo is not None:
            tags.append(f"{self.soundTempo} BPM")
        if self.soundKey != "Any":
            tags.append(self.soundKey)
        return TrackRequest(
            model=self.model,
            style=", ".join(tags),
            instrumental=True,
            durations=tuple(round(rng.uniform(low, high), 2) for _ in range(2)),
        )


class Base64Upload(WireBody):
    """POST /api/file-base64-upload (§7.6)."""

    base64Data: StrictStr
    uploadPath: StrictStr
    fileName: StrictStr | None = None


class UrlUpload(WireBody):
    """POST /api/file-url-upload (§7.6): the service downloads `fileUrl`."""

    fileUrl: HttpUrl
    uploadPath: StrictStr
    fileName: StrictStr | None = None


class LyricsRequest(WireBody):
    """POST /api/v1/lyrics (§7.1)."""

    prompt: StrictStr
    callBackUrl: HttpUrl

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> LyricsRequest:
        _require("(the theme of the lyrics)", prompt=self.prompt)
        unit = _settings(info).lyrics_limit_unit
        size = len(self.prompt.split()) if unit == "words" else len(self.prompt)
        if size > 200:
            raise TooLong(f"prompt: at most 200 {unit}, got {size}")
        return self


class TrackJobRequest(WireBody):
    """A job on one track the API made: WAV, vocal removal, music video (§7.2, §7.3, §7.5)."""

    taskId: StrictStr
    audioId: StrictStr
    callBackUrl: HttpUrl

    @model_validator(mode="after")
    def _present(self) -> TrackJobRequest:
        _require("(the task and track to work on)", taskId=self.taskId, audioId=self.audioId)
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
                if _sent(getattr(self, name)):
                    raise InvalidParameters(
                        f"{name}: send either taskId + audioId (a track the API made) or "
                        "audioUrl (your own audio), not both"
                    )
        else:
            _require(
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


class PersonaRequest(WireBody):
    """POST /api/v1/generate/generate-persona (§3.9), answered synchronously."""

    taskId: StrictStr
    audioId: StrictStr
    name: StrictStr
    description: StrictStr
    vocalStart: Annotated[Number, Field(ge=0), AfterValidator(_hundredths)] = 0.0
    vocalEnd: Annotated[Number, Field(ge=0), AfterValidator(_hundredths)] = 30.0
    style: StrictStr | None = None

    @model_validator(mode="after")
    def _rules(self) -> PersonaRequest:
        _require("(persona)", name=self.name, description=self.description)
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
        _require("(the task and track to align)", taskId=self.taskId, audioId=self.audioId)
        return self


class BoostStyleRequest(WireBody):
    """POST /api/v1/style/generate (§3.10), answered synchronously."""

    content: StrictStr

    @model_validator(mode="after")
    def _rules(self) -> BoostStyleRequest:
        _require("(a short style description)", content=self.content)
        return self


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
        _require("(the validate task)", taskId=self.taskId)
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
        _require("(the validate task whose phrase was recorded)", taskId=self.taskId)
        return self


class VoiceCheckRequest(WireBody):
    """POST /api/v1/voice/check-voice: snake_case `task_id`, as documented."""

    task_id: StrictStr

    @model_validator(mode="after")
    def _rules(self) -> VoiceCheckRequest:
        _require("(a voice task)", task_id=self.task_id)
        return self


class RecoveryRequest(WireBody):
    """POST /api/v1/suno/recovery: fetch a music task's audio again."""

    sunoTaskId: StrictStr
    callBackUrl: HttpUrl

    @model_validator(mode="after")
    def _rules(self) -> RecoveryRequest:
        _require("(the music task to recover)", sunoTaskId=self.sunoTaskId)
        return self


_TYPE_HINTS: dict[str, str] = {
    "missing": "required",
    "bool_type": "must be a JSON boolean (true or false)",
    "string_type": "must be a JSON string",
    "int_type": "must be a JSON integer",
    "float_type": "must be a JSON number",
    "list_type": "must be a JSON array",
    "model_type": "must be a JSON object",
}


def _location(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc if not (isinstance(p, str) and ("[" in p or "function-" in p))]
    return ".".join(parts) or "body"


def _echo(value: Any) -> str:
    """What the client sent, shortened: a message names the value, it does not repeat a book."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}… ({len(text)} characters)"


def validation_message(err: ValidationError) -> str:
    """One line naming each bad field, what was wrong and what is allowed."""
    seen: dict[str, str] = {}
    for item in err.errors(include_url=False):
        where = _location(item["loc"])
        kind = item["type"]
        if kind == "literal_error" and where == "model":
            what = f"must be one of {', '.join(MODELS)} (spelled exactly)"
        elif kind == "literal_error" and where == "stemName":
            what = (
                f"must be one of the {len(STEM_NAMES)} documented stem names (spelled exactly), "
                f"such as {', '.join(repr(n) for n in STEM_NAMES[:8])}"
            )
        else:
            what = _TYPE_HINTS.get(kind) or str(item["msg"]).removeprefix("Value error, ")
            what = what[:1].lower() + what[1:]
        if kind != "missing" and "got " not in what:
            what += f", got {_echo(item['input'])}"
        seen.setdefault(where, what)
    return "; ".join(f"{where}: {what}" for where, what in seen.items())


def parse(model: type[M], body: Any, settings: Settings) -> M:
    """Validate a decoded JSON body; raise the API error the client should get."""
    if not isinstance(body, dict):
        raise InvalidParameters(f"body: must be a JSON object, got a JSON {type(body).__name__}")
    try:
        return model.model_validate(body, context={"settings": settings})
    except ValidationError as err:
        raise InvalidParameters(validation_message(err)) from err
