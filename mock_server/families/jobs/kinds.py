"""The single-stage job kinds as a table of small classes: one class per kind holds everything
that differs between kinds — the request model a client sends, the callback schema, the one
callback and the record-info it answers (`payloads.job`), the files its URLs serve and the
fields of its probe sample. Code that used to ask `job.kind` which branch to take asks
`KINDS[job.kind]` instead.

Adding a kind: a class here and a row in `KINDS`, its route rows in `routes.py`, a case in the
probe's `JOBS`; `tests/architecture/test_kinds.py` fails until every part is there.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from pydantic import BaseModel

from mock_server.core.errors import NotFound
from mock_server.families.jobs import payloads as payload
from mock_server.families.jobs import schema, wire
from mock_server.families.jobs.store import Job, JobKind
from mock_server.families.music.store import Task
from mock_server.families.recovery.schema import RecoveryCallback
from mock_server.media.synth import silent_mp3, silent_wav, solid_png, tiny_mp4

__all__ = ["KINDS", "Kind", "Served", "kind_of"]

Served = tuple[bytes, str]
"""A file's bytes and its Content-Type."""


class Kind(ABC):
    """One kind of single-stage job. Subclasses set the class attributes and override what
    their kind does differently; the defaults describe a kind that makes no files and needs
    no fields beyond the request. A class without `body` or `record_info` cannot be made."""

    name: ClassVar[JobKind]
    request: ClassVar[type[BaseModel]]
    """The body a client submits (`mock_server.families.jobs.wire`)."""
    callback: ClassVar[type[BaseModel]]
    """The schema of its one callback (`payloads.schema`), as /openapi.json shows it."""
    callback_type: ClassVar[str] = "complete"
    """What the journal calls its callback (one of `waits.CALLBACK_TYPES`)."""

    @property
    def label(self) -> str:
        """How errors name a job of this kind (`vocal-removal task`)."""
        return f"{self.name.replace('_', '-')} task"

    @abstractmethod
    def body(self, job: Job) -> dict[str, Any]:
        """The callback it sends when it completes."""

    @abstractmethod
    def record_info(self, job: Job, track_field: str) -> dict[str, Any]:
        """`data` of its record-info endpoint, as the job is now (`track_field`: setting
        `vocal_removal_track_field`)."""

    def serve(self, job: Job, stem: str) -> Served:
        """The file one of its result URLs serves."""
        raise NotFound(f"no {self.name.replace('_', '-')} file for id {job.id!r}")

    def sample(self, source: Task) -> dict[str, Any]:
        """The job fields the probe gives its sample of this kind, made on `source`'s first
        track (the sample's callback is the real builder's output)."""
        return {}


class Lyrics(Kind):
    name = "lyrics"
    request = wire.LyricsRequest
    callback = schema.LyricsCallback

    def body(self, job: Job) -> dict[str, Any]:
        return payload.lyrics_callback(job)

    def record_info(self, job: Job, track_field: str) -> dict[str, Any]:
        return payload.lyrics_record(job)


class _OfTrack(Kind):
    """A kind that works on one finished track."""

    def sample(self, source: Task) -> dict[str, Any]:
        return {"source": source.tracks[0], "music_index": 0}


class Wav(_OfTrack):
    name = "wav"
    request = wire.WavRequest
    callback = schema.WavCallback

    def body(self, job: Job) -> dict[str, Any]:
        return payload.wav_callback(job)

    def record_info(self, job: Job, track_field: str) -> dict[str, Any]:
        return payload.file_record(job, {}, lambda: {"audioWavUrl": payload.wav_url(job)})

    def serve(self, job: Job, stem: str) -> Served:
        return silent_wav(job.length), "audio/wav"


class VocalRemoval(_OfTrack):
    name = "vocal_removal"
    request = wire.VocalRemovalRequest
    callback = schema.VocalRemovalCallback

    def body(self, job: Job) -> dict[str, Any]:
        return payload.vocal_removal_callback(job)

    def record_info(self, job: Job, track_field: str) -> dict[str, Any]:
        """sunoapi.org's page names the track `audioId`, kie.ai's `musicIndex` (and adds
        `pianoUrl`)."""
        kie = track_field == "musicIndex"
        track: dict[str, Any] = {"musicIndex": job.music_index}
        if track_field == "audioId":
            track = {"audioId": job.source.id if job.source else ""}
        separated = job.error is None
        return payload.file_record(
            job, track, lambda: payload.separation_response(job, kie) if separated else None
        )

    def serve(self, job: Job, stem: str) -> Served:
        made = [s.key for s in job.stems()] if job.error is None else []
        if stem not in made:
            raise NotFound(f"no stem {stem!r} in this result; it has {made}")
        return silent_mp3(job.length), "audio/mpeg"


class Mp4(_OfTrack):
    name = "mp4"
    request = wire.Mp4Request
    callback = schema.Mp4Callback

    def body(self, job: Job) -> dict[str, Any]:
        return payload.mp4_callback(job)

    def record_info(self, job: Job, track_field: str) -> dict[str, Any]:
        track = {"musicIndex": job.music_index}
        return payload.file_record(job, track, lambda: {"videoUrl": payload.video_url(job)})

    def serve(self, job: Job, stem: str) -> Served:
        return tiny_mp4(job.length), "video/mp4"


class Cover(Kind):
    name = "cover"
    request = wire.CoverRequest
    callback = schema.CoverCallback

    def body(self, job: Job) -> dict[str, Any]:
        return payload.cover_callback(job)

    def record_info(self, job: Job, track_field: str) -> dict[str, Any]:
        return payload.cover_record(job)

    def serve(self, job: Job, stem: str) -> Served:
        """A PNG of one colour per job."""
        rng = job.random()
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        return solid_png(*colour), "image/png"


class Midi(Kind):
    name = "midi"
    request = wire.MidiRequest
    callback = schema.MidiCallback

    def body(self, job: Job) -> dict[str, Any]:
        return payload.midi_callback(job)

    def record_info(self, job: Job, track_field: str) -> dict[str, Any]:
        return payload.midi_record(job)

    def sample(self, source: Task) -> dict[str, Any]:
        return {"stem_id": source.tracks[0].id}


class Recovery(Kind):
    name = "recovery"
    request = wire.RecoveryRequest
    callback = RecoveryCallback

    def body(self, job: Job) -> dict[str, Any]:
        return payload.recovery_callback(job)

    def record_info(self, job: Job, track_field: str) -> dict[str, Any]:
        """Recovery's record-info is a whole answer with its own envelope."""
        return payload.recovery_record(job)

    def sample(self, source: Task) -> dict[str, Any]:
        return {"tracks": tuple(source.tracks)}


KINDS: dict[JobKind, Kind] = {
    kind.name: kind
    for kind in (Lyrics(), Wav(), VocalRemoval(), Mp4(), Cover(), Midi(), Recovery())
}
"""Every job kind, by `Job.kind`."""


def kind_of(job: Job) -> Kind:
    return KINDS[job.kind]
