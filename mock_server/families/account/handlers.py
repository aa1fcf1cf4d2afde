"""Handlers of the account: the credits left."""

from __future__ import annotations

import math

from aiohttp import web

from mock_server.core.web import ok
from mock_server.families.account.backend import ACCOUNT

__all__ = ["credit"]


async def credit(request: web.Request) -> web.Response:
    """GET /api/v1/generate/credit"""
    return ok(math.floor(ACCOUNT.of(request).credits))  # documented as an integer
