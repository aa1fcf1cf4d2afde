"""Handlers of the other task families (lyrics, WAV, vocal removal, MP4, cover, MIDI) and the
synchronous operations (persona, timestamped lyrics, boost style). Thin: parse, one backend
call, answer."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from mock_server.api.envelope import EnvelopeResponse, base_url, body_of, ok, query_id, task_ok
from mock_server.api.keys import ENGINE
from mock_server.jobs import JobKind
from mock_server.wire import (
    BoostStyleRequest,
    CoverRequest,
    LyricsRequest,
    MidiRequest,
    Mp4Request,
    PersonaRequest,
    RecoveryRequest,
    TimestampedLyricsRequest,
    TrackJobRequest,
    VocalRemovalRequest,
    WavRequest,
    parse,
)

__all__ = [
    "boost_style",
    "cover",
    "job_info",
    "lyrics",
    "midi",
    "mp4",
    "persona",
    "recovery",
    "recovery_info",
    "timestamped_lyrics",
    "vocal_removal",
    "wav",
]


async def lyrics(request: web.Request) -> web.Response:
    """POST /api/v1/lyrics"""
    engine, raw = request.app[ENGINE], await body_of(request)
    body = parse(LyricsRequest, raw, engine.settings)
    return task_ok(engine.jobs.submit("lyrics", raw, body.callBackUrl, base_url(request)).id)


async def _track_job(
    request: web.Request, kind: JobKind, model: type[TrackJobRequest | WavRequest]
) -> web.Response:
    engine, raw = request.app[ENGINE], await body_of(request)
    body = parse(model, raw, engine.settings)
    return task_ok(engine.jobs.of_track(kind, body, raw, base_url(request)).id)


async def wav(request: web.Request) -> web.Response:
    """POST /api/v1/wav/generate"""
    return await _track_job(request, "wav", WavRequest)


async def vocal_removal(request: web.Request) -> web.Response:
    """POST /api/v1/vocal-removal/generate"""
    engine, raw = request.app[ENGINE], await body_of(request)
    body = parse(VocalRemovalRequest, raw, engine.settings)
    return task_ok((await engine.jobs.separate(body, raw, base_url(request))).id)


async def mp4(request: web.Request) -> web.Response:
    """POST /api/v1/mp4/generate"""
    return await _track_job(request, "mp4", Mp4Request)


async def cover(request: web.Request) -> web.Response:
    """POST /api/v1/suno/cover/generate — one cover per music task."""
    engine, raw = request.app[ENGINE], await body_of(request)
    body = parse(CoverRequest, raw, engine.settings)
    return task_ok(engine.jobs.cover(body, raw, base_url(request)).id)


async def midi(request: web.Request) -> web.Response:
    """POST /api/v1/midi/generate — MIDI from a finished vocal-removal task."""
    engine, raw = request.app[ENGINE], await body_of(request)
    body = parse(MidiRequest, raw, engine.settings)
    return task_ok(engine.jobs.midi(body, raw, base_url(request)).id)


def job_info(kind: JobKind) -> Any:
    """GET /api/v1/<family>/record-info?taskId= for one family."""

    async def handler(request: web.Request) -> web.Response:
        return ok(request.app[ENGINE].jobs.record_info(kind, query_id(request, "taskId")))

    return handler


async def persona(request: web.Request) -> web.Response:
    """POST /api/v1/generate/generate-persona (synchronous)"""
    engine = request.app[ENGINE]
    body = parse(PersonaRequest, await body_of(request), engine.settings)
    return ok(engine.ops.persona(body))


async def timestamped_lyrics(request: web.Request) -> web.Response:
    """POST /api/v1/generate/get-timestamped-lyrics (synchronous)"""
    engine = request.app[ENGINE]
    body = parse(TimestampedLyricsRequest, await body_of(request), engine.settings)
    return ok(engine.ops.timestamped_lyrics(body))


async def boost_style(request: web.Request) -> web.Response:
    """POST /api/v1/style/generate (synchronous)"""
    engine, raw = request.app[ENGINE], await body_of(request)
    body = parse(BoostStyleRequest, raw, engine.settings)
    return ok(engine.ops.boost_style(body, raw))


async def recovery(request: web.Request) -> web.Response:
    """POST /api/v1/suno/recovery — answers `data.task_id` (snake_case), as documented."""
    engine, raw = request.app[ENGINE], await body_of(request)
    body = parse(RecoveryRequest, raw, engine.settings)
    return ok({"task_id": engine.jobs.recover(body, raw, base_url(request)).id})


async def recovery_info(request: web.Request) -> web.Response:
    """GET /api/v1/suno/recovery/record-info?task_id= — its own envelope (code 201 while
    running, `task_id` at the top level)."""
    record = request.app[ENGINE].jobs.recovery_info(query_id(request, "task_id"))
    return EnvelopeResponse(record, status=200)
