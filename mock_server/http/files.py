"""The files behind audio_url, stream_audio_url and image_url (and their source_* twins), the
jobs' files and the File Upload API's files: what each serves is `media.served`, the URL
layout `media.urls`; here only the HTTP side (ranges, streaming, download headers)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from aiohttp import web

from mock_server.http.guard import send_within
from mock_server.http.keys import ENGINE
from mock_server.service import served

if TYPE_CHECKING:
    from mock_server.families.uploads.store import StoredFile

__all__ = ["audio", "cover_png", "image", "stem", "stream", "uploaded", "video", "wav"]

STREAM_CHUNK = 16 * 1024


def _track_audio(request: web.Request) -> bytes:
    return served.track_audio(request.app[ENGINE].music.store, request.match_info["id"])


def _job_file(request: web.Request, kind: served.FileJobKind) -> web.Response:
    jobs = request.app[ENGINE].jobs.store
    info = request.match_info
    data, content_type = served.job_file(jobs, kind, info["id"], info.get("stem", ""))
    return web.Response(body=data, content_type=content_type)


def _ranged(request: web.Request, data: bytes, content_type: str) -> web.Response:
    """The whole file, or the part a single `Range: bytes=...` asks for (206), or 416."""
    headers = {"Accept-Ranges": "bytes"}
    if "Range" not in request.headers:
        return web.Response(body=data, content_type=content_type, headers=headers)
    try:
        wanted = request.http_range
        start, stop, _ = wanted.indices(len(data))
    except ValueError:
        start, stop = 0, 0
    if start >= stop:
        return web.Response(
            status=416, headers={**headers, "Content-Range": f"bytes */{len(data)}"}
        )
    headers["Content-Range"] = f"bytes {start}-{stop - 1}/{len(data)}"
    return web.Response(
        status=206, body=data[start:stop], content_type=content_type, headers=headers
    )


def _download(stored: StoredFile) -> web.Response:
    """An uploaded file: whatever was uploaded must never run as a page on the mock's origin,
    so only media types go out as themselves, inline; anything else is an opaque download."""
    inline = stored.inline_type
    disposition = "inline" if inline else "attachment"
    return web.Response(
        body=stored.data,
        content_type=inline or "application/octet-stream",
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(stored.file_name)}",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


async def audio(request: web.Request) -> web.Response:
    """The track's MP3; honours a single `Range: bytes=...` request."""
    return _ranged(request, _track_audio(request), "audio/mpeg")


async def stream(request: web.Request) -> web.StreamResponse:
    """The same MP3, sent chunked as a stream."""
    data = _track_audio(request)
    response = web.StreamResponse(headers={"Content-Type": "audio/mpeg"})
    response.enable_chunked_encoding()
    timeout = request.app[ENGINE].settings.write_timeout
    await send_within(request, response, timeout, data, STREAM_CHUNK)
    return response


async def image(request: web.Request) -> web.Response:
    """The track's cover JPEG (or the real image a recorded scenario names)."""
    store = request.app[ENGINE].music.store
    data, content_type = served.track_image(store, request.match_info["id"])
    return web.Response(body=data, content_type=content_type)


async def uploaded(request: web.Request) -> web.Response:
    """A file stored by the upload API, until it expires."""
    engine = request.app[ENGINE]
    stored = served.uploaded(engine.uploads.store, request.match_info["path"], engine.clock.now())
    return _download(stored)


async def wav(request: web.Request) -> web.Response:
    """A WAV conversion's file."""
    return _job_file(request, "wav")


async def stem(request: web.Request) -> web.Response:
    """One stem of a vocal removal / stem split."""
    return _job_file(request, "vocal_removal")


async def video(request: web.Request) -> web.Response:
    """A music video's file (a tiny but valid MP4)."""
    return _job_file(request, "mp4")


async def cover_png(request: web.Request) -> web.Response:
    """A generated cover image (PNG, one colour per job)."""
    return _job_file(request, "cover")
