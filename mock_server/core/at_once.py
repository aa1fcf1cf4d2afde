"""A request body taken in one go, and a small 200 answer written in one go, as aiohttp would
take and write them, without its read loop and its preparation (see docs/performance.md,
"Bodies read at once" and "Answers written at once").

A body that has all arrived, in one piece, is taken from aiohttp's buffer by `read_at_once`
and left as `request.read()` leaves it; anything else (a body still arriving, chunked, in
pieces, over the app's `client_max_size`, a connection whose reading is paused) is read by
aiohttp.

aiohttp prepares every answer in a dozen steps (keep-alive, cookies, compression, chunking,
the length check, the prepare signal, the headers' serializer, the payload writer), about a
tenth of a submit's whole cost. An answer that needs none of them (a 200 with a bytes body of
at most `AT_ONCE_MAX` and only its Content-Type header, to a keep-alive HTTP/1.1 request that
is not HEAD, in an app with no `on_response_prepare` handler) is written by `write_at_once`
instead, and the response is left as aiohttp would leave it. Anything else, and any aiohttp
whose responses or requests lack the state this relies on (`READY`, the `AttributeError`
guards), takes aiohttp's own way.
"""

from __future__ import annotations

from aiohttp import hdrs, web
from aiohttp.helpers import rfc822_formatted_time
from aiohttp.http import SERVER_SOFTWARE, HttpVersion11

__all__ = ["AT_ONCE_MAX", "READY", "read_at_once", "read_body", "write_at_once"]

AT_ONCE_MAX = 64 * 1024
"""The largest body written at once: it fits the socket's buffer and never waits for the
client (a larger one takes aiohttp's way, with the write timeout around it)."""

_STATE = (
    "_payload_writer", "_eof_sent", "_cookies", "_compression", "_chunked", "_keep_alive",
    "_body_length", "_headers", "_status", "_reason", "_body",
)  # fmt: skip
"""What aiohttp's `StreamResponse` keeps and reads back after an answer is sent."""


def _ready() -> bool:
    """Whether this aiohttp's responses keep the state `write_at_once` reads and sets."""
    made = web.Response(body=b"{}", status=200, content_type="application/json")
    return all(hasattr(made, name) for name in _STATE)


READY = _ready()


def read_at_once(request: web.BaseRequest) -> bytes | None:
    """`request`'s body, when it has all arrived in one piece (or was read before), taken as
    `request.read()` takes it; None: await `request.read()`. Its read loop, its flow control
    and its re-parse cost a small body more than the rest of its reading: a body that has
    arrived, below the low-water mark, on a connection that is not paused needs none of it."""
    try:
        known = request._read_bytes
        if known is not None:
            return known
        payload, protocol = request._payload, request._protocol
        buffer = payload._buffer
        if (
            not payload._eof
            or payload._exception is not None
            or len(buffer) != 1
            or payload._buffer_offset
            or payload._http_chunk_splits is not None
            or payload._size >= payload._low_water
            or protocol._reading_paused
        ):
            return None
        data = buffer[0]
        if type(data) is not bytes or len(data) > request._client_max_size:
            return None
        buffer.popleft()
        payload._size -= len(data)
        payload._cursor += len(data)
        request._read_bytes = data
    except AttributeError:  # another aiohttp
        return None
    return data


async def read_body(request: web.BaseRequest) -> bytes:
    """`request.read()`, with a body that has all arrived (or was read before) taken at once
    (`read_at_once`)."""
    body = read_at_once(request)
    return body if body is not None else await request.read()


def write_at_once(response: web.Response, request: web.BaseRequest) -> bool:
    """Write `response` and its headers to `request`'s connection in one write, when nothing
    asks for aiohttp's own preparation; False: nothing was written, take aiohttp's way.
    Raises ConnectionResetError, as aiohttp's writer does, when the client has gone."""
    body = response._body
    if (
        type(request) is not web.Request
        or type(body) is not bytes
        or len(body) > AT_ONCE_MAX
        or response._status != 200
        or response._payload_writer is not None
        or response._eof_sent
        or response._cookies
        or response._compression
        or response._chunked
        or response._keep_alive is not None
        or len(response._headers) != 1
    ):
        return False
    try:  # the parsed request line and the apps it went through, read without a property each
        message, match_info = request._message, request._match_info
        apps = match_info._apps if match_info is not None else ()
    except AttributeError:  # another aiohttp
        return False
    if message.version != HttpVersion11 or message.method == hdrs.METH_HEAD or message.should_close:
        return False
    content_type = response._headers.get(hdrs.CONTENT_TYPE)
    if content_type is None:
        return False
    for app in apps:
        if app.on_response_prepare:
            return False
    transport = request.transport
    if transport is None or transport.is_closing():
        raise ConnectionResetError("Cannot write to closing transport")
    size, date = str(len(body)), rfc822_formatted_time()
    # The headers in aiohttp's order: Content-Length (its Response._start), Date, Server.
    response._headers.extend(
        ((hdrs.CONTENT_LENGTH, size), (hdrs.DATE, date), (hdrs.SERVER, SERVER_SOFTWARE))
    )
    data = (
        f"HTTP/1.1 200 {response._reason}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {size}\r\nDate: {date}\r\nServer: {SERVER_SOFTWARE}\r\n\r\n"
    ).encode() + body
    transport.write(data)
    # What aiohttp's prepare and write_eof leave: sent, kept alive, its length counted.
    response._keep_alive = True
    response._eof_sent = True
    response._body_length = len(data)
    return True
