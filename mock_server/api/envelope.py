"""The API middleware: authentication, the real error envelope, and the request journal.

Every failure — a business rule, malformed JSON, an oversized body, an unknown route, a bug in
the mock — reaches the client as `{"code": <code>, "msg": "...", "data": null}`, never as a
traceback or an HTML page. Business codes travel in the body with HTTP 200 (documented
behaviour) unless `mirror_http_status` is set; routes outside `/api/` (files, control plane)
always use the code as the HTTP status.
"""

from __future__ import annotations

import json
import logging
import math
import re
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler
from pydantic_core import from_json

from mock_server.api.keys import ENGINE
from mock_server.engine import Engine
from mock_server.errors import (
    ApiError,
    DropConnection,
    InvalidParameters,
    NotFound,
    ServerError,
    TooLong,
    Unauthorized,
)
from mock_server.payloads import encode

__all__ = [
    "api_middleware",
    "base_url",
    "body_of",
    "decode_json",
    "ok",
    "query_id",
    "read_json",
    "task_ok",
]

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
UPLOAD_PREFIX = "/api/file-"
"""The File Upload API: its own size limit, `success` in its envelope, bodies not journaled."""
UPLOAD_AUTH_MSG = "Authentication failed: Invalid API Key"
_JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}


class EnvelopeResponse(web.Response):
    """A JSON envelope that remembers its payload, for the journal."""

    def __init__(self, payload: dict[str, Any], status: int, body: bytes | None = None) -> None:
        raw = encode(payload) if body is None else body
        super().__init__(body=raw, status=status, headers=_JSON_HEADERS)
        self.payload = payload
        self.raw = raw
        """The body's bytes (aiohttp's `body` is typed for every kind of payload)."""


def ok(data: Any, msg: str = "success") -> web.Response:
    """The success envelope."""
    return EnvelopeResponse({"code": 200, "msg": msg, "data": data}, status=200)


def task_ok(task_id: str) -> EnvelopeResponse:
    """`ok({"taskId": task_id})`, its bytes written around the one JSON string in it: every
    submit answers this, and the encoder costs more than the rest of the answer (see
    docs/performance.md, "Answers written by hand")."""
    body = _TASK_OK_HEAD + encode(task_id) + b"}}"  # a str alone takes the encoder's fast path
    return EnvelopeResponse({"code": 200, "msg": "success", "data": {"taskId": task_id}}, 200, body)


_TASK_OK_HEAD = b'{"code":200,"msg":"success","data":{"taskId":'


def _error(err: ApiError, *, mirror: bool, upload: bool = False) -> web.Response:
    payload: dict[str, Any] = {"code": err.code, "msg": err.msg, "data": err.data}
    if upload:
        payload = {"success": False, **payload}
    return EnvelopeResponse(payload, status=err.code if mirror else 200)


def base_url(request: web.Request) -> str:
    """Origin for URLs handed out: `public_base_url`, else the origin the client used."""
    configured = request.app[ENGINE].settings.public_base_url
    return configured or f"{request.scheme}://{request.host}"


async def read_json(request: web.Request) -> Any:
    """The decoded JSON body, or the API error that explains what is wrong with it."""
    # The header as sent is compared first: parsing it costs a submit more than a compare.
    if (
        request.headers.get("Content-Type") != "application/json"
        and request.content_type != "application/json"
    ):
        raise InvalidParameters(
            f"Content-Type: must be application/json, got {request.content_type!r}"
        )
    return decode_json(await request.read())


def decode_json(raw: bytes) -> Any:
    """Strict JSON from a request body (API and control plane): UTF-8, finite numbers, at most
    MAX_DEPTH levels deep, and only strings that can be encoded again (no lone surrogates)."""
    if not raw.strip():
        raise InvalidParameters("body: empty; send a JSON object")
    braces, brackets = raw.count(b"{"), raw.count(b"[")
    try:
        # pydantic-core's parser is 4x the standard one's speed; it refuses NaN, Infinity, a
        # BOM and lone surrogates, which the standard decoder below then handles (or explains).
        value = from_json(raw, allow_inf_nan=False)
    except ValueError:
        value = _standard(raw)
    else:
        if braces == 1 and not brackets and type(value) is dict:  # flat: the usual body
            values = value.values()  # compared in C, no walk
            overflowed = _INFINITY[0] in values or _INFINITY[1] in values
        else:
            overflowed = _overflowed(value)
        if overflowed:  # a number too large for a float: the standard message
            value = _standard(raw)
    # Both checks walk the value, so they run only when the raw text makes them possible
    # (bytes.count and `in` run at C speed; the submit path stays fast).
    if braces + brackets > MAX_DEPTH or (b"\\u" in raw and _SURROGATE_ESCAPE.search(raw)):
        _check_value(value)
    return value


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


def _authenticate(request: web.Request, keys: tuple[str, ...], *, upload: bool = False) -> str:
    """The caller's API key, or the 401 that says what is wrong with it (the File Upload API
    words it as its page does)."""
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthorized(
            UPLOAD_AUTH_MSG
            if upload
            else "Unauthorized: missing or malformed Authorization header; "
            "send 'Authorization: Bearer <your API key>'"
        )
    if keys and key.strip() not in keys:
        raise Unauthorized(UPLOAD_AUTH_MSG if upload else "Unauthorized: invalid API key")
    return key.strip()


def _check_route(request: web.Request) -> None:
    """Unknown path or wrong method: the API's 404 ("invalid request method or path")."""
    route_error = request.match_info.http_exception
    if route_error is None:
        return
    allowed = ""
    if isinstance(route_error, web.HTTPMethodNotAllowed):
        allowed = f" (allowed: {', '.join(sorted(route_error.allowed_methods))})"
    raise NotFound(f"Invalid request method or path: {request.method} {request.path}{allowed}")


def _journal(
    engine: Engine, request: web.Request, raw: bytes | None, response: web.StreamResponse | None
) -> None:
    """Record the request; `response` None means no answer was sent (HTTP status 0)."""
    envelope = response if type(response) is EnvelopeResponse else None
    status = response.status if response is not None else 0
    engine.journal.add_request(
        at=engine.clock.now(),
        method=request.method,
        path=request.path,
        query=dict(request.query) if request.query_string else {},
        raw_body=raw,
        http_status=status,
        raw_response=envelope.raw if envelope is not None else None,
    )
    if response is not None and log.isEnabledFor(logging.INFO):
        code = envelope.payload.get("code") if envelope is not None else None
        msg = envelope.payload.get("msg") if envelope is not None else None
        log.info(
            "%s %s -> %d code=%s%s",
            request.method,
            request.path,
            status,
            code,
            f" {msg}" if code not in (None, 200) else "",
            extra={
                "event": "request",
                "method": request.method,
                "path": request.path,
                "status": status,
                "code": code,
                "api_msg": msg,
            },
        )


async def _read_capped(request: web.Request, limit: int) -> tuple[bytes, bool]:
    """The body and False, or a note for the journal and True when it is over `limit`: a
    declared Content-Length over it is refused before a byte is read, a chunked body once it
    passes it (the app's client_max_size is the same limit)."""
    declared = request.content_length
    if declared is not None and declared > limit:
        return f"<body of {declared} bytes over {limit}, not read>".encode(), True
    try:
        return await request.read(), False
    except web.HTTPRequestEntityTooLarge:
        return f"<body over {limit} bytes, not read>".encode(), True


@web.middleware
async def api_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    engine = request.app[ENGINE]
    settings = engine.settings
    is_api = request.path.startswith(API_PREFIX)
    upload = request.path.startswith(UPLOAD_PREFIX)
    # The File Upload API's page documents HTTP 400/401/500; the api/v1 family's, HTTP 200.
    mirror = (
        settings.mirror_http_status or not is_api or (upload and not settings.upload_api_http_200)
    )
    raw: bytes | None = None
    response: web.StreamResponse | None
    try:
        if upload and request.body_exists:
            raw = f"<{request.content_length or '?'} bytes of upload, not journaled>".encode()
        elif is_api and request.body_exists:
            raw, too_long = await _read_capped(request, settings.max_body_bytes)
            if too_long:
                raise web.HTTPRequestEntityTooLarge(settings.max_body_bytes, len(raw))
        _check_route(request)
        if is_api:
            key = _authenticate(request, settings.api_keys, upload=upload)
            if not upload and request.method == "POST":  # polling is not counted
                engine.account.admit(key)
        response = await handler(request)
    except ApiError as err:
        response = _error(err, mirror=mirror, upload=upload)
    except DropConnection:
        if request.transport is not None:
            request.transport.close()
        log.info("%s %s -> connection dropped (scenario)", request.method, request.path)
        response = None
    except web.HTTPRequestEntityTooLarge:
        response = _error(
            TooLong(f"body: larger than {settings.max_body_bytes} bytes (setting max_body_bytes)"),
            mirror=mirror,
        )
    except web.HTTPException:
        raise
    except Exception as err:
        log.exception("bug in the mock while handling %s %s", request.method, request.path)
        engine.errors.append(err)
        response = _error(
            ServerError(f"Server error: the mock crashed ({err.__class__.__name__}: {err})"),
            mirror=mirror,
        )
    if is_api:
        _journal(engine, request, raw, response)
    return response or web.Response()  # after a dropped connection nothing is sent
