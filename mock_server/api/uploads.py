"""Handlers of the File Upload API (docs/api.md, "File uploads and signed callbacks"): base64,
multipart stream and URL uploads.

The real API lives on its own host; here it is served by the same server, and the files'
downloadUrl points at `upload_base_url` (default: the mock itself).
"""

from __future__ import annotations

import base64
import re
from typing import Any

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from mock_server.api.envelope import EnvelopeResponse, base_url, read_json
from mock_server.api.keys import ENGINE
from mock_server.errors import InvalidParameters
from mock_server.uploads import StoredFile
from mock_server.wire import Base64Upload, UrlUpload, parse

__all__ = ["base64_upload", "stream_upload", "url_upload"]

_MIME = re.compile(r"^[\w.+-]+/[\w.+-]+$", re.ASCII)
_DATA_URI = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?:;[\w=-]+)*;base64,", re.ASCII)


def _answer(request: web.Request, stored: StoredFile) -> web.Response:
    base = (request.app[ENGINE].settings.upload_base_url or base_url(request)).rstrip("/")
    payload: dict[str, Any] = {
        "success": True,
        "code": 200,
        "msg": "File uploaded successfully",
        "data": stored.describe(base),
    }
    return EnvelopeResponse(payload, status=200)


def _check_size(size: int, limit: int) -> None:
    if size > limit:
        raise InvalidParameters(
            f"file: {size} bytes is larger than {limit} bytes (setting max_upload_bytes)"
        )


async def base64_upload(request: web.Request) -> web.Response:
    """POST /api/file-base64-upload"""
    engine = request.app[ENGINE]
    body = parse(Base64Upload, await read_json(request), engine.settings)
    text, mime = body.base64Data.strip(), None
    if match := _DATA_URI.match(text):
        mime, text = match.group("mime"), text[match.end() :]
    try:
        data = base64.b64decode(text, validate=True)
    except ValueError as err:  # binascii.Error, or a non-ASCII character
        raise InvalidParameters(
            f"base64Data: not valid base64 ({err}); send bare base64 or data:<mime>;base64,..."
        ) from err
    _check_size(len(data), engine.settings.max_upload_bytes)
    stored = engine.uploads.put(body.uploadPath, body.fileName, data, mime, engine.clock.now())
    return _answer(request, stored)


async def stream_upload(request: web.Request) -> web.Response:
    """POST /api/file-stream-upload (multipart/form-data: file, uploadPath, fileName)"""
    engine = request.app[ENGINE]
    limit = engine.settings.max_upload_bytes
    if request.content_type != "multipart/form-data":
        raise InvalidParameters(
            f"Content-Type: must be multipart/form-data, got {request.content_type!r}"
        )
    try:
        fields, data, mime, file_name = await _read_form(request, limit)
    except (ValueError, LookupError, HttpProcessingError) as err:
        # A broken body (no or wrong boundary, cut short, bad part headers or encodings) is
        # the client's mistake, not a crash; UnicodeDecodeError is a ValueError.
        raise InvalidParameters(
            f"body: malformed multipart/form-data ({err.__class__.__name__}: "
            f"{str(err).strip()[:200]})"
        ) from err
    if data is None:
        raise InvalidParameters("file: required (a multipart field named file)")
    if not fields.get("uploadPath"):
        raise InvalidParameters("uploadPath: required, e.g. audio/uploads (no leading slash)")
    name = fields.get("fileName") or file_name
    stored = engine.uploads.put(fields["uploadPath"], name, data, mime, engine.clock.now())
    return _answer(request, stored)


async def _read_form(
    request: web.Request, limit: int
) -> tuple[dict[str, str], bytes | None, str | None, str | None]:
    """The multipart fields, the file's bytes, declared type and file name."""
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
                _check_size(size, limit)
                chunks.append(chunk)
            data = b"".join(chunks)
            file_name = part.filename
            declared = (part.headers.get("Content-Type") or "").split(";")[0].strip()
            if _MIME.match(declared) and declared != "application/octet-stream":
                mime = declared
        elif part.name:
            raw = await part.read(decode=True)
            try:
                fields[part.name] = raw.decode(part.get_charset(default="utf-8"))
            except (UnicodeDecodeError, LookupError) as err:
                raise InvalidParameters(f"{part.name}: cannot be read as text ({err})") from err
    return fields, data, mime, file_name


async def url_upload(request: web.Request) -> web.Response:
    """POST /api/file-url-upload: the mock downloads fileUrl (loopback or allowed hosts only)"""
    engine = request.app[ENGINE]
    body = parse(UrlUpload, await read_json(request), engine.settings)
    refused = engine.sources.refusal(body.fileUrl)
    if refused is not None:
        raise InvalidParameters(f"fileUrl: not downloaded: {refused}")
    data, problem = await engine.sources.download(body.fileUrl)
    if data is None:
        raise InvalidParameters(f"fileUrl: could not download: {problem}")
    name = body.fileName or body.fileUrl.rstrip("/").rsplit("/", 1)[-1].split("?")[0] or None
    stored = engine.uploads.put(body.uploadPath, name, data, None, engine.clock.now())
    return _answer(request, stored)
