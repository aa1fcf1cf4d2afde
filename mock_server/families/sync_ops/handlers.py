"""Handlers of the synchronous operations (persona, timestamped lyrics, boost style): answered
at once. Thin: parse, one backend call, answer."""

from __future__ import annotations

from aiohttp import web

from mock_server.core.web import body_of, ok, settings_of
from mock_server.core.wire import parse
from mock_server.families.sync_ops.backend import SYNC_OPS
from mock_server.families.sync_ops.wire import (
    BoostStyleRequest,
    PersonaRequest,
    TimestampedLyricsRequest,
)

__all__ = ["boost_style", "persona", "timestamped_lyrics"]


async def persona(request: web.Request) -> web.Response:
    """POST /api/v1/generate/generate-persona (synchronous)"""
    body = parse(PersonaRequest, await body_of(request), settings_of(request))
    return ok(SYNC_OPS.of(request).persona(body))


async def timestamped_lyrics(request: web.Request) -> web.Response:
    """POST /api/v1/generate/get-timestamped-lyrics (synchronous)"""
    body = parse(TimestampedLyricsRequest, await body_of(request), settings_of(request))
    return ok(SYNC_OPS.of(request).timestamped_lyrics(body))


async def boost_style(request: web.Request) -> web.Response:
    """POST /api/v1/style/generate (synchronous)"""
    raw = await body_of(request)
    body = parse(BoostStyleRequest, raw, settings_of(request))
    return ok(SYNC_OPS.of(request).boost_style(body, raw))
