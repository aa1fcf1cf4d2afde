"""Handlers of the File Upload API (docs/api.md, "File uploads and signed callbacks"): base64,
multipart stream and URL uploads.

The real API lives on its own host; here it is served by the same server, and the files'
downloadUrl points at `upload_base_url` (default: the mock itself).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from mock_server.core.errors import InvalidParameters
from mock_server.core.web import EnvelopeResponse, base_url, read_json, settings_of
from mock_server.core.wire import parse
from mock_server.families.uploads.backend import UPLOADS
from mock_server.families.uploads.store import StoredFile, declared_mime
from mock_server.families.uploads.wire import Base64Upload, UrlUpload

__all__ = ["base64_upload", "stream_upload", "url_upload"]


def _answer(request: web.Request, stored: StoredFile) -> web.Response:
    base = (settings_of(request).upload_base_url or base_url(request)).rstrip("/")
    payload: dict[str, Any] = {
        "success": True,
        "code": 200,
        "msg": "File uploaded successfully",
        "data": stored.describe(base),
    }
    return EnvelopeResponse(payload, status=200)


async def base64_upload(request: web.Request) -> web.Response:
    """POST /api/file-base64-upload"""
    settings = settings_of(request)
    room = settings.max_upload_bytes * 4 // 3 + 64 * 1024  # base64 and the JSON around
    body = parse(Base64Upload, await read_json(request.clone(client_max_size=room)), settings)
    return _answer(request, UPLOADS.of(request).from_base64(body))


async def stream_upload(request: web.Request) -> web.Response:
    """POST /api/file-stream-upload (multipart/form-data: file, uploadPath, fileName)"""
    if request.content_type != "multipart/form-data":
        raise InvalidParameters(
            f"Content-Type: must be multipart/form-data, got {request.content_type!r}"
        )
    uploads = UPLOADS.of(request)
    return _answer(request, uploads.from_form(*await _read_form(request, uploads.check_size)))


async def _read_form(
    request: web.Request, check_size: Callable[[int], None]
) -> tuple[dict[str, str], bytes | None, str | None, str | None]:
    """The multipart fields, the file's bytes, declared type and file name; a broken body
    (no or wrong boundary, cut short, bad part headers or encodings) is the client's mistake,
    not a crash (UnicodeDecodeError is a ValueError)."""
    try:
        return await _parts(request, check_size)
    except (ValueError, LookupError, HttpProcessingError) as err:
        raise InvalidParameters(
            f"body: malformed multipart/form-data ({err.__class__.__name__}: "
            f"{str(err).strip()[:200]})"
        ) from err


async def _parts(
    request: web.Request, check_size: Callable[[int], None]
) -> tuple[dict[str, str], bytes | None, str | None, str | None]:
    fields: dict[str, str] = {}
    data: bytes | None = None
    mime: str | None = None
    file_name: str | None = None
    async for part in await request.multipart():
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "file":
            chunks, size = [], 0
            while chunk := await part.read_chunk():
                size += len(chunk)
                check_size(size)
                chunks.append(chunk)
            data = b"".join(chunks)
            file_name = part.filename
            mime = declared_mime(part.headers.get("Content-Type")) or mime
        elif part.name:
            raw = await part.read(decode=True)
            try:
                fields[part.name] = raw.decode(part.get_charset(default="utf-8"))
            except (UnicodeDecodeError, LookupError) as err:
                raise InvalidParameters(f"{part.name}: cannot be read as text ({err})") from err
    return fields, data, mime, file_name


async def url_upload(request: web.Request) -> web.Response:
    """POST /api/file-url-upload: the mock downloads fileUrl (loopback or allowed hosts only)"""
    body = parse(UrlUpload, await read_json(request), settings_of(request))
    return _answer(request, await UPLOADS.of(request).from_url(body))
