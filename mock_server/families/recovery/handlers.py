"""Handlers of Recovery Audio: a music task's audio fetched again. Its rules live in the jobs
backend (a recovery is a single-stage job kind); its envelope is its own."""

from __future__ import annotations

from aiohttp import web

from mock_server.core.web import EnvelopeResponse, base_url, body_of, ok, query_id, settings_of
from mock_server.core.wire import parse
from mock_server.families.jobs.backend import JOBS
from mock_server.families.jobs.wire import RecoveryRequest

__all__ = ["JOBS", "recovery", "recovery_info"]


async def recovery(request: web.Request) -> web.Response:
    """POST /api/v1/suno/recovery — answers `data.task_id` (snake_case), as documented."""
    jobs, raw = JOBS.of(request), await body_of(request)
    body = parse(RecoveryRequest, raw, settings_of(request))
    return ok({"task_id": jobs.recover(body, raw, base_url(request)).id})


async def recovery_info(request: web.Request) -> web.Response:
    """GET /api/v1/suno/recovery/record-info?task_id= — its own envelope (code 201 while
    running, `task_id` at the top level)."""
    record = JOBS.of(request).recovery_info(query_id(request, "task_id"))
    return EnvelopeResponse(record, status=200)
