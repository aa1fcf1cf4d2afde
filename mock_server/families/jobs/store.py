"""Single-stage task families (docs/api.md): lyrics, WAV, vocal removal, music video,
cover image, MIDI and Recovery Audio. Each job completes once, `job_delay` after it was
accepted, with one callback and a record-info of its own shape (its class in `kinds`).
Results are seeded by the job's id.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import Any, Literal

from mock_server.core.encoding import request_size
from mock_server.core.reclaim import next_trim
from mock_server.families.jobs.stems import Stem, stems_of
from mock_server.families.music.tracks import Track

__all__ = ["Job", "JobKind", "JobStore"]

JobKind = Literal["lyrics", "wav", "vocal_removal", "mp4", "cover", "midi", "recovery"]


@dataclass
class Job:
    """One accepted job of a single-stage family."""

    id: str
    kind: JobKind
    request: dict[str, Any]
    callback_url: str
    base_url: str
    created_at: float
    source: Track | None = None
    """The track it works on (WAV, vocal removal, MP4)."""
    parent_task_id: str = ""
    music_index: int = 0
    separation: str = "separate_vocal"
    stem_name: str | None = None
    """The one stem a `split_stem_advanced` separation extracts."""
    duration: float | None = None
    """Length of the audio it works on (an uploaded `audioUrl`; else its track's)."""
    tracks: tuple[Track, ...] = ()
    """The tracks a recovery brings back."""
    error: tuple[int, str] | None = None
    """The code and message it fails with (a vocal removal of an unusable `audioUrl`)."""
    completed_at: float | None = None
    callback_failed: bool = False
    stem_id: str = ""
    """The stem a MIDI job reads (its `audioId`); empty: every separated track."""
    claim: tuple[str, str] | None = None
    """Its key in `JobStore.claims` when its kind allows one job per subject."""
    size: int = 0
    """About how many bytes its request takes (`encoding.request_size`)."""

    def random(self) -> random.Random:
        seed = hashlib.blake2b(self.id.encode(), digest_size=16).digest()
        return random.Random(int.from_bytes(seed))  # noqa: S311 - not crypto

    @property
    def length(self) -> float:
        """Seconds of audio its files last."""
        if self.duration is not None:
            return self.duration
        return self.source.duration if self.source is not None else 1.0

    def stems(self) -> list[Stem]:
        """What a vocal-removal job separates."""
        return stems_of(self.id, self.separation, self.stem_name)


class JobStore:
    """Jobs by id, with ids seeded like task ids; bounded like the task store."""

    def __init__(self, seed: int, limit: int | None = None, byte_limit: int | None = None) -> None:
        self._seed = seed
        self.limit = limit
        """Keep at most about this many jobs (see `_trim`); None: all."""
        self.byte_limit = byte_limit
        """Keep the jobs' requests to about this many bytes (see `_trim`); None: any."""
        self.held_bytes = 0
        self._trim_at = limit
        self._trim_bytes_at = byte_limit
        self._jobs: dict[str, Job] = {}
        self._count = 0
        self.claims: dict[tuple[str, str], str] = {}
        """(kind, subject id) -> the one job of that kind for it: a music task's cover (a
        second request answers the existing one), a track's WAV or MP4 (a second one is a 409).
        """

    def __len__(self) -> int:
        return len(self._jobs)

    def _trim(self) -> None:
        """Forget the oldest completed jobs down to nine tenths of `limit`, and of
        `byte_limit` in requests held (jobs not yet completed are kept); as TaskStore._trim,
        the cost per job stays flat."""
        limit, byte_limit = self.limit, self.byte_limit
        over_count = self._trim_at is not None and len(self._jobs) >= self._trim_at
        over_bytes = self._trim_bytes_at is not None and self.held_bytes > self._trim_bytes_at
        if not (over_count or over_bytes):
            return
        excess = len(self._jobs) - (limit - limit // 10) if over_count and limit else 0
        free = self.held_bytes - byte_limit * 9 // 10 if over_bytes and byte_limit else 0
        for job in [job for job in self._jobs.values() if job.completed_at is not None]:
            if excess <= 0 and free <= 0:
                break
            del self._jobs[job.id]
            if job.claim is not None:
                self.claims.pop(job.claim, None)
            self.held_bytes -= job.size
            excess, free = excess - 1, free - job.size
        if limit is not None:
            self._trim_at = next_trim(limit, len(self._jobs))
        if byte_limit is not None:
            self._trim_bytes_at = next_trim(byte_limit, self.held_bytes)

    def get(self, job_id: str, kind: JobKind | None = None) -> Job | None:
        """The job with this id (of this kind, if given: ids of one kind are not another's)."""
        job = self._jobs.get(job_id)
        return job if job is not None and (kind is None or job.kind == kind) else None

    def all(self) -> list[Job]:
        return list(self._jobs.values())

    def new_id(self, kind: str) -> str:
        """A fresh id, seeded like task ids (also for synchronous answers that need one)."""
        self._count += 1
        text = f"suno-mock/{self._seed}/{kind}/{self._count}"
        return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()

    def create(self, kind: JobKind, **fields: Any) -> Job:
        self._trim()
        job = Job(id=self.new_id(kind), kind=kind, **fields)
        job.size = request_size(job.request)
        self.held_bytes += job.size
        self._jobs[job.id] = job
        if job.claim is not None:
            self.claims[job.claim] = job.id
        return job
