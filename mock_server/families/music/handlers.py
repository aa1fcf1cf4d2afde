"""Handlers of the music endpoints: one backend call, serialise. No rules here (the music
backend parses the body itself: a scenario's API fault answers before validation)."""

from __future__ import annotations

from aiohttp import web

from mock_server.core.web import base_url, ok, query_id, read_json, task_ok
from mock_server.families.music.backend import MUSIC, SubmitModel
from mock_server.families.music.section import ReplaceSectionRequest
from mock_server.families.music.sounds import SoundsRequest
from mock_server.families.music.wire import (
    AddInstrumentalRequest,
    AddVocalsRequest,
    ExtendRequest,
    GenerateRequest,
    MashupRequest,
    UploadCoverRequest,
    UploadExtendRequest,
)

__all__ = [
    "add_instrumental",
    "add_vocals",
    "extend",
    "generate",
    "mashup",
    "record_info",
    "replace_section",
    "sounds",
    "upload_cover",
    "upload_extend",
]


async def _submit(request: web.Request, model: SubmitModel) -> web.Response:
    task = await MUSIC.of(request).submit(model, await read_json(request), base_url(request))
    return task_ok(task.id)


async def sounds(request: web.Request) -> web.Response:
    """POST /api/v1/generate/sounds"""
    return await _submit(request, SoundsRequest)


async def generate(request: web.Request) -> web.Response:
    """POST /api/v1/generate"""
    return await _submit(request, GenerateRequest)


async def extend(request: web.Request) -> web.Response:
    """POST /api/v1/generate/extend"""
    return await _submit(request, ExtendRequest)


async def upload_cover(request: web.Request) -> web.Response:
    """POST /api/v1/generate/upload-cover"""
    return await _submit(request, UploadCoverRequest)


async def upload_extend(request: web.Request) -> web.Response:
    """POST /api/v1/generate/upload-extend"""
    return await _submit(request, UploadExtendRequest)


async def add_instrumental(request: web.Request) -> web.Response:
    """POST /api/v1/generate/add-instrumental"""
    return await _submit(request, AddInstrumentalRequest)


async def add_vocals(request: web.Request) -> web.Response:
    """POST /api/v1/generate/add-vocals"""
    return await _submit(request, AddVocalsRequest)


async def replace_section(request: web.Request) -> web.Response:
    """POST /api/v1/generate/replace-section"""
    return await _submit(request, ReplaceSectionRequest)


async def mashup(request: web.Request) -> web.Response:
    """POST /api/v1/generate/mashup"""
    return await _submit(request, MashupRequest)


async def record_info(request: web.Request) -> web.Response:
    """GET /api/v1/generate/record-info?taskId="""
    return ok(MUSIC.of(request).record_info(query_id(request, "taskId")))
