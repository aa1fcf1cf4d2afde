"""Handlers of the other task families (lyrics, WAV, vocal removal, MP4, cover, MIDI) and the
synchronous operations (persona, timestamped lyrics, boost style). Thin: parse, engine, answer."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from mock_server.api.envelope import ENGINE, base_url, ok, read_json
from mock_server.api.wire import (
    BoostStyleRequest,
    CoverRequest,
    LyricsRequest,
    MidiRequest,
    Mp4Request,
    PersonaRequest,
    TimestampedLyricsRequest,
    TrackJobRequest,
    VocalRemovalRequest,
    parse,
)
from mock_server.errors import InsufficientCredits, InvalidParameters, PaymentRequired
from mock_server.jobs import JobKind, job_record_info

__all__ = [
    "boost_style",
    "cover",
    "job_info",
    "lyrics",
    "midi",
    "mp4",
    "persona",
    "timestamped_lyrics",
    "vocal_removal",
    "wav",
]


async def _body(request: web.Request) -> dict[str, Any]:
    raw = await read_json(request)
    if not isinstance(raw, dict):
        raise InvalidParameters(f"body: must be a JSON object, got a JSON {type(raw).__name__}")
    return raw


async def lyrics(request: web.Request) -> web.Response:
    """POST /api/v1/lyrics"""
    engine, raw = request.app[ENGINE], await _body(request)
    body = parse(LyricsRequest, raw, engine.settings)
    job = engine.submit_job("lyrics", raw, body.callBackUrl, base_url(request))
    return ok({"taskId": job.id})


async def _track_job(
    request: web.Request, kind: JobKind, model: type[TrackJobRequest]
) -> web.Response:
    engine, raw = request.app[ENGINE], await _body(request)
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
    engine, raw = request.app[ENGINE], await _body(request)
    body = parse(VocalRemovalRequest, raw, engine.settings)
    job = await engine.separate(body, raw, base_url(request))
    return ok({"taskId": job.id})


async def mp4(request: web.Request) -> web.Response:
    """POST /api/v1/mp4/generate"""
    return await _track_job(request, "mp4", Mp4Request)


async def cover(request: web.Request) -> web.Response:
    """POST /api/v1/suno/cover/generate — one cover per music task."""
    engine, raw = request.app[ENGINE], await _body(request)
    body = parse(CoverRequest, raw, engine.settings)
    task = engine.store.get(body.taskId)
    if task is None:
        raise InvalidParameters(f"taskId: no music task with id {body.taskId!r}")
    existing = engine.jobs.covers.get(body.taskId)
    if existing is not None:  # documented: code 400 with the existing taskId
        raise InvalidParameters("Cover already generated for this task", data={"taskId": existing})
    try:
        job = engine.submit_job(
            "cover", raw, body.callBackUrl, base_url(request), parent_task_id=task.id
        )
    except InsufficientCredits as err:
        raise PaymentRequired(err.msg) from err
    engine.jobs.covers[body.taskId] = job.id
    return ok({"taskId": job.id})


async def midi(request: web.Request) -> web.Response:
    """POST /api/v1/midi/generate — MIDI from a finished vocal-removal task."""
    engine, raw = request.app[ENGINE], await _body(request)
    body = parse(MidiRequest, raw, engine.settings)
    separation = engine.jobs.get(body.taskId, "vocal_removal")
    if separation is None:
        raise InvalidParameters(f"taskId: no vocal-removal task with id {body.taskId!r}")
    if separation.completed_at is None:
        raise InvalidParameters(f"taskId: vocal-removal task {body.taskId} is not finished yet")
    stems = {stem.id for stem in separation.stems()}
    if body.audioId and body.audioId not in stems:
        raise InvalidParameters(
            f"audioId: {body.audioId!r} is not a stem of vocal-removal task {body.taskId}; use an "
            f"originData id from its record-info: {', '.join(sorted(stems))}"
        )
    audio_id = body.audioId or ""  # none: MIDI from every separated track
    job = engine.submit_job(
        "midi", raw, body.callBackUrl, base_url(request), parent_task_id=body.taskId,
        extra={"audioId": audio_id},
    )  # fmt: skip
    return ok({"taskId": job.id})


def job_info(kind: JobKind) -> Any:
    """GET /api/v1/<family>/record-info?taskId= for one family."""

    async def handler(request: web.Request) -> web.Response:
        task_id = request.query.get("taskId", "").strip()
        if not task_id:
            raise InvalidParameters("taskId: required query parameter (?taskId=<id from submit>)")
        job = request.app[ENGINE].jobs.get(task_id, kind)
        if job is None:
            raise InvalidParameters(f"taskId: no {kind.replace('_', '-')} task with id {task_id!r}")
        return ok(job_record_info(job))

    return handler


async def persona(request: web.Request) -> web.Response:
    """POST /api/v1/generate/generate-persona (synchronous)"""
    engine = request.app[ENGINE]
    body = parse(PersonaRequest, await _body(request), engine.settings)
    return ok(engine.persona(body))


async def timestamped_lyrics(request: web.Request) -> web.Response:
    """POST /api/v1/generate/get-timestamped-lyrics (synchronous)"""
    engine = request.app[ENGINE]
    body = parse(TimestampedLyricsRequest, await _body(request), engine.settings)
    return ok(engine.timestamped_lyrics(body))


async def boost_style(request: web.Request) -> web.Response:
    """POST /api/v1/style/generate (synchronous)"""
    engine, raw = request.app[ENGINE], await _body(request)
    body = parse(BoostStyleRequest, raw, engine.settings)
    return ok(engine.boost_style(raw, body))
