"""The API's request and response primitives, for every handler: the success envelope, the
strict JSON body, a required query id, the origin for URLs handed out.

The middleware that renders errors (`mock_server.http.envelope`) and the families' handlers
both build on these; they know nothing of a family or of the engine.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, cast

from aiohttp import web, web_app
from aiohttp.abc import AbstractStreamWriter
from pydantic_core import from_json

from mock_server.core.at_once import READY, write_at_once
from mock_server.core.encoding import encode, request_size
from mock_server.core.errors import InvalidParameters
from mock_server.core.settings import Settings

__all__ = [
    "MAX_DEPTH",
    "SETTINGS",
    "EnvelopeResponse",
    "base_url",
    "body_of",
    "decode_json",
    "forget_middleware_chains",
    "ok",
    "origin",
    "query_id",
    "read_json",
    "settings_of",
    "sized_json_of",
    "task_ok",
]

SETTINGS = web.AppKey("settings", Settings)
"""The server's settings (fixed for its life: a reset keeps them)."""


def forget_middleware_chains() -> None:
    """Let closed apps go: call it when an app that has middlewares is cleaned up.

    aiohttp caches the middleware chain it builds for each (handler, apps) pair, 1,024 of
    them, and each entry holds its apps: a closed app, with its engine, journal, tasks and
    event loop, stays in memory until 1,024 newer pairs push it out. A suite that starts a
    server per test kept its last ~1,000 servers (270 objects a test), and each full garbage
    collection of the process grew slower with them. The cache is aiohttp's, not public: when
    it is not there (another aiohttp), there is nothing to do. The apps still running rebuild
    their chain at their next request."""
    clear = getattr(getattr(web_app, "_cached_build_middleware", None), "cache_clear", None)
    if callable(clear):
        clear()


def settings_of(request: web.Request) -> Settings:
    """The settings of the server this request reached."""
    return request.app[SETTINGS]


_JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}


class EnvelopeResponse(web.Response):
    """A JSON envelope that remembers its payload, for the journal."""

    def __init__(
        self, payload: dict[str, Any] | None, status: int, body: bytes | None = None
    ) -> None:
        """`payload` None: `body` is its bytes, decoded when the payload is asked for (the
        log at INFO level; a submit's answer is not kept twice)."""
        raw = encode(payload) if body is None else body
        if status == 200 and _LEAN is not None:  # what aiohttp's __init__ sets, set directly
            headers, self._reason, self._zlib_executor_size = _LEAN
            self._state, self._headers, self._status = {}, headers(_JSON_HEADERS), 200
            self._body, self._compressed_body, self._zlib_executor = raw, None, None
        else:
            super().__init__(body=raw, status=status, headers=_JSON_HEADERS)
        self._payload = payload
        self.raw = raw
        """The body's bytes (aiohttp's `body` is typed for every kind of payload)."""

    async def prepare(self, request: web.BaseRequest) -> AbstractStreamWriter | None:
        """A 200 of up to 64 KiB is written in one go, unless something asks for aiohttp's
        own preparation (docs/performance.md, "Answers written at once")."""
        if READY and write_at_once(self, request):
            return None
        return await super().prepare(request)

    @property
    def payload(self) -> dict[str, Any]:
        if self._payload is None:
            self._payload = cast(dict[str, Any], json.loads(self.raw))
        return self._payload


def _lean() -> tuple[Any, str, int] | None:
    """What `EnvelopeResponse` sets for a 200 without aiohttp's `Response.__init__` (its
    headers' class, its reason and its compression threshold), if that `__init__` sets
    exactly those private attributes, else None: the lean way is taken only with an aiohttp
    whose answer it makes the same (see docs/performance.md, "Answers made lean")."""
    made = web.Response(body=b"{}", status=200, headers=_JSON_HEADERS)
    fields = vars(made)
    expected = {"_state", "_headers", "_status", "_reason", "_body", "_compressed_body"}
    if (
        set(fields) != expected | {"_zlib_executor_size", "_zlib_executor"}
        or fields["_state"] != {}
        or dict(fields["_headers"]) != _JSON_HEADERS
        or (fields["_status"], fields["_body"]) != (200, b"{}")
        or fields["_compressed_body"] is not None
        or fields["_zlib_executor"] is not None
    ):
        return None
    return type(fields["_headers"]), fields["_reason"], fields["_zlib_executor_size"]


_LEAN = _lean()


def ok(data: Any, msg: str = "success") -> web.Response:
    """The success envelope."""
    return EnvelopeResponse({"code": 200, "msg": msg, "data": data}, status=200)


def task_ok(task_id: str) -> EnvelopeResponse:
    """`ok({"taskId": task_id})`, its bytes written around the one JSON string in it: every
    submit answers this, and the encoder costs more than the rest of the answer (see
    docs/performance.md, "Answers written by hand")."""
    body = _TASK_OK_HEAD + encode(task_id) + b"}}"  # a str alone takes the encoder's fast path
    return EnvelopeResponse(None, 200, body)


_TASK_OK_HEAD = b'{"code":200,"msg":"success","data":{"taskId":'


def base_url(request: web.Request) -> str:
    """Origin for URLs handed out: `public_base_url`, else the origin the client used."""
    return request.app[SETTINGS].public_base_url or origin(request)


def origin(request: web.Request) -> str:
    """The origin the client used (`base_url` when no `public_base_url` is set)."""
    return f"{request.scheme}://{request.host}"


async def read_json(request: web.Request) -> Any:
    """The decoded JSON body, or the API error that explains what is wrong with it."""
    raw = await request.read()
    _check_content_type(request)
    return _decoded(raw)[0]


def sized_json_of(request: web.Request, raw: bytes) -> tuple[Any, int]:
    """`read_json` of a request whose body `raw` is read already (one coroutine less a submit:
    see docs/performance.md, "Submits without a coroutine to spare"), and about how many bytes
    the decoded value takes (at least what `encoding.request_size` counts): a flat object's
    is told from the text, its length and its number of fields, without a walk (see
    docs/performance.md, "Request sizes from the text")."""
    _check_content_type(request)
    value, flat = _decoded(raw)
    if flat:  # its keys' and strings' characters are at most the text's bytes
        return value, 64 + len(raw) + 100 * len(value)
    return value, request_size(value)


def _check_content_type(request: web.Request) -> None:
    # The header as sent is compared first: parsing it costs a submit more than a compare.
    if (
        request.headers.get("Content-Type") != "application/json"
        and request.content_type != "application/json"
    ):
        raise InvalidParameters(
            f"Content-Type: must be application/json, got {request.content_type!r}"
        )


def decode_json(raw: bytes) -> Any:
    """Strict JSON from a request body (API and control plane): UTF-8, finite numbers, at most
    MAX_DEPTH levels deep, and only strings that can be encoded again (no lone surrogates)."""
    return _decoded(raw)[0]


def _decoded(raw: bytes) -> tuple[Any, bool]:
    """`decode_json`'s value, and whether it is a flat object (one `{`, no `[` in the text:
    nearly every request)."""
    if not raw or raw.isspace():  # the same bytes as `strip()` removes, without a copy
        raise InvalidParameters("body: empty; send a JSON object")
    # bytes.find runs at C speed (memchr); count looks at each byte in a loop of its own.
    first = raw.find(b"{")
    flat = first >= 0 and raw.find(b"{", first + 1) < 0 and raw.find(b"[") < 0
    try:
        # pydantic-core's parser is 4x the standard one's speed; it refuses NaN, Infinity, a
        # BOM and lone surrogates, which the standard decoder below then handles (or explains).
        value = from_json(raw, allow_inf_nan=False)
    except ValueError:
        value = _standard(raw)
    else:
        if flat and type(value) is dict:  # hashed in C, no walk (all hashable scalars)
            overflowed = not _INFINITIES.isdisjoint(value.values())
        else:
            overflowed = _overflowed(value)
        if overflowed:  # a number too large for a float: the standard message
            value = _standard(raw)
    flat = flat and type(value) is dict
    # Both checks walk the value, so they run only when the raw text makes them possible
    # (a nested value, a `\\u` escape; the submit path stays fast).
    if (not flat and raw.count(b"{") + raw.count(b"[") > MAX_DEPTH) or (
        b"\\u" in raw and _SURROGATE_ESCAPE.search(raw)
    ):
        _check_value(value)
    return value, flat


def _standard(raw: bytes) -> Any:
    """The standard library's decoder, with its messages for what is wrong."""
    try:
        return _DECODER.decode(raw.decode("utf-8-sig"))  # RFC 8259: UTF-8 (a BOM is tolerated)
    except RecursionError as err:
        raise InvalidParameters(
            f"body: JSON nested too deeply (more than {MAX_DEPTH} levels)"
        ) from err
    except (UnicodeDecodeError, ValueError) as err:
        raise InvalidParameters(f"body: malformed JSON ({err}); send a JSON object") from err


MAX_DEPTH = 64
"""Deepest JSON body accepted; real request bodies are two levels deep."""
_INFINITY = (math.inf, -math.inf)
_INFINITIES = frozenset(_INFINITY)


def _overflowed(value: Any) -> bool:
    """Whether a decoded value holds a float that overflowed to infinity (a walk: a regex
    over the raw text costs more than decoding it)."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
        elif kind is float and item in _INFINITY:
            return True
    return False


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
"""A UTF-16 surrogate escape; only these can put an unencodable string into decoded JSON
(raw UTF-8 with a surrogate fails to decode)."""


def _where(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    # A key may itself hold the bad character; the message must stay encodable.
    return text.encode("utf-8", "backslashreplace").decode() or "body"


def _check_value(value: Any) -> None:
    """Reject what cannot round-trip: nesting past MAX_DEPTH and strings holding a lone
    surrogate (a pair decodes to one character; a lone half cannot be written as UTF-8, so
    it would crash the journal, record-info and callbacks later)."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if len(path) > MAX_DEPTH:
            raise InvalidParameters(f"body: JSON nested too deeply (more than {MAX_DEPTH} levels)")
        if isinstance(item, str):
            _check_text(item, path)
        elif isinstance(item, dict):
            for key, child in item.items():
                _check_text(key, (*path, key))
                stack.append((child, (*path, key)))
        elif isinstance(item, list):
            stack.extend((child, (*path, i)) for i, child in enumerate(item))


def _check_text(text: str, path: tuple[str | int, ...]) -> None:
    try:
        text.encode()
    except UnicodeEncodeError as err:
        raise InvalidParameters(
            f"{_where(path)}: contains a lone UTF-16 surrogate "
            f"(\\u{ord(text[err.start]):04x}), which is not valid Unicode; send the character "
            "as UTF-8 or as a complete surrogate pair"
        ) from err


async def body_of(request: web.Request) -> dict[str, Any]:
    """The JSON object a request carries, or the 400 that says why not."""
    raw = await read_json(request)
    if not isinstance(raw, dict):
        raise InvalidParameters(f"body: must be a JSON object, got a JSON {type(raw).__name__}")
    return raw


def query_id(request: web.Request, name: str) -> str:
    """A required id in the query string (`?taskId=`), or the 400 that names it."""
    value = request.query.get(name, "").strip()
    if not value:
        raise InvalidParameters(f"{name}: required query parameter (?{name}=<id from submit>)")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text} is out of range")
    return value


_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite)
"""Strict JSON: NaN, Infinity and numbers out of float range are errors, as in real parsers."""
