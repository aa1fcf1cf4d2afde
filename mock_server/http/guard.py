"""What the server refuses before a handler runs: cross-site, rebound or unauthenticated
requests to the /__mock__/ control plane, and request bodies that take too long to arrive.

The control plane can reset the mock, switch scenarios and read every journaled body, so a web
page in the user's browser must not reach it (CSRF, DNS rebinding), and neither may the network
when the mock listens on more than loopback:

- a POST must say `Content-Type: application/json` (a cross-site page can send text/plain or a
  form without asking the browser first; JSON needs a CORS preflight, which we never grant);
- an `Origin` header must be the server's own origin;
- the `Host` must be a loopback name, the address the server is bound to, or the host of
  `public_base_url` (a rebound DNS name carries its own Host);
- with a token (`control_token`, generated when bound to a non-loopback address) every request
  carries it: header `X-Suno-Mock-Token`, or the dashboard opened once as `/__mock__/?token=`,
  which sets a SameSite=Strict, HttpOnly cookie for the dashboard's own requests.

`/__mock__/health` stays open (a container's HEALTHCHECK), and so do POSTs to the inbox
(`/__mock__/inbox/NAME`, a callback receiver), which keep only the Host, Origin and JSON rules.
The API under `/api/` keeps its own Bearer rules.
"""

from __future__ import annotations

import asyncio
import hmac
import logging

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.typedefs import Handler
from yarl import URL

from mock_server.core.errors import ApiError, TooLong, Unauthorized
from mock_server.core.net import Exposure, is_loopback
from mock_server.http.keys import ENGINE, EXPOSURE

__all__ = [
    "CONTROL_PREFIX",
    "TOKEN_COOKIE",
    "TOKEN_HEADER",
    "body_deadline",
    "control_guard",
    "quiet_bad_requests",
    "same_token",
    "send_within",
]

log = logging.getLogger(__name__)

CONTROL_PREFIX = "/__mock__"
# Names of where a token travels, not secrets.
TOKEN_HEADER = "X-Suno-Mock-Token"  # noqa: S105
TOKEN_COOKIE = "suno_mock_token"  # noqa: S105
TOKEN_QUERY = "token"  # noqa: S105
OPEN_PATHS = frozenset({"/__mock__/health"})
INBOX_PREFIX = "/__mock__/inbox/"
"""POSTs here are callbacks (the mock's own, or a probe's): no token, since a sender of
callbacks has none, and the API's body limit, since a callback is as large as the API makes
it. Reading what arrived needs the token as any other control call."""


class Forbidden(ApiError):
    code = 403
    default_msg = "Forbidden"


class UnsupportedMediaType(ApiError):
    code = 415
    default_msg = "Unsupported media type"


def _exposure(request: web.Request) -> Exposure:
    found = request.app.get(EXPOSURE)
    if found is not None:
        return found
    return Exposure(token=request.app[ENGINE].settings.control_token)


def _host_name(host_header: str) -> str:
    """The host of a Host header, without port or brackets."""
    if host_header.startswith("["):
        return host_header[1:].partition("]")[0].lower()
    return host_header.rpartition(":")[0].lower() if ":" in host_header else host_header.lower()


def _public_host(request: web.Request) -> str | None:
    public = request.app[ENGINE].settings.public_base_url
    return URL(public).host if public else None


def _check_host(request: web.Request, exposure: Exposure) -> None:
    if exposure.wildcard:
        return  # every name of the machine is fine; the token protects it
    host = _host_name(request.headers.get("Host", ""))
    allowed = {exposure.host.strip("[]").lower(), (_public_host(request) or "").lower()}
    if is_loopback(host) or host in allowed:
        return
    raise Forbidden(
        f"control plane: Host {host[:100]!r} is not this server's (bound to {exposure.host}); "
        "a DNS name that points here from elsewhere is refused (DNS rebinding)"
    )


def _check_origin(request: web.Request) -> None:
    origin = request.headers.get("Origin")
    if origin is None:
        return  # not a browser's cross-origin request (curl, a test's client, a navigation)
    own = {f"{request.scheme}://{request.host}".lower()}
    public = request.app[ENGINE].settings.public_base_url
    if public:
        own.add(str(URL(public).origin()).lower())
    if origin.lower().rstrip("/") not in own:
        raise Forbidden(
            f"control plane: cross-site request from Origin {origin[:100]!r} refused; "
            "only pages served by the mock itself may call it"
        )


def _given_token(request: web.Request) -> tuple[str | None, bool]:
    """The token the request carries and whether it came in the query string."""
    if header := request.headers.get(TOKEN_HEADER):
        return header, False
    if query := request.query.get(TOKEN_QUERY):
        return query, True
    return request.cookies.get(TOKEN_COOKIE), False


def same_token(given: str | None, token: str) -> bool:
    """Whether `given` is `token`, compared as bytes in constant time. A header or cookie
    whose bytes are not UTF-8 arrives with surrogate escapes: those encode too (to bytes no
    token has), so any text received is simply a wrong token."""
    if given is None:
        return False
    return hmac.compare_digest(
        given.encode("utf-8", "surrogatepass"), token.encode("utf-8", "surrogatepass")
    )


def _check_token(request: web.Request, exposure: Exposure) -> bool:
    """True when the token came in the query (the dashboard's first load)."""
    if exposure.token is None:
        return False
    given, from_query = _given_token(request)
    if not same_token(given, exposure.token):
        raise Unauthorized(
            "control plane: missing or wrong token; send header "
            f"{TOKEN_HEADER}: <token> (printed by `suno-mock serve`, setting control_token), "
            "or open the dashboard as /__mock__/?token=<token>"
        )
    return from_query


async def _bounded(
    request: web.Request, limit: int, setting: str = "control_max_body_bytes"
) -> web.Request:
    """The request with its body read, held to the control plane's own size limit."""
    if request.content_type != "application/json":
        raise UnsupportedMediaType(
            f"Content-Type: must be application/json, got {request.content_type!r} "
            "(control-plane POSTs are JSON, which a cross-site page cannot send unasked)"
        )
    too_long = TooLong(f"body: larger than {limit} bytes (setting {setting})")
    if request.content_length is not None and request.content_length > limit:
        raise too_long
    bounded = request.clone(client_max_size=limit)
    try:
        await bounded.read()
    except web.HTTPRequestEntityTooLarge as err:
        raise too_long from err
    return bounded


@web.middleware
async def control_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse control-plane requests that are cross-site, rebound or without the token."""
    path = request.path
    if not (path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")) or (
        path in OPEN_PATHS and request.method in ("GET", "HEAD")
    ):
        return await handler(request)
    exposure = _exposure(request)
    _check_host(request, exposure)
    _check_origin(request)
    settings = request.app[ENGINE].settings
    if request.method == "POST" and path.startswith(INBOX_PREFIX):
        return await handler(await _bounded(request, settings.max_body_bytes, "max_body_bytes"))
    from_query = _check_token(request, exposure)
    if request.method not in ("GET", "HEAD"):
        request = await _bounded(request, settings.control_max_body_bytes)
    response = await handler(request)
    if from_query and exposure.token is not None:
        # The dashboard's own fetches and event stream then carry it; SameSite=Strict keeps
        # it off every request another site starts.
        response.set_cookie(
            TOKEN_COOKIE,
            exposure.token,
            path=CONTROL_PREFIX + "/",
            httponly=True,
            samesite="Strict",
        )
    return response


class BodyTimeout(web.HTTPRequestTimeout):
    """The body did not arrive within body_read_timeout (raised by the request's reads; an
    HTTPException, so the API middleware lets it through to `body_deadline`)."""


LINGER = 0.2
"""Real seconds the 408 has to reach a client before its connection closes: closing while it
is still sending resets the connection, which can discard the answer."""


@web.middleware
async def body_deadline(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A request's body must arrive in full within `body_read_timeout` of its headers: a
    client trickling bytes or never finishing a chunked body is answered 408 and cut off."""
    if not request.body_exists or request.content.is_eof():
        return await handler(request)
    timeout = request.app[ENGINE].settings.body_read_timeout

    def expire() -> None:
        if not request.content.is_eof():
            request.content.set_exception(BodyTimeout())

    timer = asyncio.get_running_loop().call_later(timeout, expire)
    try:
        return await handler(request)
    except BodyTimeout:
        log.warning(
            "%s %s: body not received within %g s (setting body_read_timeout); closing",
            request.method,
            request.path,
            timeout,
        )
        request.content.feed_eof()  # nothing more is read: no lingering on a trickle
        response = web.Response(
            status=408,
            text=f"body: not received within {timeout:g} s (setting body_read_timeout)\n",
            headers={"Connection": "close"},
        )
        response.force_close()
        await response.prepare(request)
        await response.write_eof()
        await asyncio.sleep(LINGER)
        return response
    finally:
        timer.cancel()


async def send_within(
    request: web.Request,
    response: web.StreamResponse,
    seconds: float,
    data: bytes = b"",
    chunk: int = 64 * 1024,
) -> None:
    """Send `response` (and `data` after it, in chunks) whole within `seconds` (setting
    write_timeout), or cut the connection: a client that never reads would otherwise hold
    it, and the answer's bytes, forever."""
    try:
        async with asyncio.timeout(seconds):
            await response.prepare(request)
            for at in range(0, len(data), chunk):
                await response.write(data[at : at + chunk])
            await response.write_eof()
    except TimeoutError:
        log.warning(
            "%s %s: answer not taken within %g s (setting write_timeout); closing",
            request.method,
            request.path,
            seconds,
        )
        if request.transport is not None:
            request.transport.abort()


class _OneLine(logging.Filter):
    """aiohttp logs a request it cannot parse with a full traceback; a client's malformed
    bytes are not the mock's bug, so they make one warning line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError):
            text = str(error.message or error).strip()
            first = text.splitlines()[0] if text else ""
            where = record.getMessage()
            record.msg = "%s: malformed HTTP request (%s: %s)"
            record.args = (where, type(error).__name__, first[:200])
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


_ONE_LINE = _OneLine()


def quiet_bad_requests() -> None:
    """Log malformed HTTP requests as one line each (idempotent)."""
    server_log = logging.getLogger("aiohttp.server")
    if _ONE_LINE not in server_log.filters:
        server_log.addFilter(_ONE_LINE)
