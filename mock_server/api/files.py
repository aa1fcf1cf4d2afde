"""The files behind audio_url, stream_audio_url and image_url (and their source_* twins)."""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import quote

from aiohttp import web

from mock_server.api.keys import ENGINE
from mock_server.assets import cover_jpeg, silent_mp3, silent_wav, solid_png, tiny_mp4
from mock_server.errors import NotFound
from mock_server.jobs import Job, JobKind
from mock_server.tracks import Track

__all__ = ["audio", "cover_png", "image", "stem", "stream", "uploaded", "video", "wav"]

STREAM_CHUNK = 16 * 1024
SAFE_MEDIA = ("audio/", "video/", "image/")
"""Uploaded types served as themselves (SVG excepted: it can hold script)."""
_MIME = re.compile(r"^[\w.+-]+/[\w.+-]+$", re.ASCII)


def _track(request: web.Request) -> Track:
    track_id = request.match_info["id"]
    source = request.app[ENGINE].music.store.track(track_id)
    if source is None:
        raise NotFound(f"no file for track id {track_id!r}")
    return source.track


def _recorded(request: web.Request, kind: Literal["audio", "images"]) -> bytes | None:
    """The real file a recorded scenario serves for this track (`payload.audio`/`images`)."""
    source = request.app[ENGINE].music.store.track(request.match_info["id"])
    scenario = source.task.scenario if source else None
    if source is None or scenario is None:
        return None
    path = scenario.media(kind, source.task.tracks.index(source.track))
    return path.read_bytes() if path is not None else None


def _audio_bytes(request: web.Request) -> bytes:
    return _recorded(request, "audio") or silent_mp3(_track(request).duration)


async def audio(request: web.Request) -> web.Response:
    """The track's MP3; honours a single `Range: bytes=...` request."""
    data = _audio_bytes(request)
    headers = {"Accept-Ranges": "bytes"}
    if "Range" not in request.headers:
        return web.Response(body=data, content_type="audio/mpeg", headers=headers)
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
        status=206, body=data[start:stop], content_type="audio/mpeg", headers=headers
    )


async def stream(request: web.Request) -> web.StreamResponse:
    """The same MP3, sent chunked as a stream."""
    data = _audio_bytes(request)
    response = web.StreamResponse(headers={"Content-Type": "audio/mpeg"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    for at in range(0, len(data), STREAM_CHUNK):
        await response.write(data[at : at + STREAM_CHUNK])
    await response.write_eof()
    return response


async def image(request: web.Request) -> web.Response:
    """The track's cover JPEG (or the real image a recorded scenario names)."""
    _track(request)
    real = _recorded(request, "images")
    if real is not None:
        kind = "image/png" if real.startswith(b"\x89PNG") else "image/jpeg"
        return web.Response(body=real, content_type=kind)
    return web.Response(body=cover_jpeg(), content_type="image/jpeg")


async def uploaded(request: web.Request) -> web.Response:
    """A file stored by the upload API, until it expires."""
    engine = request.app[ENGINE]
    path = request.match_info["path"]
    stored = engine.uploads.get(path)
    if stored is None:
        days = engine.settings.upload_retention / 86400
        raise NotFound(f"no uploaded file at {path!r} (uploads are kept {days:g} days)")
    # Whatever was uploaded must never run as a page on the mock's origin (its script could
    # call the control plane): media types as declared, anything else as an opaque download.
    mime = stored.mime.split(";")[0].strip().lower()
    media = bool(_MIME.match(mime)) and mime.startswith(SAFE_MEDIA) and mime != "image/svg+xml"
    disposition = "inline" if media else "attachment"
    return web.Response(
        body=stored.data,
        content_type=mime if media else "application/octet-stream",
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(stored.file_name)}",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


def _job(request: web.Request, kind: JobKind) -> Job:
    job = request.app[ENGINE].jobs.store.get(request.match_info["id"], kind)
    if job is None:
        raise NotFound(f"no {kind.replace('_', '-')} file for id {request.match_info['id']!r}")
    return job


async def wav(request: web.Request) -> web.Response:
    """A WAV conversion's file."""
    return web.Response(body=silent_wav(_job(request, "wav").length), content_type="audio/wav")


async def stem(request: web.Request) -> web.Response:
    """One stem of a vocal removal / stem split."""
    job = _job(request, "vocal_removal")
    made = [stem.key for stem in job.stems()] if job.error is None else []
    if request.match_info["stem"] not in made:
        raise NotFound(f"no stem {request.match_info['stem']!r} in this result; it has {made}")
    return web.Response(body=silent_mp3(job.length), content_type="audio/mpeg")


async def video(request: web.Request) -> web.Response:
    """A music video's file (a tiny but valid MP4)."""
    return web.Response(body=tiny_mp4(_job(request, "mp4").length), content_type="video/mp4")


async def cover_png(request: web.Request) -> web.Response:
    """A generated cover image (PNG, one colour per job)."""
    job = _job(request, "cover")
    rng = job.random()
    colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
    return web.Response(body=solid_png(*colour), content_type="image/png")
