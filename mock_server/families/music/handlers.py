"""Handlers of the music endpoints: one backend call, serialise. No rules here (the music
backend parses the body itself: a scenario's API fault answers before validation)."""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from mock_server.core.at_once import read_body
from mock_server.core.web import ok, origin, query_id, sized_json_of, task_ok
from mock_server.families.music.backend import MUSIC, SubmitModel
from mock_server.families.music.section import ReplaceSectionRequest
from mock_server.families.music.sounds import SoundsRequest
from mock_server.families.music.store import Task
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


def _submitter(model: SubmitModel, name: str) -> Handler:
    """The handler `name` of the submit route whose body `model` validates. One
    coroutine: the body is read, then the task made without an `await` unless it must wait
    for something (see docs/performance.md, "Submits without a coroutine to spare"). Named as
    a handler written out would be: /openapi.json's operation ids are its name."""

    async def submit(request: web.Request) -> web.Response:
        # Read by the API middleware: kept by aiohttp.
        raw, size = sized_json_of(request, await read_body(request))
        music = MUSIC.of(request)
        made = music.submit_now(model, raw, music.public_base_url or origin(request), size)
        task = made if isinstance(made, Task) else await made  # a scenario, an upload to inspect
        return task_ok(task.id)

    submit.__name__ = submit.__qualname__ = name
    return submit


sounds = _submitter(SoundsRequest, "sounds")
generate = _submitter(GenerateRequest, "generate")
extend = _submitter(ExtendRequest, "extend")
upload_cover = _submitter(UploadCoverRequest, "upload_cover")
upload_extend = _submitter(UploadExtendRequest, "upload_extend")
add_instrumental = _submitter(AddInstrumentalRequest, "add_instrumental")
add_vocals = _submitter(AddVocalsRequest, "add_vocals")
replace_section = _submitter(ReplaceSectionRequest, "replace_section")
mashup = _submitter(MashupRequest, "mashup")


async def record_info(request: web.Request) -> web.Response:
    """GET /api/v1/generate/record-info?taskId="""
    return ok(MUSIC.of(request).record_info(query_id(request, "taskId")))
