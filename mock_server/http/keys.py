"""The aiohttp app keys: what the app holds for its handlers, middlewares and `MockServer`."""

from __future__ import annotations

from aiohttp import web

from mock_server.core.net import Exposure
from mock_server.service.engine import Engine

__all__ = ["ENGINE", "EXPOSURE", "UNMATCHED"]

ENGINE = web.AppKey("engine", Engine)
EXPOSURE = web.AppKey("exposure", Exposure)
"""Set by MockServer; an app run by another runner is treated as loopback-bound."""
UNMATCHED = "unmatched"
"""The name of the last route, which takes every request no other route matches."""
