"""Handlers of the single-stage jobs (lyrics, WAV, vocal removal, MP4, cover, MIDI). Thin:
parse, one backend call, answer."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from mock_server.core.web import base_url, body_of, ok, query_id, settings_of, task_ok
from mock_server.core.wire import parse
from mock_server.families.jobs.backend import JOBS
from mock_server.families.jobs.store import JobKind
from mock_server.families.jobs.wire import (
    CoverRequest,
    LyricsRequest,
    MidiRequest,
    Mp4Request,
    TrackJobRequest,
    VocalRemovalRequest,
    WavRequest,
)

__all__ = [
    "cover",
    "job_info",
    "lyrics",
    "midi",
    "mp4",
    "vocal_removal",
    "wav",
]


async def lyrics(request: web.Request) -> web.Response:
    """POST /api/v1/lyrics"""
    jobs, raw = JOBS.of(request), await body_of(request)
    body = parse(LyricsRequest, raw, settings_of(request))
    return task_ok(jobs.submit("lyrics", raw, body.callBackUrl, base_url(request)).id)


async def _track_job(
    request: web.Request, kind: JobKind, model: type[TrackJobRequest | WavRequest]
) -> web.Response:
    jobs, raw = JOBS.of(request), await body_of(request)
    body = parse(model, raw, settings_of(request))
    return task_ok(jobs.of_track(kind, body, raw, base_url(request)).id)


async def wav(request: web.Request) -> web.Response:
    """POST /api/v1/wav/generate"""
    return await _track_job(request, "wav", WavRequest)


async def vocal_removal(request: web.Request) -> web.Response:
    """POST /api/v1/vocal-removal/generate"""
    jobs, raw = JOBS.of(request), await body_of(request)
    body = parse(VocalRemovalRequest, raw, settings_of(request))
    return task_ok((await jobs.separate(body, raw, base_url(request))).id)


async def mp4(request: web.Request) -> web.Response:
    """POST /api/v1/mp4/generate"""
    return await _track_job(request, "mp4", Mp4Request)


async def cover(request: web.Request) -> web.Response:
    """POST /api/v1/suno/cover/generate — one cover per music task."""
    jobs, raw = JOBS.of(request), await body_of(request)
    body = parse(CoverRequest, raw, settings_of(request))
    return task_ok(jobs.cover(body, raw, base_url(request)).id)


async def midi(request: web.Request) -> web.Response:
    """POST /api/v1/midi/generate — MIDI from a finished vocal-removal task."""
    jobs, raw = JOBS.of(request), await body_of(request)
    body = parse(MidiRequest, raw, settings_of(request))
    return task_ok(jobs.midi(body, raw, base_url(request)).id)


def job_info(kind: JobKind) -> Any:
    """GET /api/v1/<family>/record-info?taskId= for one family."""

    async def handler(request: web.Request) -> web.Response:
        return ok(JOBS.of(request).record_info(kind, query_id(request, "taskId")))

    # Its name is its /openapi.json operation id: one of its own for each kind.
    handler.__name__ = handler.__qualname__ = f"{kind}_record_info"
    return handler
