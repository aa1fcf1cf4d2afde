"""create_app(settings, clock) -> the aiohttp application."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

from aiohttp import web

from mock_server.core.clock import Clock, ScaledClock
from mock_server.core.settings import Settings
from mock_server.core.web import SETTINGS
from mock_server.families.family import BACKENDS
from mock_server.http.guard import quiet_bad_requests
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
    # No aiohttp middleware: every route's handler is wrapped in `front.behind_front_door` (see
    # docs/performance.md, "No aiohttp middleware").
    app = web.Application(client_max_size=settings.max_body_bytes)
    app[ENGINE] = engine
    app[SETTINGS] = settings
    app[BACKENDS] = engine.backends
    install_routes(app)

    async def end_streams(_: web.Application) -> None:
        engine.events.close()  # open event streams return, so shutdown does not wait on them

    app.cleanup_ctx.append(_Lifecycle(engine))
    app.on_shutdown.append(end_streams)
    return app


class _Lifecycle(AbstractAsyncContextManager[None]):
    """The engine started and closed with the app, as an item of its `cleanup_ctx`: called
    with the app, it is the context itself. An async generator there would be wrapped by
    aiohttp in `contextlib.asynccontextmanager` (and called twice) at every start, which a
    suite that starts a server per test pays per test."""

    __slots__ = ("_engine",)

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def __call__(self, _: web.Application) -> _Lifecycle:
        return self

    async def __aenter__(self) -> None:
        await self._engine.start()

    async def __aexit__(self, *_: object) -> None:
        await self._engine.close()
