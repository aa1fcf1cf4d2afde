"""create_app(settings, clock) -> the aiohttp application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial

from aiohttp import web
from aiohttp.typedefs import Handler

from mock_server.core.clock import Clock, ScaledClock
from mock_server.core.settings import Settings
from mock_server.core.web import SETTINGS, EnvelopeResponse, forget_middleware_chains
from mock_server.families.family import BACKENDS
from mock_server.http.envelope import api_middleware
from mock_server.http.guard import (
    CONTROL_PREFIX,
    body_deadline,
    control_guard,
    quiet_bad_requests,
    send_within,
)
from mock_server.http.keys import ENGINE
from mock_server.http.routes import install_routes
from mock_server.service.engine import Engine

__all__ = ["create_app"]


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> web.Application:
    """The mock as an aiohttp app; run it with any aiohttp runner or test server."""
    settings = settings or Settings()
    quiet_bad_requests()
    engine = Engine(settings, clock or ScaledClock(1.0))
    # Every body is read up to max_body_bytes and no further (chunked ones too): the base64
    # upload reads its own with room for 4/3 of max_upload_bytes, the control plane with its
    # own limit, and a multipart upload counts its file as it streams.
    app = web.Application(middlewares=[front_door], client_max_size=settings.max_body_bytes)
    app[ENGINE] = engine
    app[SETTINGS] = settings
    app[BACKENDS] = engine.backends
    install_routes(app)

    async def lifecycle(_: web.Application) -> AsyncIterator[None]:
        await engine.start()
        yield
        await engine.close()
        forget_middleware_chains()

    async def end_streams(_: web.Application) -> None:
        engine.events.close()  # open event streams return, so shutdown does not wait on them

    app.cleanup_ctx.append(lifecycle)
    app.on_shutdown.append(end_streams)
    return app


@web.middleware
async def front_door(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The middlewares, outermost first: `body_deadline` (only while a body is still
    arriving), `api_middleware` (every request), `control_guard` (control plane only).
    One aiohttp middleware that composes them costs a submit a third of three (see
    docs/performance.md, "One middleware")."""
    if request.path.startswith(CONTROL_PREFIX):
        handler = partial(control_guard, handler=handler)
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


BUFFERED = 64 * 1024
"""An answer up to this size fits the socket's buffer and never waits for the client."""
