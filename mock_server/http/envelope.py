"""The API middleware: authentication, the real error envelope, and the request journal.

Every failure — a business rule, malformed JSON, an oversized body, an unknown route, a bug in
the mock — reaches the client as `{"code": <code>, "msg": "...", "data": null}`, never as a
traceback or an HTML page. Business codes travel in the body with HTTP 200 (documented
behaviour) unless `mirror_http_status` is set; routes outside `/api/` (files, control plane)
always use the code as the HTTP status.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from mock_server.core.at_once import read_body
from mock_server.core.errors import (
    ApiError,
    DropConnection,
    NotFound,
    ServerError,
    TooLong,
    Unauthorized,
)
from mock_server.core.settings import Settings
from mock_server.core.web import EnvelopeResponse
from mock_server.http.keys import ENGINE, UNMATCHED
from mock_server.service.engine import Engine

__all__ = ["api_middleware", "unmatched_handler"]

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
UPLOAD_PREFIX = "/api/file-"
"""The File Upload API: its own size limit, `success` in its envelope, bodies not journaled."""
UPLOAD_AUTH_MSG = "Authentication failed: Invalid API Key"


def _error(err: ApiError, *, mirror: bool, upload: bool = False) -> web.Response:
    payload: dict[str, Any] = {"code": err.code, "msg": err.msg, "data": err.data}
    if upload:
        payload = {"success": False, **payload}
    return EnvelopeResponse(payload, status=err.code if mirror else 200)


def _authenticate(request: web.Request, keys: tuple[str, ...], upload: bool) -> str:
    """The caller's API key, or the 401 that says what is wrong with it (the File Upload API
    words it as its page does)."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):  # as nearly every client sends it: one slice, no parse
        key = header[7:].strip()
    else:
        scheme, _, key = header.partition(" ")
        key = key.strip() if scheme.lower() == "bearer" else ""
    if not key:
        raise Unauthorized(
            UPLOAD_AUTH_MSG
            if upload
            else "Unauthorized: missing or malformed Authorization header; "
            "send 'Authorization: Bearer <your API key>'"
        )
    if keys and key not in keys:
        raise Unauthorized(UPLOAD_AUTH_MSG if upload else "Unauthorized: invalid API key")
    return key


async def unmatched_handler(request: web.Request) -> web.StreamResponse:
    """The handler of the route that takes what no other matches: never called (the API
    middleware answers its requests with the API's 404 first)."""
    raise web.HTTPNotFound


async def _unmatched(request: web.Request) -> NotFound:
    """Unknown path or wrong method: the API's 404 ("invalid request method or path"), with
    the methods the path allows when it has routes (what aiohttp's 405 would have listed)."""
    methods: set[str] = set()
    for resource in request.app.router.resources():
        if resource.name != UNMATCHED:
            methods |= (await resource.resolve(request))[1]
    allowed = f" (allowed: {', '.join(sorted(methods))})" if methods else ""
    return NotFound(f"Invalid request method or path: {request.method} {request.path}{allowed}")


def _journal(
    engine: Engine, request: web.Request, raw: bytes | None, response: web.StreamResponse | None
) -> None:
    """Record the request; `response` None means no answer was sent (HTTP status 0)."""
    envelope = response if type(response) is EnvelopeResponse else None
    status = response.status if response is not None else 0
    engine.journal.add_request(  # positional: keywords cost every request
        engine.clock.now(),
        request.method,
        request.path,
        dict(request.query) if request.query_string else {},
        raw,
        status,
        envelope.raw if envelope is not None else None,
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


def _mirror(settings: Settings, is_api: bool, upload: bool) -> bool:
    """Whether an error's code is also the HTTP status: the File Upload API's page documents
    HTTP 400/401/500, the api/v1 family's HTTP 200."""
    if settings.mirror_http_status or not is_api:
        return True
    return upload and not settings.upload_api_http_200


@web.middleware
async def api_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    engine = request.app[ENGINE]
    settings = engine.settings
    path = request.path
    is_api = path.startswith(API_PREFIX)
    upload = is_api and path.startswith(UPLOAD_PREFIX)
    raw: bytes | None = None
    response: web.StreamResponse | None
    try:
        if upload and request.body_exists:
            raw = f"<{request.content_length or '?'} bytes of upload, not journaled>".encode()
        elif is_api and request.body_exists:  # read here, not in a coroutine of its own
            # Over the limit, a note is journaled instead: a declared Content-Length over it
            # is refused before a byte is read, a chunked body once it passes it (the app's
            # client_max_size is the same limit).
            limit, declared = settings.max_body_bytes, request.content_length
            if declared is not None and declared > limit:
                raw = f"<body of {declared} bytes over {limit}, not read>".encode()
                raise web.HTTPRequestEntityTooLarge(limit, declared)
            try:  # a body that has all arrived is taken without aiohttp's read loop
                raw = await read_body(request)
            except web.HTTPRequestEntityTooLarge:
                raw = f"<body over {limit} bytes, not read>".encode()
                raise
        if handler is unmatched_handler:  # the route no other matched
            raise await _unmatched(request)
        if is_api:
            key = _authenticate(request, settings.api_keys, upload)
            # Polling is not counted; with no rate limit there is nothing to count.
            if not upload and request.method == "POST" and settings.rate_limit is not None:
                engine.account.admit(key)
        response = await handler(request)
    except ApiError as err:
        response = _error(err, mirror=_mirror(settings, is_api, upload), upload=upload)
    except DropConnection:
        if request.transport is not None:
            request.transport.close()
        log.info("%s %s -> connection dropped (scenario)", request.method, path)
        response = None
    except web.HTTPRequestEntityTooLarge:
        response = _error(
            TooLong(f"body: larger than {settings.max_body_bytes} bytes (setting max_body_bytes)"),
            mirror=_mirror(settings, is_api, upload),
        )
    except web.HTTPException:
        raise
    except Exception as err:
        log.exception("bug in the mock while handling %s %s", request.method, path)
        engine.errors.append(err)
        response = _error(
            ServerError(f"Server error: the mock crashed ({err.__class__.__name__}: {err})"),
            mirror=_mirror(settings, is_api, upload),
        )
    if is_api:
        _journal(engine, request, raw, response)
    return response or web.Response()  # after a dropped connection nothing is sent
