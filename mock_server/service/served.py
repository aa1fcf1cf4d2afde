"""What each file URL serves: the bytes and their type, or the 404 the client gets.

The URL layout is `media.urls`; the HTTP side (ranges, streaming, download headers) is
`api/files.py`. Tracks serve the real file a recorded scenario names, else made-up media of
the right length; jobs serve made-up media; uploads serve what was uploaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from mock_server.core.errors import NotFound
from mock_server.media.synth import cover_jpeg, silent_mp3

if TYPE_CHECKING:
    # The job and upload families are imported when one of their files is asked for (see
    # docs/performance.md, "Families imported when first reached").
    from mock_server.families.jobs.kinds import Served
    from mock_server.families.jobs.store import Job, JobStore
    from mock_server.families.music.store import TaskStore, TrackSource
    from mock_server.families.uploads.store import StoredFile, UploadStore

__all__ = ["FileJobKind", "job_file", "track_audio", "track_image", "uploaded"]

FileJobKind = Literal["wav", "vocal_removal", "mp4", "cover"]
"""The job families that make files."""


def _source(tasks: TaskStore, track_id: str) -> TrackSource:
    source = tasks.track(track_id)
    if source is None:
        raise NotFound(f"no file for track id {track_id!r}")
    return source


def _recorded(source: TrackSource, kind: Literal["audio", "images"]) -> bytes | None:
    """The real file a recorded scenario serves for this track (`payload.audio`/`images`)."""
    scenario = source.task.scenario
    if scenario is None:
        return None
    path = scenario.media(kind, source.task.tracks.index(source.track))
    return path.read_bytes() if path is not None else None


def track_audio(tasks: TaskStore, track_id: str) -> bytes:
    """The track's MP3 (audio and stream URLs, and their source_* twins)."""
    source = _source(tasks, track_id)
    return _recorded(source, "audio") or silent_mp3(source.track.duration)


def track_image(tasks: TaskStore, track_id: str) -> Served:
    """The track's cover JPEG (or the real image a recorded scenario names)."""
    real = _recorded(_source(tasks, track_id), "images")
    if real is not None:
        return real, "image/png" if real.startswith(b"\x89PNG") else "image/jpeg"
    return cover_jpeg(), "image/jpeg"


def _job(jobs: JobStore, kind: FileJobKind, job_id: str) -> Job:
    job = jobs.get(job_id, kind)
    if job is None:
        raise NotFound(f"no {kind.replace('_', '-')} file for id {job_id!r}")
    return job


def job_file(jobs: JobStore, kind: FileJobKind, job_id: str, stem: str = "") -> Served:
    """A job's file: a WAV conversion, one stem of a separation, a music video (a tiny but
    valid MP4) or a generated cover image; what each kind serves is its class in `kinds`."""
    from mock_server.families.jobs.kinds import KINDS

    return KINDS[kind].serve(_job(jobs, kind, job_id), stem)


def uploaded(store: UploadStore, path: str, now: float) -> StoredFile:
    """A file stored by the File Upload API, until it expires."""
    stored = store.get(path, now)
    if stored is None:
        days = store.retention / 86400
        raise NotFound(f"no uploaded file at {path!r} (uploads are kept {days:g} days)")
    return stored
