"""Shared parts of every request body: the strict field types, the helpers the rules use, the
base model, and `parse`, which turns a pydantic error into the API's one-line message."""

from __future__ import annotations

import math
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import (
    AfterValidator,
    AllowInfNan,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StrictStr,
    ValidationError,
    ValidationInfo,
)

from mock_server.core.catalog import MODELS, STEM_NAMES
from mock_server.core.errors import InvalidParameters, TooLong
from mock_server.core.net import SHORT_URL_CHARS, parse_url
from mock_server.core.settings import Settings

__all__ = [
    "DurationSeconds",
    "HttpUrl",
    "M",
    "Number",
    "OptionalUrl",
    "Seconds",
    "Variety",
    "Weight",
    "Whole",
    "WireBody",
    "blank",
    "forget_urls",
    "hundredths",
    "max_len",
    "parse",
    "require",
    "sent",
    "settings_of",
    "validation_message",
]


class _CheckedUrls(dict[str, str]):
    """Short URLs found to be absolute http(s) URLs: a client sends the same callBackUrl
    again and again. A URL is looked up by the dict's own `__getitem__` (C, no Python call:
    see docs/performance.md, "URLs checked once"); one not seen yet is checked by
    `__missing__` and kept when short, at most 1024 of them (2 MiB): a long one would make
    the cache costly."""

    def __missing__(self, value: str) -> str:
        _check_url(value)
        if len(value) <= SHORT_URL_CHARS and len(self) < 1024:
            self[value] = value
        return value


_CHECKED_URLS = _CheckedUrls()


def forget_urls() -> None:
    """Empty the cache of checked URLs (a reset)."""
    _CHECKED_URLS.clear()


def _check_url(value: str) -> str:
    try:
        url = parse_url(value)
    except ValueError as err:
        raise ValueError(f"must be an absolute http(s) URL, got {value!r}") from err
    if url.scheme not in {"http", "https"} or not url.host:
        raise ValueError(f"must be an absolute http(s) URL, got {value!r}")
    return value


def hundredths(value: float) -> float:
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


HttpUrl = Annotated[StrictStr, AfterValidator(_CHECKED_URLS.__getitem__)]
OptionalUrl = Annotated[
    HttpUrl | None, BeforeValidator(lambda v: None if isinstance(v, str) and not v.strip() else v)
]
"""An optional URL; a blank string counts as not sent."""
Number = Annotated[float, Strict(), AllowInfNan(False)]
"""A finite JSON number, checked by pydantic-core without a Python call (a boolean, a string
or an integer too large for a float is refused with `_json_number`'s words: see
`validation_message`; docs/performance.md, "Numbers checked in C")."""
Weight = Annotated[Number, Field(ge=0, le=1), AfterValidator(hundredths)]
Seconds = Annotated[Number, Field(gt=0)]
Whole = Annotated[int, BeforeValidator(_whole)]
Variety = Annotated[Whole, Field(ge=0, le=4)]
DurationSeconds = Annotated[Whole, Field(ge=10, le=360)]


def blank(value: str | None) -> bool:
    return value is None or not value.strip()


def sent(value: object) -> bool:
    """Whether an optional field carries something (a blank string counts as not sent)."""
    return value is not None and not (isinstance(value, str) and not value.strip())


def require(why: str, **fields: str | float | None) -> None:
    for name, value in fields.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            raise InvalidParameters(f"{name}: required {why}")


def max_len(model: str, limit: int, name: str, value: str | None) -> None:
    if value is not None and len(value) > limit:
        raise TooLong(f"{name}: at most {limit} characters with model {model}, got {len(value)}")


def settings_of(info: ValidationInfo) -> Settings:
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
    schema["additionalProperties"] = True  # unknown fields are accepted (and ignored)


class WireBody(BaseModel):
    """A request body: unknown fields are accepted and ignored, like the real service; the
    parsed body is immutable. (`extra="ignore"`, not "allow": nothing reads them, and keeping
    them costs every submit; the request as received is kept by the task.) A model's validator
    is built when it first validates (`defer_build`): a test pays only for the bodies it sends,
    not for every endpoint's at import."""

    model_config = ConfigDict(
        extra="ignore", frozen=True, json_schema_extra=_documented_required, defer_build=True
    )
    documented_required: ClassVar[tuple[str, ...]] = ()


M = TypeVar("M", bound=BaseModel)


_TYPE_HINTS: dict[str, str] = {
    "missing": "required",
    "bool_type": "must be a JSON boolean (true or false)",
    "string_type": "must be a JSON string",
    "int_type": "must be a JSON integer",
    "float_type": "must be a JSON number",
    "list_type": "must be a JSON array",
    "model_type": "must be a JSON object",
    "finite_number": "must be a finite JSON number",
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
            if kind == "float_type" and type(item["input"]) is int:  # beyond a float's range
                what = _TYPE_HINTS["finite_number"]
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
        # The validator itself, not `model_validate`: that wrapper's checks of arguments we do
        # not pass cost a submit a sixth of its validation. (A deferred model's stand-in
        # builds the real validator at this first use, as `model_validate` would.)
        validated: M = model.__pydantic_validator__.validate_python(
            body, context={"settings": settings}
        )
    except ValidationError as err:
        raise InvalidParameters(validation_message(err)) from err
    return validated  # (not `cast`: a function call on every submit)
