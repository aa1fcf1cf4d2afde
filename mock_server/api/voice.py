"""Handlers of Suno Voice (`/api/v1/voice/*`). Thin: parse, one engine call, answer."""

from __future__ import annotations

from aiohttp import web

from mock_server.api.envelope import body_of, ok, query_id, task_ok
from mock_server.api.keys import ENGINE
from mock_server.wire import (
    VoiceCheckRequest,
    VoiceGenerateRequest,
    VoiceRegenerateRequest,
    VoiceValidateRequest,
    parse,
)

__all__ = [
    "check_voice",
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
    return task_ok(engine.voices.validate(body.callBackUrl or "").id)


async def voice_validate_info(request: web.Request) -> web.Response:
    """GET /api/v1/voice/validate-info?taskId="""
    return ok(request.app[ENGINE].voices.validate_info(query_id(request, "taskId")))


async def voice_regenerate(request: web.Request) -> web.Response:
    """POST /api/v1/voice/regenerate"""
    engine, raw = request.app[ENGINE], await body_of(request)
    body = parse(VoiceRegenerateRequest, raw, engine.settings)
    return task_ok(engine.voices.regenerate(body.taskId or "", body.callback_url).id)


async def voice_generate(request: web.Request) -> web.Response:
    """POST /api/v1/voice/generate"""
    engine, raw = request.app[ENGINE], await body_of(request)
    body = parse(VoiceGenerateRequest, raw, engine.settings)
    return task_ok(engine.voices.generate(body.taskId, body.callBackUrl or "").id)


async def voice_record_info(request: web.Request) -> web.Response:
    """GET /api/v1/voice/record-info?taskId="""
    return ok(request.app[ENGINE].voices.record_info(query_id(request, "taskId")))


async def check_voice(request: web.Request) -> web.Response:
    """POST /api/v1/voice/check-voice"""
    engine, raw = request.app[ENGINE], await body_of(request)
    body = parse(VoiceCheckRequest, raw, engine.settings)
    return ok(engine.voices.check(body.task_id))
