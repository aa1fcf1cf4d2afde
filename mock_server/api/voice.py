"""Handlers of Suno Voice (`/api/v1/voice/*`) and Recovery Audio (`/api/v1/suno/recovery`).
Thin: parse, one engine call, answer."""

from __future__ import annotations

from aiohttp import web

from mock_server.api.envelope import ENGINE, EnvelopeResponse, base_url, body_of, ok, query_id
from mock_server.api.wire import (
    RecoveryRequest,
    VoiceCheckRequest,
    VoiceGenerateRequest,
    VoiceRegenerateRequest,
    VoiceValidateRequest,
    parse,
)
from mock_server.errors import InvalidParameters
from mock_server.jobs import recovery_record

__all__ = [
    "check_voice",
    "recovery",
    "recovery_info",
    "voice_generate",
    "voice_record_info",
    "voice_regenerate",
    "voice_validate",
    "voice_validate_info",
]


async def voice_validate(request: web.Request) -> web.Response:
    """POST /api/v1/voice/validate"""
    engine, raw = request.app[ENGINE], await body_of(request)
    body = parse(VoiceValidateRequest, raw, engine.settings)
    return ok({"taskId": engine.voices.validate(body.callBackUrl or "").id})


async def voice_validate_info(request: web.Request) -> web.Response:
    """GET /api/v1/voice/validate-info?taskId="""
    return ok(request.app[ENGINE].voices.validate_info(query_id(request, "taskId")))


async def voice_regenerate(request: web.Request) -> web.Response:
    """POST /api/v1/voice/regenerate"""
    engine, raw = request.app[ENGINE], await body_of(request)
    body = parse(VoiceRegenerateRequest, raw, engine.settings)
    return ok({"taskId": engine.voices.regenerate(body.taskId, body.calBackUrl or "").id})


async def voice_generate(request: web.Request) -> web.Response:
    """POST /api/v1/voice/generate"""
    engine, raw = request.app[ENGINE], await body_of(request)
    body = parse(VoiceGenerateRequest, raw, engine.settings)
    return ok({"taskId": engine.voices.generate(body.taskId, body.callBackUrl or "").id})


async def voice_record_info(request: web.Request) -> web.Response:
    """GET /api/v1/voice/record-info?taskId="""
    return ok(request.app[ENGINE].voices.record_info(query_id(request, "taskId")))


async def check_voice(request: web.Request) -> web.Response:
    """POST /api/v1/voice/check-voice"""
    engine, raw = request.app[ENGINE], await body_of(request)
    body = parse(VoiceCheckRequest, raw, engine.settings)
    return ok(engine.voices.check(body.task_id))


async def recovery(request: web.Request) -> web.Response:
    """POST /api/v1/suno/recovery — answers `data.task_id` (snake_case), as documented."""
    engine, raw = request.app[ENGINE], await body_of(request)
    body = parse(RecoveryRequest, raw, engine.settings)
    return ok({"task_id": engine.recover(body, raw, base_url(request)).id})


async def recovery_info(request: web.Request) -> web.Response:
    """GET /api/v1/suno/recovery/record-info?task_id= — its own envelope (code 201 while
    running, `task_id` at the top level)."""
    task_id = query_id(request, "task_id")
    job = request.app[ENGINE].jobs.get(task_id, "recovery")
    if job is None:
        raise InvalidParameters(f"task_id: no recovery task with id {task_id!r}")
    return EnvelopeResponse(recovery_record(job), status=200)
