"""The engine: accepts tasks, walks them through their stages on the clock, calls back.

One per server. It owns the store, the journal and the dispatcher, so handlers and the control
plane talk to exactly one object.
"""

from __future__ import annotations

import json
import logging
import random
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

from mock_server.callbacks import Dispatcher
from mock_server.catalog import STAGES, Operation, Stage
from mock_server.clock import Clock, ScaledClock
from mock_server.errors import (
    COVER_REPEAT_MSG,
    InsufficientCredits,
    InvalidParameters,
    PaymentRequired,
    error_for_code,
)
from mock_server.events import EventHub
from mock_server.jobs import Job, JobKind, JobStore, job_callback
from mock_server.journal import Delivery, Journal
from mock_server.payloads import encode, error_callback, record_info, stage_callback
from mock_server.ratelimit import RateLimiter
from mock_server.scenario import (
    ApiBehaviour,
    CallbackKind,
    ErrorOutcome,
    Scenario,
    ScenarioLibrary,
)
from mock_server.settings import Settings
from mock_server.sources import SourceAudio, SourceFetcher
from mock_server.tasks import Task, TaskStore
from mock_server.tracks import Track, TrackFactory
from mock_server.uploads import UploadStore
from mock_server.voice import VoiceService
from mock_server.wire import (
    BoostStyleRequest,
    CoverRequest,
    ExtendRequest,
    MidiRequest,
    MusicRequest,
    PersonaRequest,
    RecoveryRequest,
    ReplaceSectionRequest,
    SoundsRequest,
    TimestampedLyricsRequest,
    VocalRemovalRequest,
)
from mock_server.wire.music import TrackRequest

__all__ = ["Engine", "plan_for", "with_looks"]

log = logging.getLogger(__name__)
_PLAIN_API = ApiBehaviour()


class Engine:
    """Tasks, callbacks, journal and account, driven by one clock."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.journal = Journal(settings.journal_limit)
        self.events = EventHub()
        self.journal.listeners.append(
            lambda delivery, _: self.events.publish("delivery", id=delivery.task_id)
        )
        self.journal.request_listeners.append(
            lambda record: self.events.publish("request", id=record.seq)
        )
        self.store = TaskStore(TrackFactory(settings.seed), settings.credits, settings.task_limit)
        self.dispatcher = Dispatcher(clock, settings, self.journal)
        self.sources = SourceFetcher(settings)
        self.uploads = UploadStore(settings.upload_retention, settings.upload_store_bytes)
        self.jobs = JobStore(settings.seed, settings.job_limit)
        self.personas: OrderedDict[str, dict[str, str]] = OrderedDict()
        """Audio id -> its persona; bounded like the tasks (oldest forgotten first)."""
        self.rate_limiter = RateLimiter(settings.rate, clock)
        self.voices = VoiceService(
            settings.seed, clock, self.dispatcher, settings.job_delay,
            on_event=lambda task_id: self.events.publish("job", id=task_id),
        )  # fmt: skip
        self.scenarios = ScenarioLibrary(
            [Path(d) for d in settings.scenario_dirs],
            default=settings.scenario,
            max_bytes=settings.scenario_max_bytes,
        )
        self._api_uses: dict[str, int] = {}
        delays = settings.stage_delays
        self._default_times: dict[str, float] = {s: getattr(delays, s) for s in STAGES}
        self._default_plan = tuple((self._default_times[s], s) for s in STAGES)
        # Bound once: a timer a task must not mean a new method object a task.
        self._fire = self._fire_event
        self.errors: list[BaseException] = []
        """Exceptions that escaped a handler (bugs in the mock), for tests to check."""

    async def start(self) -> None:
        await self.dispatcher.start()
        await self.sources.start()

    async def close(self) -> int:
        """Cancel everything pending; return how many timers/deliveries were cancelled."""
        self.store.stop_early()
        cancelled = await self.clock.shutdown()
        if cancelled:
            log.info("shutdown: cancelled %d pending stage/retry timers or deliveries", cancelled)
        await self.dispatcher.close()
        await self.sources.close()
        return cancelled

    async def reset(self) -> int:
        """Forget every task, request and delivery; cancel what was pending; restore credits."""
        cancelled = await self.clock.shutdown()
        self.journal.clear()
        self.store.reset()
        self.uploads.clear()
        self.jobs.clear()
        self.personas.clear()
        self.rate_limiter.clear()
        self.voices.clear()
        self._api_uses.clear()
        self.scenarios.clear_queue()
        self.events.publish("reset")
        return cancelled

    def select_scenario(self, operation: str, raw: dict[str, Any]) -> Scenario | None:
        """The scenario a submit would run under (a queued one, a match rule, the default)."""
        return self.scenarios.select(operation, raw)

    def api_fault(self, scenario: Scenario | None) -> ApiBehaviour | None:
        """The scenario's API behaviour if it applies to this submit (counting `times`)."""
        if scenario is None or scenario.api == _PLAIN_API:
            return None
        used = self._api_uses.get(scenario.name, 0)
        if scenario.api.times is not None and used >= scenario.api.times:
            return None
        self._api_uses[scenario.name] = used + 1
        if scenario.api.respond is not None or scenario.api.drop_connection:
            self.scenarios.consumed(scenario)
        return scenario.api

    async def inspect_uploads(
        self, body: MusicRequest | ReplaceSectionRequest | SoundsRequest
    ) -> list[SourceAudio]:
        """Download the request's uploadUrl(s) where allowed, to learn their real duration."""
        return [await self.sources.inspect(url) for url in body.upload_urls()]

    def submit_request(
        self,
        body: MusicRequest | ReplaceSectionRequest | SoundsRequest,
        raw: dict[str, Any],
        base_url: str,
        scenario: Scenario | None = None,
        sources: Sequence[SourceAudio] = (),
    ) -> Task:
        """Accept a validated music request: check it against known and uploaded audio, then
        submit. An upload that could not be downloaded (or is not audio) still makes a task,
        which then fails with the documented error callback."""
        upload = _upload_duration(sources, self.settings.default_upload_duration)
        effective = _failing_sources(sources, scenario, self.settings.stage_delays.text)
        if isinstance(body, ReplaceSectionRequest):
            task = self._replace_section(body, raw, base_url, effective, upload)
        elif isinstance(body, SoundsRequest):
            task = self.submit(
                body.operation, raw, tracks=body.tracks(self.settings.seed),
                callback_url=body.callBackUrl or "",
                base_url=base_url, scenario=effective,
            )  # fmt: skip
        else:
            task = self._music(body, raw, base_url, effective, upload)
        if scenario is not None:
            self.scenarios.consumed(scenario)  # `effective` may be a modified copy
        for source in sources:
            if source.note:
                task.history.append((task.created_at, source.note))
                log.info("task %s: %s", task.id, source.note)
        return task

    def _music(
        self,
        body: MusicRequest,
        raw: dict[str, Any],
        base_url: str,
        scenario: Scenario | None,
        upload: float,
    ) -> Task:
        if body.operation in ("upload_cover", "upload_extend"):
            self._check_upload_length(body.model, upload)
        parent = ""
        tracks = body.tracks()
        continue_at = getattr(body, "continueAt", None)
        if isinstance(body, ExtendRequest):
            source = self.store.require_source(body.audioId, body.model)
            limit = source.track.duration if source else self.settings.default_source_duration
            parent = body.audioId
            if source and not body.defaultParamFlag:
                # Settings are inherited from the source track.
                tracks = replace(
                    tracks,
                    title=source.track.title,
                    style=source.track.tags,
                    lyrics=source.track.prompt or None,
                )
        else:
            limit = upload
        if continue_at is not None and not 0 < continue_at < limit:
            raise InvalidParameters(
                f"continueAt: must be greater than 0 and less than the source audio's duration "
                f"({limit:g} s), got {continue_at:g}"
            )
        return self.submit(
            body.operation,
            raw,
            tracks=tracks,
            callback_url=body.callBackUrl,
            base_url=base_url,
            parent_music_id=parent,
            scenario=scenario,
        )

    def _replace_section(
        self,
        body: ReplaceSectionRequest,
        raw: dict[str, Any],
        base_url: str,
        scenario: Scenario | None,
        upload: float,
    ) -> Task:
        parent, model, duration = "", str(body.model or ""), upload
        if body.taskId:
            source_task, track = self.finished_track(body.taskId, body.audioId)
            parent, model, duration = track.id, source_task.model, track.duration
        start, end = body.infillStartS or 0.0, body.infillEndS or 0.0
        if end > duration:
            raise InvalidParameters(
                f"infillEndS: must lie within the track ({duration:g} s), got {end:g}"
            )
        if end - start > duration / 2:
            raise InvalidParameters(
                f"infillEndS: the window ({end - start:g} s) must not exceed half of the "
                f"track ({duration / 2:g} s)"
            )
        tracks = replace(body.tracks(model or "V4_5PLUS"), durations=(duration, duration))
        return self.submit(
            body.operation,
            raw,
            tracks=tracks,
            callback_url=body.callBackUrl or "",
            base_url=base_url,
            parent_music_id=parent,
            scenario=scenario,
        )

    async def resend(self, task_id: str, kind: str) -> Delivery:
        """Send a task's callback of `kind` again (its last payload), as a new delivery."""
        task = self.store.get(task_id)
        if task is None:
            raise InvalidParameters(f"taskId: no task with id {task_id!r}")
        sent = [d for d in self.journal.deliveries(task_id) if d.callback_type == kind]
        if not sent:
            known = sorted({d.callback_type for d in self.journal.deliveries(task_id)})
            raise InvalidParameters(
                f"stage: task {task_id} has no {kind!r} callback yet; it has {known or 'none'}"
            )
        return await self.dispatcher.deliver(
            task_id, kind, task.callback_url, sent[-1].payload, self._exhausted
        )

    def _check_upload_length(self, model: str, seconds: float) -> None:
        limit = (
            self.settings.max_upload_duration_v4_5all
            if model == "V4_5ALL"
            else self.settings.max_upload_duration
        )
        if seconds > limit:
            raise InvalidParameters(
                f"uploadUrl: the audio is {seconds:g} s long; model {model} accepts uploads of "
                f"at most {limit:g} s (settings max_upload_duration, max_upload_duration_v4_5all)"
            )

    def submit(
        self,
        operation: Operation,
        request: dict[str, Any],
        *,
        tracks: TrackRequest,
        callback_url: str,
        base_url: str,
        parent_music_id: str = "",
        scenario: Scenario | None = None,
        task_id: str | None = None,
    ) -> Task:
        """Create a task (charging credits) and schedule its events."""
        if scenario is not None:
            tracks = with_looks(tracks, scenario)
        task = self.store.create(
            operation=operation,
            request=request,
            tracks=tracks,
            callback_url=callback_url,
            base_url=base_url,
            now=self.clock.now(),
            cost=self.settings.task_cost,
            parent_music_id=parent_music_id,
            scenario=scenario,
            task_id=task_id,
        )
        if scenario is None:
            task.plan = self._default_plan
        else:
            self.scenarios.consumed(scenario)
            task.plan = plan_for(scenario, self._default_times)
        self._schedule_next(task)
        self._build_early(task)
        self.events.publish("task", id=task.id)
        return task

    def _build_early(self, task: Task) -> None:
        """Have the task's tracks built halfway to the first event that sends them (issue 13:
        a thousand tasks due together then find their tracks made). Real time only: under a
        ManualClock tracks are built when first needed, as before."""
        if not isinstance(self.clock, ScaledClock) or task.tracks_built:
            return
        lead = next((at for at, kind in task.plan if kind not in ("text", "error")), None)
        if lead is not None:
            self.store.build_early(task, lead / 2 * self.clock.scale)

    def _schedule_next(self, task: Task) -> None:
        """Set a timer for the task's next event; each event sets the next (one timer a task)."""
        if task.step < len(task.plan):
            self.clock.call_at(task.created_at + task.plan[task.step][0], self._fire, task)

    async def _fire_event(self, task: Task) -> None:
        _, kind = task.plan[task.step]
        task.step += 1
        self._schedule_next(task)
        if kind == "error":
            await self._fail(task)
        else:
            await self._reach(task, cast(Stage, kind))

    async def _reach(self, task: Task, stage: Stage) -> None:
        task.reach(stage, self.clock.now())
        self.events.publish("task", id=task.id)
        settings = self.payload_settings(task)
        body = encode(stage_callback(task, stage, settings))
        if task.scenario is None and task.callback_url:  # sent as built: it can be rebuilt
            await self._deliver(task, stage, body, recipe=_StageBytes(task, stage, settings))
            return
        await self._send(task, stage, body)

    async def _fail(self, task: Task) -> None:
        error = task.scenario.error if task.scenario else None
        if error is None:
            raise AssertionError(f"task {task.id} reached an error event without an error outcome")
        task.fail(error.status, error.code, error.msg, self.clock.now())
        self.events.publish("task", id=task.id)
        task.plan = task.plan[: task.step]  # nothing happens after an error
        body = encode(
            error_callback(task, error.code, error.msg, empty_list=error.data == "empty_list")
        )
        await self._send(task, "error", body)

    def payload_settings(self, task: Task) -> Settings:
        """The settings `task`'s payloads are built with (its scenario's overrides applied)."""
        looks = task.scenario.payload if task.scenario else None
        if looks is None or (looks.text_tracks is None and looks.create_time is None):
            return self.settings
        update: dict[str, Any] = {}
        if looks.text_tracks is not None:
            update["text_callback_tracks"] = looks.text_tracks
        if looks.create_time is not None:
            update["create_time_format"] = looks.create_time
        return self.settings.model_copy(update=update)

    async def _send(self, task: Task, kind: str, body: bytes) -> None:
        """Deliver a callback, applying the scenario's delivery faults."""
        if not task.callback_url:
            return  # callBackUrl is optional for replace-section: polling only
        if task.scenario is None:
            await self._deliver(task, kind, body)
            return
        faults = task.scenario.delivery
        if kind in faults.drop:
            dropped = self.journal.new_delivery(task.id, kind, task.callback_url, body)
            dropped.state = "dropped"
            self.journal.notify(dropped, None)
            log.info(
                "callback %s for task %s dropped (scenario %s)", kind, task.id, task.scenario.name
            )
        else:
            if kind in faults.malformed:
                body = body[: len(body) // 2]
            if faults.swap and kind == min(faults.swap, key=STAGES.index):
                task.held.append((kind, body))  # sent right after the later stage of the pair
                return
            late = faults.late.get(cast(CallbackKind, kind), 0.0)
            copies = 2 if kind in faults.duplicate else 1
            if late:
                self.clock.call_later(late, self._deliver, task, kind, body, copies)
            else:
                await self._deliver(task, kind, body, copies)
        # Held callbacks follow the later stage of the swap, or the last event at the latest.
        if task.held and (kind in (faults.swap or ()) or task.step >= len(task.plan)):
            held, task.held = task.held, []
            for held_kind, held_body in held:
                await self._deliver(task, held_kind, held_body)

    async def _deliver(
        self,
        task: Task,
        kind: str,
        body: bytes,
        copies: int = 1,
        recipe: Callable[[], bytes] | None = None,
    ) -> None:
        delivery = task.scenario.delivery if task.scenario else None
        for _ in range(copies):
            await self.dispatcher.deliver(
                task.id,
                kind,
                task.callback_url,
                body,
                self._exhausted,
                retry_delays=delivery.retry_delays if delivery else None,
                receiver_timeout=delivery.timeout if delivery else None,
                bad_signature=bool(delivery and kind in delivery.bad_signature),
                recipe=recipe,
            )

    def _exhausted(self, delivery: Delivery) -> None:
        task = self.store.get(delivery.task_id)
        if task is not None:
            task.callback_exhausted(delivery.callback_type, self.clock.now())
            self.events.publish("task", id=task.id)
        job = self.jobs.get(delivery.task_id)
        if job is not None:
            job.callback_failed = True

    # Single-stage families and synchronous operations (docs/api.md).

    def finished_track(self, task_id: str, audio_id: str | None) -> tuple[Task, Track]:
        """A track of a finished task, or the API error that says why not."""
        task = self.store.get(task_id)
        if task is None:
            raise InvalidParameters(f"taskId: no task with id {task_id!r}")
        if task.status != "SUCCESS":
            raise InvalidParameters(
                f"taskId: task {task_id} is not finished (status {task.status}); wait for SUCCESS"
            )
        track = next((t for t in task.tracks if t.id == audio_id), None)
        if track is None:
            known = ", ".join(t.id for t in task.tracks)
            raise InvalidParameters(
                f"audioId: {audio_id!r} is not a track of task {task_id}; its tracks are {known}"
            )
        return task, track

    def submit_job(
        self, kind: JobKind, raw: dict[str, Any], callback_url: str, base_url: str, **fields: Any
    ) -> Job:
        """Create a single-stage job (charging credits) that completes after `job_delay`."""
        self.store.charge(self.settings.task_cost)
        job = self.jobs.create(
            kind, request=raw, callback_url=callback_url, base_url=base_url,
            created_at=self.clock.now(), **fields,
        )  # fmt: skip
        self.clock.call_at(job.created_at + self.settings.job_delay, self._finish, job)
        self.events.publish("job", id=job.id)
        return job

    async def _finish(self, job: Job) -> None:
        job.completed_at = self.clock.now()
        self.events.publish("job", id=job.id)
        body = encode(job_callback(job))
        await self.dispatcher.deliver(job.id, "complete", job.callback_url, body, self._exhausted)

    async def separate(self, body: VocalRemovalRequest, raw: dict[str, Any], base_url: str) -> Job:
        """Vocal removal of a finished track, or of uploaded audio (`audioUrl`)."""
        fields: dict[str, Any] = {"separation": body.type, "stem_name": body.stemName}
        if body.audioUrl is not None:
            source = await self.sources.inspect(body.audioUrl)
            fields["duration"] = source.duration or self.settings.default_upload_duration
            fields["error"] = source.failure  # the separation fails like a music task would
        else:
            task, track = self.finished_track(body.taskId or "", body.audioId)
            fields |= {"source": track, "parent_task_id": task.id}
            fields["music_index"] = task.tracks.index(track)
        return self.submit_job("vocal_removal", raw, body.callBackUrl, base_url, **fields)

    def cover(self, body: CoverRequest, raw: dict[str, Any], base_url: str) -> Job:
        """Cover image: one per music task; a repeated request answers the existing one's
        taskId (code `cover_repeat_code`); the cover endpoints' own code for credits (402)."""
        task = self.store.get(body.taskId)
        if task is None:
            raise InvalidParameters(f"taskId: no music task with id {body.taskId!r}")
        existing = self.jobs.covers.get(body.taskId)
        if existing is not None:
            repeat = error_for_code(self.settings.cover_repeat_code, COVER_REPEAT_MSG)
            repeat.data = {"taskId": existing}
            raise repeat
        try:
            job = self.submit_job("cover", raw, body.callBackUrl, base_url, parent_task_id=task.id)
        except InsufficientCredits as err:
            raise PaymentRequired(err.msg) from err
        self.jobs.covers[body.taskId] = job.id
        return job

    def midi(self, body: MidiRequest, raw: dict[str, Any], base_url: str) -> Job:
        """MIDI from a finished vocal separation; `audioId` picks one of its stems
        (an `originData[].id`), else every separated track is used."""
        separation = self.jobs.get(body.taskId, "vocal_removal")
        if separation is None:
            raise InvalidParameters(f"taskId: no vocal-removal task with id {body.taskId!r}")
        if separation.completed_at is None:
            raise InvalidParameters(f"taskId: vocal-removal task {body.taskId} is not finished yet")
        stems = {stem.id for stem in separation.stems()}
        if body.audioId and body.audioId not in stems:
            raise InvalidParameters(
                f"audioId: {body.audioId!r} is not a stem of vocal-removal task {body.taskId}; "
                f"use an originData id from its record-info: {', '.join(sorted(stems))}"
            )
        return self.submit_job(
            "midi", raw, body.callBackUrl, base_url, parent_task_id=body.taskId,
            extra={"audioId": body.audioId or ""},
        )  # fmt: skip

    def recover(self, body: RecoveryRequest, raw: dict[str, Any], base_url: str) -> Job:
        """Recovery Audio: the tracks of a finished music task, again, as one job."""
        task = self.store.get(body.sunoTaskId)
        if task is None:
            raise InvalidParameters(f"sunoTaskId: no music task with id {body.sunoTaskId!r}")
        if task.status != "SUCCESS":
            raise InvalidParameters(
                f"sunoTaskId: task {task.id} is not finished (status {task.status}); "
                "wait for SUCCESS"
            )
        return self.submit_job(
            "recovery", raw, body.callBackUrl, base_url, parent_task_id=task.id,
            tracks=tuple(task.tracks),
        )  # fmt: skip

    def persona(self, body: PersonaRequest) -> dict[str, str]:
        """Generate Persona: one per audio id; calling again overwrites name and description."""
        _, track = self.finished_track(body.taskId, body.audioId)
        if body.vocalEnd > track.duration:
            raise InvalidParameters(
                f"vocalEnd: must lie within the track ({track.duration:g} s), got {body.vocalEnd:g}"
            )
        known = self.personas.get(track.id)
        persona_id = known["personaId"] if known else self.jobs.new_id("persona")[:12]
        self.personas[track.id] = {
            "personaId": persona_id, "name": body.name, "description": body.description,
        }  # fmt: skip
        limit = self.settings.task_limit
        if limit is not None and len(self.personas) > limit:
            self.personas.popitem(last=False)
        return self.personas[track.id]

    def timestamped_lyrics(self, body: TimestampedLyricsRequest) -> dict[str, Any]:
        """Get Timestamped Lyrics: the track's words spread over its length."""
        _, track = self.finished_track(body.taskId, body.audioId)
        return aligned_words(track)

    def boost_style(self, raw: dict[str, Any], body: BoostStyleRequest) -> dict[str, Any]:
        """Boost Music Style: an expanded style text, answered at once."""
        self.store.charge(BOOST_STYLE_COST)
        task_id = self.jobs.new_id("style")
        extra = ", ".join(random.Random(task_id).sample(BOOST_WORDS, 3))  # noqa: S311
        return {
            "taskId": task_id, "param": json.dumps(raw, separators=(",", ":")),
            "result": f"{body.content.strip()}, {extra}", "creditsConsumed": BOOST_STYLE_COST,
            "creditsRemaining": self.store.credits, "successFlag": "1", "errorCode": None,
            "errorMessage": None, "createTime": int(self.clock.now() * 1000),
        }  # fmt: skip

    def record_info(self, task: Task) -> dict[str, Any]:
        return record_info(task, self.settings)


BOOST_STYLE_COST = 0.4
"""What boost style costs (the docs' example: creditsConsumed 0.4)."""

BOOST_WORDS = (
    "airy female vocals", "warm analog synth pads", "slow-building drums", "minor key",
    "wide stereo reverb", "punchy bass", "intimate close-mic vocals", "lush strings",
)  # fmt: skip


class _StageBytes:
    """Makes a stage callback's bytes again (the same bytes: tracks and settings are fixed);
    smaller than a functools.partial, and a journal keeps one per delivered callback."""

    __slots__ = ("settings", "stage", "task")

    def __init__(self, task: Task, stage: Stage, settings: Settings) -> None:
        self.task, self.stage, self.settings = task, stage, settings

    def __call__(self) -> bytes:
        return encode(stage_callback(self.task, self.stage, self.settings))


def aligned_words(track: Track) -> dict[str, Any]:
    """`data` of get-timestamped-lyrics: words over the first 90 % of the track."""
    words = track.prompt.split(" ") if track.prompt else []
    step = track.duration * 0.9 / max(1, len(words))
    rng = random.Random(track.id)  # noqa: S311 - not crypto
    aligned = [
        {"word": word, "success": True, "startS": round(i * step, 2),
         "endS": round((i + 1) * step, 2), "palign": 0}
        for i, word in enumerate(words)
    ]  # fmt: skip
    return {
        "alignedWords": aligned,
        "waveformData": [round(rng.random(), 2) for _ in range(64)],
        "hootCer": round(rng.uniform(0.1, 0.4), 2),
        "isStreamed": False,
    }


def _upload_duration(sources: Sequence[SourceAudio], default: float) -> float:
    """The (first) upload's real duration, else the configured default."""
    known = [s.duration for s in sources if s.duration is not None]
    return known[0] if known else default


def _failing_sources(
    sources: Sequence[SourceAudio], scenario: Scenario | None, after: float
) -> Scenario | None:
    """A scenario that fails the task when an upload could not be used; else `scenario`."""
    for source in sources:
        failure = source.failure
        if failure is None:
            continue
        error = ErrorOutcome(
            after=after, code=failure[0], status="CREATE_TASK_FAILED", msg=failure[1]
        )
        base = scenario or Scenario(version=1, name="upload-failed")
        return base.model_copy(update={"stages": {}, "error": error})
    return scenario


def with_looks(tracks: TrackRequest, scenario: Scenario) -> TrackRequest:
    """The tracks a request asked for, with the scenario's payload overrides applied."""
    looks = scenario.payload
    if looks.lyrics is not None:
        tracks = replace(tracks, lyrics=looks.lyrics or None, instrumental=looks.lyrics == "")
    return replace(
        tracks,
        title=looks.title or tracks.title,
        style=looks.tags or tracks.style,
        count=looks.tracks or tracks.count,
        durations=tuple(looks.durations) if looks.durations else tracks.durations,
    )


def plan_for(scenario: Scenario, defaults: dict[str, float]) -> tuple[tuple[float, str], ...]:
    """A scenario's events in the order they happen: stages, then the error (if any)."""
    events: list[tuple[float, int, str]] = [
        (at, STAGES.index(stage), stage) for stage, at in scenario.stage_times(defaults).items()
    ]
    if scenario.error is not None:
        events.append((scenario.error.after, len(STAGES), "error"))
    return tuple((at, kind) for at, _, kind in sorted(events))
