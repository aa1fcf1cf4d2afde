"""The front door every route's handler is wrapped in: the middlewares, composed by hand, and
the route that answers every request no other route matches (see docs/performance.md, "No
aiohttp middleware")."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from aiohttp import web
from aiohttp.typedefs import Handler

from mock_server.core.at_once import AT_ONCE_MAX
from mock_server.core.web import EnvelopeResponse
from mock_server.http.envelope import api_middleware, unmatched_handler
from mock_server.http.guard import CONTROL_PREFIX, body_deadline, control_guard, send_within
from mock_server.http.keys import ENGINE, UNMATCHED

__all__ = ["BUFFERED", "behind_front_door", "unmatched_route", "wrapped"]

BUFFERED = AT_ONCE_MAX
"""An answer up to this size fits the socket's buffer and never waits for the client."""


def behind_front_door(find: Callable[[], Handler]) -> Handler:
    """The route handler `find()` returns (asked at the route's first request: a family is
    imported when first reached) behind the middlewares, outermost first: `body_deadline`
    (only while a body is still arriving), `api_middleware` (every request), `control_guard`
    (control plane only). One coroutine for all of it: each layer of calls costs every
    request (see docs/performance.md, "No aiohttp middleware")."""
    found: Handler | None = None

    async def front_door(request: web.Request) -> web.StreamResponse:
        nonlocal found
        if found is None:
            found = find()
        handler = found
        if request.path.startswith(CONTROL_PREFIX) and handler is not unmatched_handler:
            handler = partial(control_guard, handler=handler)  # (the API middleware: 404 first)
        if request.body_exists and not request.content.is_eof():
            response = await body_deadline(request, partial(api_middleware, handler=handler))
        else:
            response = await api_middleware(request, handler)
        if type(response) is EnvelopeResponse:  # bytes: their length, without asking aiohttp
            large = len(response.raw) > BUFFERED
        else:
            large = isinstance(response, web.Response) and (response.content_length or 0) > BUFFERED
        if large:
            await send_within(request, response, request.app[ENGINE].settings.write_timeout)
        return response

    return front_door


def wrapped(handler: Handler) -> Handler:
    """`handler` behind the front door."""
    return behind_front_door(lambda: handler)


def unmatched_route() -> web.RouteDef:
    """The last route: any method, any path (the front door turns it into the 404 that names
    the methods the path allows, as aiohttp's own 404 and 405 would have said)."""
    return web.route("*", r"/{path:[\s\S]*}", wrapped(unmatched_handler), name=UNMATCHED)
