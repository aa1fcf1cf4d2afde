"""Handlers of Suno Voice (`/api/v1/voice/*`). Thin: parse, one backend call, answer."""

from __future__ import annotations

from aiohttp import web

from mock_server.core.web import body_of, ok, query_id, settings_of, task_ok
from mock_server.core.wire import parse
from mock_server.families.voice.backend import VOICE
from mock_server.families.voice.wire import (
    VoiceCheckRequest,
    VoiceGenerateRequest,
    VoiceRegenerateRequest,
    VoiceValidateRequest,
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
    voices, raw = VOICE.of(request), await body_of(request)
    body = parse(VoiceValidateRequest, raw, settings_of(request))
    return task_ok(voices.validate(body.callBackUrl or "").id)


async def voice_validate_info(request: web.Request) -> web.Response:
    """GET /api/v1/voice/validate-info?taskId="""
    return ok(VOICE.of(request).validate_info(query_id(request, "taskId")))


async def voice_regenerate(request: web.Request) -> web.Response:
    """POST /api/v1/voice/regenerate"""
    voices, raw = VOICE.of(request), await body_of(request)
    body = parse(VoiceRegenerateRequest, raw, settings_of(request))
    return task_ok(voices.regenerate(body.taskId or "", body.callback_url).id)


async def voice_generate(request: web.Request) -> web.Response:
    """POST /api/v1/voice/generate"""
    voices, raw = VOICE.of(request), await body_of(request)
    body = parse(VoiceGenerateRequest, raw, settings_of(request))
    return task_ok(voices.generate(body.taskId, body.callBackUrl or "").id)


async def voice_record_info(request: web.Request) -> web.Response:
    """GET /api/v1/voice/record-info?taskId="""
    return ok(VOICE.of(request).record_info(query_id(request, "taskId")))


async def check_voice(request: web.Request) -> web.Response:
    """POST /api/v1/voice/check-voice"""
    voices, raw = VOICE.of(request), await body_of(request)
    body = parse(VoiceCheckRequest, raw, settings_of(request))
    return ok(voices.check(body.task_id))
