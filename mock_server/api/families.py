"""Handlers of the other task families (lyrics, WAV, vocal removal, MP4, cover, MIDI) and the
synchronous operations (persona, timestamped lyrics, boost style). Thin: parse, engine, answer."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from mock_server.api.envelope import EnvelopeResponse, base_url, body_of, ok, query_id
from mock_server.api.keys import ENGINE
from mock_server.errors import InvalidParameters
from mock_server.jobs import JobKind, job_record_info, recovery_record
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
    job = engine.submit_job("lyrics", raw, body.callBackUrl, base_url(request))
    return ok({"taskId": job.id})


async def _track_job(
    request: web.Request, kind: JobKind, model: type[TrackJobRequest]
) -> web.Response:
    engine, raw = request.app[ENGINE], await body_of(request)
    body = parse(model, raw, engine.settings)
    task, track = engine.finished_track(body.taskId, body.audioId)
    job = engine.submit_job(
        kind, raw, body.callBackUrl, base_url(request), source=track, parent_task_id=task.id,
        music_index=task.tracks.index(track),
    )  # fmt: skip
    return ok({"taskId": job.id})


async def wav(request: web.Request) -> web.Response:
    """POST /api/v1/wav/generate"""
    return await _track_job(request, "wav", TrackJobRequest)


async def vocal_removal(request: web.Request) -> web.Response:
    """POST /api/v1/vocal-removal/generate"""
    engine, raw = request.app[ENGINE], await body_of(request)
    body = parse(VocalRemovalRequest, raw, engine.settings)
    job = await engine.separate(body, raw, base_url(request))
    return ok({"taskId": job.id})


async def mp4(request: web.Request) -> web.Response:
    """POST /api/v1/mp4/generate"""
    return await _track_job(request, "mp4", Mp4Request)


async def cover(request: web.Request) -> web.Response:
    """POST /api/v1/suno/cover/generate — one cover per music task."""
    engine, raw = request.app[ENGINE], await body_of(request)
    body = parse(CoverRequest, raw, engine.settings)
    return ok({"taskId": engine.cover(body, raw, base_url(request)).id})


async def midi(request: web.Request) -> web.Response:
    """POST /api/v1/midi/generate — MIDI from a finished vocal-removal task."""
    engine, raw = request.app[ENGINE], await body_of(request)
    body = parse(MidiRequest, raw, engine.settings)
    return ok({"taskId": engine.midi(body, raw, base_url(request)).id})


def job_info(kind: JobKind) -> Any:
    """GET /api/v1/<family>/record-info?taskId= for one family."""

    async def handler(request: web.Request) -> web.Response:
        task_id = query_id(request, "taskId")
        engine = request.app[ENGINE]
        job = engine.jobs.get(task_id, kind)
        if job is None:
            raise InvalidParameters(f"taskId: no {kind.replace('_', '-')} task with id {task_id!r}")
        return ok(job_record_info(job, engine.settings.vocal_removal_track_field))

    return handler


async def persona(request: web.Request) -> web.Response:
    """POST /api/v1/generate/generate-persona (synchronous)"""
    engine = request.app[ENGINE]
    body = parse(PersonaRequest, await body_of(request), engine.settings)
    return ok(engine.persona(body))


async def timestamped_lyrics(request: web.Request) -> web.Response:
    """POST /api/v1/generate/get-timestamped-lyrics (synchronous)"""
    engine = request.app[ENGINE]
    body = parse(TimestampedLyricsRequest, await body_of(request), engine.settings)
    return ok(engine.timestamped_lyrics(body))


async def boost_style(request: web.Request) -> web.Response:
    """POST /api/v1/style/generate (synchronous)"""
    engine, raw = request.app[ENGINE], await body_of(request)
    body = parse(BoostStyleRequest, raw, engine.settings)
    return ok(engine.boost_style(raw, body))


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
