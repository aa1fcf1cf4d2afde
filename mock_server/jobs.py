"""Single-stage task families (docs/api.md): lyrics, WAV, vocal removal, music video,
cover image, MIDI and Recovery Audio. Each job completes once, `job_delay` after it was
accepted, with one callback and a record-info of its own shape (built by `payloads.job`).
Results are seeded by the job's id.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from typing import Any, Literal

from mock_server.stems import Stem, stems_of
from mock_server.tracks import Track

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
    extra: dict[str, Any] = field(default_factory=dict)

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

    def __init__(self, seed: int, limit: int | None = None) -> None:
        self._seed = seed
        self.limit = limit
        """Keep at most about this many jobs (see `_trim`); None: all."""
        self._trim_at = limit
        self._jobs: dict[str, Job] = {}
        self._count = 0
        self.covers: dict[str, str] = {}
        """Music task id -> its cover job id (a second request answers the existing one)."""
        self.files: dict[tuple[str, str], str] = {}
        """(`wav` or `mp4`, track id) -> the job that made that file (a second one is a 409)."""

    def clear(self) -> None:
        self._jobs.clear()
        self.covers.clear()
        self.files.clear()
        self._count = 0
        self._trim_at = self.limit

    def __len__(self) -> int:
        return len(self._jobs)

    def _trim(self) -> None:
        """Forget the oldest completed jobs down to nine tenths of `limit` (jobs not yet
        completed are kept); as TaskStore._trim, the cost per job stays flat."""
        if self.limit is None or self._trim_at is None or len(self._jobs) < self._trim_at:
            return
        excess = len(self._jobs) - (self.limit - self.limit // 10)
        gone = [job for job in self._jobs.values() if job.completed_at is not None][:excess]
        for job in gone:
            del self._jobs[job.id]
            if job.kind == "cover":
                self.covers.pop(job.parent_task_id, None)
            elif job.kind in ("wav", "mp4") and job.source is not None:
                self.files.pop((job.kind, job.source.id), None)
        self._trim_at = max(self.limit, len(self._jobs) + self.limit // 10)

    def get(self, job_id: str, kind: JobKind | None = None) -> Job | None:
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
        self._jobs[job.id] = job
        return job
