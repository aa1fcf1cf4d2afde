"""Handlers of the music endpoints: parse, call the engine, serialise. No rules here."""

from __future__ import annotations

import math

from aiohttp import web

from mock_server.api.envelope import apply_api_fault, base_url, ok, query_id, read_json
from mock_server.api.keys import ENGINE
from mock_server.errors import InvalidParameters
from mock_server.wire import (
    AddInstrumentalRequest,
    AddVocalsRequest,
    ExtendRequest,
    GenerateRequest,
    MashupRequest,
    MusicRequest,
    ReplaceSectionRequest,
    SoundsRequest,
    UploadCoverRequest,
    UploadExtendRequest,
    parse,
)

__all__ = [
    "add_instrumental",
    "add_vocals",
    "credit",
    "extend",
    "generate",
    "mashup",
    "record_info",
    "replace_section",
    "sounds",
    "upload_cover",
    "upload_extend",
]


async def _submit(
    request: web.Request,
    model: type[MusicRequest] | type[ReplaceSectionRequest] | type[SoundsRequest],
) -> web.Response:
    engine = request.app[ENGINE]
    raw = await read_json(request)
    scenario = engine.select_scenario(model.operation, raw) if isinstance(raw, dict) else None
    fault = engine.api_fault(scenario)
    if fault is not None:
        await apply_api_fault(fault)
    body = parse(model, raw, engine.settings)
    sources = await engine.inspect_uploads(body)
    task = engine.submit_request(body, raw, base_url(request), scenario, sources)
    return ok({"taskId": task.id})


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
    engine = request.app[ENGINE]
    task_id = query_id(request, "taskId")
    task = engine.store.get(task_id)
    if task is None:
        raise InvalidParameters(f"taskId: no task with id {task_id!r}")
    return ok(engine.record_info(task))


async def credit(request: web.Request) -> web.Response:
    """GET /api/v1/generate/credit"""
    return ok(math.floor(request.app[ENGINE].store.credits))  # documented as an integer
