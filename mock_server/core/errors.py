"""The real API's business error codes, one class each (docs/api.md, "Rate limit, credits,
error codes").

Raised anywhere (request parsing, domain rules); rendered once, by the API middleware, into the
real envelope `{"code": <code>, "msg": <msg>, "data": null}`.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

__all__ = [
    "COVER_REPEAT_MSG",
    "INSUFFICIENT_CREDITS",
    "ApiError",
    "Conflict",
    "DropConnection",
    "InsufficientCredits",
    "InvalidParameters",
    "Maintenance",
    "NotFound",
    "PaymentRequired",
    "RateLimited",
    "ScenarioError",
    "ServerError",
    "TooFrequent",
    "TooLong",
    "Unauthorized",
    "error_for_code",
    "require",
]


class ApiError(Exception):
    """A business error; `code` goes into the envelope, `msg` tells the client what was wrong."""

    code: ClassVar[int] = 500
    default_msg: ClassVar[str] = "Server error"

    def __init__(self, msg: str | None = None, *, data: Any = None) -> None:
        self.msg = msg or self.default_msg
        self.data = data
        """The envelope's `data`: null, except where the API documents a value (a repeated
        cover request answers the existing taskId)."""
        super().__init__(f"{self.code}: {self.msg}")


class InvalidParameters(ApiError):
    code = 400
    default_msg = "Invalid parameters"


class Unauthorized(ApiError):
    code = 401
    default_msg = "Unauthorized: send 'Authorization: Bearer <your API key>'"


INSUFFICIENT_CREDITS = "The current credits are insufficient. Please top up."
"""The real answer's `msg` (captured from the service; clients compare it)."""


class PaymentRequired(ApiError):
    """Insufficient credits on the cover-image endpoints (their own code list)."""

    code = 402
    default_msg = INSUFFICIENT_CREDITS


class NotFound(ApiError):
    code = 404
    default_msg = "Invalid request method or path"


class Conflict(ApiError):
    """The cover endpoints' 409 ("cover record already exists")."""

    code = 409
    default_msg = "Cover record already exists"


COVER_REPEAT_MSG = "Cover already generated for this task"


class RateLimited(ApiError):
    code = 405
    default_msg = "Rate limit exceeded"


class TooLong(ApiError):
    code = 413
    default_msg = "Theme or prompt too long"


class InsufficientCredits(ApiError):
    code = 429
    default_msg = INSUFFICIENT_CREDITS


class TooFrequent(ApiError):
    code = 430
    default_msg = "Your call frequency is too high. Please try again later."


class Maintenance(ApiError):
    code = 455
    default_msg = "System maintenance"


class ServerError(ApiError):
    code = 500
    default_msg = "Server error"


_BY_CODE: dict[int, type[ApiError]] = {
    cls.code: cls
    for cls in (
        InvalidParameters,
        Unauthorized,
        NotFound,
        PaymentRequired,
        Conflict,
        RateLimited,
        TooLong,
        InsufficientCredits,
        TooFrequent,
        Maintenance,
        ServerError,
    )
}


def error_for_code(code: int, msg: str | None = None) -> ApiError:
    """The catalogue entry for a documented code (an unknown code becomes a 500)."""
    return _BY_CODE.get(code, ServerError)(msg)


class DropConnection(Exception):
    """Close the client's connection without answering (scenario `api.drop_connection`)."""


_T = TypeVar("_T")


def require(
    found: _T | None,
    what: str,
    key: str,
    *,
    field: str | None = None,
    error: type[ApiError] = InvalidParameters,
) -> _T:
    """`found`, or the error that says no `what` has id `key` (one wording everywhere):
    `taskId: no music task with id '…'` (400), `no task with id '…'` (control plane, 404)."""
    if found is None:
        where = f"{field}: " if field else ""
        raise error(f"{where}no {what} with id {key!r}")
    return found


class ScenarioError(ValueError):
    """A scenario file or name that cannot be used; the message says where and why. (Here, not
    in `scripting.scenario`: a server and its test helpers catch it without loading the
    scenario format, which a test that names no scenario never needs.)"""
