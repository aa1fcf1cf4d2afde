"""Single-stage task families (docs/api.md): lyrics, WAV, vocal removal, music video,
cover image and MIDI. Each job completes once, `job_delay` after it was accepted, with one
callback and a record-info of its own shape. Results are seeded by the job's id.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from typing import Any, Literal

from faker import Faker

from mock_server.assets import file_urls
from mock_server.stems import Stem, callback_info, record_response, stems_of
from mock_server.tracks import Track

__all__ = ["Job", "JobKind", "JobStore", "job_callback", "job_record_info", "recovery_record"]

JobKind = Literal["lyrics", "wav", "vocal_removal", "mp4", "cover", "midi", "recovery"]
INSTRUMENTS = ("Drums", "Bass", "Piano", "Guitar", "Strings", "Synth Lead")


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

    def url(self, what: str) -> str:
        return f"{self.base_url}/files/{what}"

    @property
    def length(self) -> float:
        """Seconds of audio its files last."""
        if self.duration is not None:
            return self.duration
        return self.source.duration if self.source is not None else 1.0

    def stems(self) -> list[Stem]:
        """What a vocal-removal job separates."""
        return stems_of(self.id, self.separation, self.stem_name)

    def stem_urls(self) -> dict[str, str]:
        return {s.key: self.url(f"stems/{self.id}/{s.key}.mp3") for s in self.stems()}


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

    def clear(self) -> None:
        self._jobs.clear()
        self.covers.clear()
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


def _lyrics(job: Job) -> list[dict[str, str]]:
    fake = Faker("en_US")
    fake.seed_instance(job.random().getrandbits(64))
    title = str(fake.catch_phrase()).title()
    items = []
    for _ in range(2):
        verse = "\n".join(str(fake.sentence(nb_words=6)).rstrip(".") for _ in range(4))
        chorus = "\n".join(str(fake.sentence(nb_words=5)).rstrip(".") for _ in range(2))
        text = f"[Verse]\n{verse}\n\n[Chorus]\n{chorus}"
        items.append({"text": text, "title": title, "status": "complete", "errorMessage": ""})
    return items


def _midi(job: Job) -> dict[str, Any]:
    """Notes on a 1/192 s grid. Like the documented example, times alternate between JSON
    strings and numbers (`"start": "0.036458333333333336"`, `"start": 0.046875`): a client that
    reads only numbers breaks in production, so it breaks here too."""
    rng = job.random()
    instruments = []
    for name in rng.sample(INSTRUMENTS, 3):
        notes: list[dict[str, Any]] = []
        tick = 0
        for i in range(8):
            length = rng.randint(20, 115)
            start, end = tick / 192, (tick + length) / 192
            times: tuple[Any, Any] = (repr(start), repr(end)) if i % 2 == 0 else (start, end)
            notes.append(
                {"pitch": rng.randint(36, 84), "start": times[0], "end": times[1], "velocity": 1}
            )
            tick += length + rng.randint(0, 58)
        instruments.append({"name": name, "notes": notes})
    return {"state": "complete", "instruments": instruments}


def job_callback(job: Job) -> dict[str, Any]:
    """The one callback a job sends when it completes (each family has its own shape)."""
    if job.kind == "lyrics":
        return {
            "code": 200,
            "msg": "All generated successfully.",
            "data": {"callbackType": "complete", "taskId": job.id, "data": _lyrics(job)},
        }
    if job.kind == "wav":
        return {
            "code": 200,
            "msg": "success",
            "data": {"audioWavUrl": job.url(f"wav/{job.id}.wav"), "task_id": job.id},
        }
    if job.kind == "vocal_removal" and job.error is not None:
        code, msg = job.error
        return {"code": code, "msg": msg, "data": {"task_id": job.id, "vocal_removal_info": None}}
    if job.kind == "vocal_removal":
        return {
            "code": 200,
            "msg": "vocal Removal generated successfully.",
            "data": {
                "task_id": job.id,
                "vocal_removal_info": callback_info(job.stems(), job.stem_urls()),
            },
        }
    if job.kind == "mp4":
        return {
            "code": 200,
            "msg": "MP4 generated successfully.",
            "data": {"task_id": job.id, "video_url": job.url(f"video/{job.id}.mp4")},
        }
    if job.kind == "cover":
        return {"code": 200, "msg": "success", "data": {"taskId": job.id, "images": _covers(job)}}
    if job.kind == "recovery":
        return {"code": 200, "msg": "success", "task_id": job.id, "data": _recovered(job)}
    return {"task_id": job.id, "code": 200, "msg": "success", "data": _midi(job)}


def _recovered(job: Job) -> list[dict[str, str]]:
    """One item per track of the music task, in its order; the audio URL is the track's."""
    return [
        {"id": t.id, "audio_url": file_urls(job.base_url, t.id).audio, "title": t.title,
         "status": "success", "error": ""}
        for t in job.tracks
    ]  # fmt: skip


def recovery_record(job: Job) -> dict[str, Any]:
    """The whole answer of GET /api/v1/suno/recovery/record-info: its own envelope, with
    `task_id` at the top level and code 201 while the recovery runs."""
    if job.completed_at is None:
        return {"code": 201, "task_id": job.id, "msg": "processing", "data": None}
    return {"code": 200, "task_id": job.id, "msg": "success", "data": _recovered(job)}


def _covers(job: Job) -> list[str]:
    return [job.url(f"cover/{job.id}-{i}.png") for i in (1, 2)]


def job_record_info(job: Job, track_field: str = "audioId") -> dict[str, Any]:
    """`data` of the family's record-info endpoint, as the job is now."""
    done = job.completed_at is not None
    created, completed = (
        int(job.created_at * 1000),
        (int(job.completed_at * 1000) if job.completed_at is not None else None),
    )
    flag = "CALLBACK_EXCEPTION" if job.callback_failed else ("SUCCESS" if done else "PENDING")
    common: dict[str, Any] = {"errorCode": None, "errorMessage": None}
    if done and job.error is not None:
        flag = "CREATE_TASK_FAILED"
        common = {"errorCode": job.error[0], "errorMessage": job.error[1]}
    if job.kind == "lyrics":
        lyrics = {"taskId": job.id, "data": _lyrics(job)} if done else None
        return {
            "taskId": job.id,
            "param": _param(job),
            "response": lyrics,
            "status": flag,
            "type": "LYRICS",
            **common,
        }
    if job.kind == "cover":
        return {
            "taskId": job.id,
            "parentTaskId": job.parent_task_id,
            "callbackUrl": job.callback_url,
            "completeTime": completed,
            "response": {"images": _covers(job)} if done else None,
            "successFlag": 1 if done else 0,
            "createTime": created,
            **common,
        }
    if job.kind == "midi":
        return {
            "taskId": job.id,
            "recordTaskId": -1,
            "audioId": job.extra.get("audioId", ""),
            "callbackUrl": job.callback_url,
            "completeTime": completed,
            "midiData": _midi(job) if done else None,
            "successFlag": 1 if done else 0,
            "createTime": created,
            **common,
        }
    response: dict[str, Any] | None = None
    if done and job.kind == "wav":
        response = {"audioWavUrl": job.url(f"wav/{job.id}.wav")}
    elif done and job.kind == "vocal_removal" and job.error is None:
        response = record_response(job.stems(), job.stem_urls(), job.length)
    elif done and job.kind == "mp4":
        response = {"videoUrl": job.url(f"video/{job.id}.mp4")}
    data: dict[str, Any] = {
        "taskId": job.id,
        "musicId": job.source.id if job.source else "",
        "callbackUrl": job.callback_url,
    }
    if job.kind == "vocal_removal" and track_field == "audioId":  # sunoapi.org's page
        data["audioId"] = job.source.id if job.source else ""
    elif job.kind == "vocal_removal" or job.kind == "mp4":  # kie.ai's page: the track's index
        data["musicIndex"] = job.music_index
    return {
        **data,
        "completeTime": completed,
        "response": response,
        "successFlag": flag,
        "createTime": created,
        **common,
    }


def _param(job: Job) -> str:
    return json.dumps(job.request, ensure_ascii=False, separators=(",", ":"))
