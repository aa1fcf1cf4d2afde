"""Single-stage jobs (lyrics, WAV, vocal removal, MP4, cover, MIDI, Recovery Audio): their
rules, and one callback each after `job_delay`."""

from __future__ import annotations

from typing import Any

from mock_server.core.clock import Clock
from mock_server.core.encoding import encode
from mock_server.core.errors import (
    COVER_REPEAT_MSG,
    Conflict,
    InsufficientCredits,
    InvalidParameters,
    PaymentRequired,
    error_for_code,
    require,
)
from mock_server.core.events import EventHub, JobChanged
from mock_server.core.settings import Settings
from mock_server.delivery.dispatcher import Dispatcher
from mock_server.delivery.events import DeliveryExhausted
from mock_server.families.account.backend import ACCOUNT, Account
from mock_server.families.family import Backend, BackendKey, Parts
from mock_server.families.jobs.kinds import KINDS, kind_of
from mock_server.families.jobs.store import Job, JobKind, JobStore
from mock_server.families.jobs.wire import (
    CoverRequest,
    MidiRequest,
    RecoveryRequest,
    TrackJobRequest,
    VocalRemovalRequest,
    WavRequest,
)
from mock_server.families.music.backend import MUSIC, Music
from mock_server.families.music.store import Task
from mock_server.families.music.tracks import Track
from mock_server.media.sources import SourceFetcher

__all__ = ["JOBS", "Jobs"]


class Jobs(Backend):
    """The jobs of one server and every rule about them."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        account: Account,
        music: Music,
        delivery: tuple[Dispatcher, EventHub],
        sources: SourceFetcher,
    ) -> None:
        self.settings, self.clock, self.account, self.music = settings, clock, account, music
        self.dispatcher, self.events = delivery
        self.sources = sources
        self.store = JobStore(settings.seed, settings.job_limit, settings.job_store_bytes)
        self.events.on(DeliveryExhausted, self._exhausted)

    def submit(
        self, kind: JobKind, raw: dict[str, Any], callback_url: str, base_url: str, **fields: Any
    ) -> Job:
        """Charge for and create a job that completes after `job_delay`."""
        self.account.charge(self.settings.task_cost)
        job = self.store.create(
            kind, request=raw, callback_url=callback_url, base_url=base_url,
            created_at=self.clock.now(), **fields,
        )  # fmt: skip
        self.clock.call_at(job.created_at + self.settings.job_delay, self._finish, job)
        self.events.publish(JobChanged(job.id))
        return job

    async def _finish(self, job: Job) -> None:
        job.completed_at = self.clock.now()
        self.events.publish(JobChanged(job.id))
        body = encode(kind_of(job).body(job))
        await self.dispatcher.deliver(job.id, "complete", job.callback_url, body)

    def _exhausted(self, event: DeliveryExhausted) -> None:
        job = self.store.get(event.delivery.task_id)
        if job is not None:
            job.callback_failed = True

    def of_track(
        self, kind: JobKind, body: TrackJobRequest | WavRequest, raw: dict[str, Any], base_url: str
    ) -> Job:
        """WAV or MP4 of a finished track; one of each per track (setting repeat_file_job)."""
        task, track = self._finished(body.taskId, body.audioId)
        claim = (kind, track.id)
        if claim in self.store.claims and self.settings.repeat_file_job == "conflict":
            raise Conflict(f"{kind.upper()} record already exists")
        return self.submit(
            kind, raw, body.callBackUrl, base_url, source=track, parent_task_id=task.id,
            music_index=task.tracks.index(track), claim=claim,
        )  # fmt: skip

    def _finished(self, task_id: str | None, audio_id: str | None) -> tuple[Task, Track]:
        """The track named by `taskId` and `audioId`, or by one of them (WAV, setting
        wav_source=either: a task alone means its first track)."""
        if not task_id:
            source = require(self.music.store.track(audio_id or ""), "track", audio_id or "",
                             field="audioId")  # fmt: skip
            task_id = source.task.id
        elif not audio_id:
            task = self.music.get(task_id)
            audio_id = task.tracks[0].id if task.status == "SUCCESS" else None
        return self.music.finished_track(task_id, audio_id)

    async def separate(self, body: VocalRemovalRequest, raw: dict[str, Any], base_url: str) -> Job:
        """Vocal removal of a finished track, or of uploaded audio (`audioUrl`)."""
        fields: dict[str, Any] = {"separation": body.type, "stem_name": body.stemName}
        if body.audioUrl is not None:
            source = await self.sources.inspect(body.audioUrl)
            fields["duration"] = source.duration or self.settings.default_upload_duration
            fields["error"] = source.failure  # the separation fails like a music task would
        else:
            task, track = self.music.finished_track(body.taskId or "", body.audioId)
            fields |= {"source": track, "parent_task_id": task.id}
            fields["music_index"] = task.tracks.index(track)
        return self.submit("vocal_removal", raw, body.callBackUrl, base_url, **fields)

    def cover(self, body: CoverRequest, raw: dict[str, Any], base_url: str) -> Job:
        """Cover image: one per music task; a repeated request answers the existing one's
        taskId (code `cover_repeat_code`); the cover endpoints' own code for credits (402)."""
        task = require(self.music.store.get(body.taskId), "music task", body.taskId, field="taskId")
        claim = ("cover", task.id)
        existing = self.store.claims.get(claim)
        if existing is not None:
            repeat = error_for_code(self.settings.cover_repeat_code, COVER_REPEAT_MSG)
            repeat.data = {"taskId": existing}
            raise repeat
        try:
            return self.submit(
                "cover", raw, body.callBackUrl, base_url, parent_task_id=task.id, claim=claim
            )
        except InsufficientCredits as err:
            raise PaymentRequired(err.msg) from err

    def midi(self, body: MidiRequest, raw: dict[str, Any], base_url: str) -> Job:
        """MIDI from a finished vocal separation; `audioId` picks one of its stems
        (an `originData[].id`), else every separated track is used."""
        separation = self.get("vocal_removal", body.taskId)
        if separation.completed_at is None:
            raise InvalidParameters(f"taskId: vocal-removal task {body.taskId} is not finished yet")
        stems = {stem.id for stem in separation.stems()}
        if body.audioId and body.audioId not in stems:
            raise InvalidParameters(
                f"audioId: {body.audioId!r} is not a stem of vocal-removal task {body.taskId}; "
                f"use an originData id from its record-info: {', '.join(sorted(stems))}"
            )
        return self.submit(
            "midi", raw, body.callBackUrl, base_url, parent_task_id=body.taskId,
            stem_id=body.audioId or "",
        )  # fmt: skip

    def recover(self, body: RecoveryRequest, raw: dict[str, Any], base_url: str) -> Job:
        """Recovery Audio: the tracks of a finished music task, again, as one job."""
        task_id = body.sunoTaskId
        task = require(self.music.store.get(task_id), "music task", task_id, field="sunoTaskId")
        if task.status != "SUCCESS":
            raise InvalidParameters(
                f"sunoTaskId: task {task.id} is not finished (status {task.status}); "
                "wait for SUCCESS"
            )
        return self.submit(
            "recovery", raw, body.callBackUrl, base_url, parent_task_id=task.id,
            tracks=tuple(task.tracks),
        )  # fmt: skip

    def get(self, kind: JobKind, task_id: str, field: str = "taskId") -> Job:
        """The job of family `kind` with `task_id`, or the 400 that names the field."""
        return require(self.store.get(task_id, kind), KINDS[kind].label, task_id, field=field)

    def record_info(self, kind: JobKind, task_id: str) -> dict[str, Any]:
        """`data` of a family's record-info."""
        job = self.get(kind, task_id)
        return KINDS[kind].record_info(job, self.settings.vocal_removal_track_field)

    def recovery_info(self, task_id: str) -> dict[str, Any]:
        """The whole answer of Recovery Audio's record-info (its own envelope)."""
        job = self.get("recovery", task_id, field="task_id")
        return KINDS["recovery"].record_info(job, self.settings.vocal_removal_track_field)


def counters(jobs: Jobs) -> dict[str, int | float]:
    """The jobs' numbers in the control plane's health."""
    return {"jobs": len(jobs.store)}


def build(parts: Parts) -> Jobs:
    """The jobs backend, with nothing in it."""
    return Jobs(
        parts.settings, parts.clock, ACCOUNT.among(parts.backends), MUSIC.among(parts.backends),
        (parts.dispatcher, parts.events), parts.sources,
    )  # fmt: skip


JOBS = BackendKey("jobs", Jobs)
"""How the jobs handlers reach this backend."""
