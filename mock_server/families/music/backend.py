"""Music tasks (generate, extend, uploads, add-*, replace-section, mashup, sounds): the submit
rules, the tasks' events on the clock and their callbacks.

A submit is: pick the scenario, apply its API fault, validate, look at the uploads, check the
request against known and uploaded audio, charge, create the task with its compiled script.
Each task has one timer: its next event, which sets the one after it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from mock_server.core.catalog import Operation
from mock_server.core.clock import Clock
from mock_server.core.encoding import encode
from mock_server.core.errors import InvalidParameters, require
from mock_server.core.events import EventHub, TaskChanged
from mock_server.core.machine_time import EarlyBuild
from mock_server.core.settings import Settings
from mock_server.core.wire import parse
from mock_server.delivery.dispatcher import Dispatcher
from mock_server.delivery.events import AttemptEnded, DeliveryExhausted
from mock_server.delivery.journal import Delivery, Journal
from mock_server.families.account.backend import ACCOUNT, Account
from mock_server.families.family import Backend, BackendKey, Parts
from mock_server.families.music.payloads import (
    StageBytes,
    error_callback,
    record_info,
    stage_bytes,
)
from mock_server.families.music.section import ReplaceSectionRequest
from mock_server.families.music.sounds import SoundsRequest
from mock_server.families.music.store import Task, TaskStore
from mock_server.families.music.tracks import Track, TrackFactory
from mock_server.families.music.wire import ExtendRequest, MusicRequest
from mock_server.media.sources import SourceAudio, SourceFetcher
from mock_server.scripting.request import TrackRequest
from mock_server.scripting.script import (
    NO_PICK,
    FailAt,
    Outgoing,
    Pick,
    ScenarioLibrary,
    apply_api_fault,
    compile_script,
    failing,
)

if TYPE_CHECKING:
    from mock_server.scripting.scenario import Scenario

__all__ = ["MUSIC", "Made", "Music", "SubmitModel"]

log = logging.getLogger(__name__)

SubmitModel = type[MusicRequest] | type[ReplaceSectionRequest] | type[SoundsRequest]
AnyMusicRequest = MusicRequest | ReplaceSectionRequest | SoundsRequest
Made = Task | Coroutine[Any, Any, Task]  # a submit's task, or the coroutine that makes it


class Music(Backend):
    """The music tasks of one server and every rule about them."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        account: Account,
        delivery: tuple[Journal, Dispatcher, EventHub],
        scenarios: ScenarioLibrary,
        sources: SourceFetcher,
        numbers_after: int = 0,
    ) -> None:
        self.settings, self.clock, self.account = settings, clock, account
        self.journal, self.dispatcher, self.events = delivery
        self.scenarios, self.sources = scenarios, sources
        self.store = TaskStore(
            TrackFactory(settings.seed),
            settings.task_limit,
            byte_limit=settings.task_store_bytes,
            numbers_after=numbers_after,
            machine=clock.machine,
        )
        self._early: EarlyBuild[Task] = EarlyBuild(clock.machine, self._prepare)
        self._plain = compile_script(None, settings)
        # Settings read on every submit, once here (a pydantic model's fields are read
        # through its `__getattr__` hook; docs/performance.md, "Fields read once").
        self.public_base_url = settings.public_base_url
        self._default_upload, self._task_cost = settings.default_upload_duration, settings.task_cost
        first = self._plain.first_tracks_at  # a plain task's early build, worked out once
        self._plain_early = None if first is None else clock.real_seconds(max(0.0, first) / 2)
        self._fire = self._fire_event  # bound once: one method object, not one per timer
        self.events.on(DeliveryExhausted, self._exhausted)

    def stop(self) -> None:
        """Forget the early builds and let-gos still to come (shutdown, reset)."""
        self._early.stop()
        self.store.stop()

    def discard(self) -> None:
        """Free the tasks of a backend a reset replaced (a large store a slice at a time)."""
        self.store.discard()

    @property
    def last_number(self) -> int:
        """The newest task's number (what a reset's new backend's numbers go on from)."""
        return self.store.last_number

    # Submitting.

    def submit_now(self, model: SubmitModel, raw: Any, base_url: str, size: int) -> Made:
        """A submit, from its decoded JSON body (`size`: what `sized_json_of` told) to
        a scheduled task, with no coroutine when nothing is to wait for; else the coroutine
        that makes it (`_awaited`). Not a JSON object: refused by `parse`, under no scenario."""
        pick = self.scenarios.select(model.operation, raw) if isinstance(raw, dict) else NO_PICK
        if pick is not NO_PICK:  # its API fault comes before validation
            return self._awaited(model, raw, base_url, size, pick, None)
        body = parse(model, raw, self.settings)
        sources = []
        for url in body.upload_urls():
            known = self.sources.known(url)  # no coroutine for what is remembered
            if known is None:
                return self._awaited(model, raw, base_url, size, pick, body)
            sources.append(known)
        return self.accept(body, raw, base_url, size, pick, sources)

    async def _awaited(
        self, model: SubmitModel, raw: Any, base_url: str, size: int, pick: Pick, body: Any
    ) -> Task:
        """`submit_now`'s way with its waits: a scenario's API fault, then validation (`body`
        None), and the uploads not yet inspected. Each step is done once."""
        if body is None:
            fault = self.scenarios.api_fault(pick)
            if fault is not None:
                await apply_api_fault(fault)
            body = parse(model, raw, self.settings)
        sources = []  # a loop, not an async comprehension: that is a coroutine of its own
        for url in body.upload_urls():
            known = self.sources.known(url)
            sources.append(known if known is not None else await self.sources.inspect(url))
        return self.accept(body, raw, base_url, size, pick, sources)

    def accept(
        self,
        body: AnyMusicRequest,
        raw: dict[str, Any],
        base_url: str,
        size: int,
        pick: Pick,
        sources: Sequence[SourceAudio] = (),
    ) -> Task:
        """Check a validated request against known and uploaded audio, then create its task.
        An upload that could not be downloaded (or is not audio) still makes a task, which
        then fails with the documented error callback."""
        measured = _measured_duration(sources)
        upload = self._default_upload if measured is None else measured
        scenario = pick.scenario
        failure = None
        for source in sources:
            if source.failure is not None:
                failure = source.failure
                break
        if failure is not None:
            scenario = failing(scenario, failure, self.settings.stage_delays.text)
        # `type(...) is`: isinstance on request models is slow (docs/performance.md,
        # "Exact-type dispatch").
        if type(body) is ReplaceSectionRequest:
            tracks, parent = self._replace_section(body, upload)
        elif type(body) is SoundsRequest:
            tracks, parent = body.tracks(self.settings.seed), ""
        else:  # MusicRequests (the models are final: `type` decides; no `cast`: it is a call)
            tracks, parent = self._music(body, upload, measured is not None)  # type: ignore[arg-type]
        task = self.create(  # positional: keywords cost every submit
            type(body).operation, raw, tracks, body.callBackUrl or "", base_url, parent,
            scenario, None, size,
        )  # fmt: skip
        pick.use()
        for source in sources:
            if source.note:
                task.history.append((task.created_at, source.note))
                if log.isEnabledFor(logging.INFO):  # every upload to a reserved host has one
                    log.info("task %s: %s", task.id, source.note)
        if type(body) is ExtendRequest and self.store.track(body.audioId) is None:
            note = (
                f"audioId {body.audioId!r} is not a track this mock made: production refuses "
                "ids it does not know (setting unknown_audio_id=refuse does too)"
            )
            task.history.append((task.created_at, note))
            log.warning("task %s: %s", task.id, note)
        return task

    def _music(
        self, body: MusicRequest, upload: float, measured: bool = False
    ) -> tuple[TrackRequest, str]:
        """The tracks of a generate/extend/upload/add-* request and the audio it continues."""
        # Only a length the mock measured is held against the limit: an assumed one
        # (`default_upload_duration`) says nothing about the client's file.
        if measured and body.operation in ("upload_cover", "upload_extend"):
            self._check_upload_length(body.operation, body.model, upload)
        tracks, parent, limit = body.tracks(), "", upload
        if tracks.duration is not None:
            tracks = replace(tracks, spread=self.settings.duration_spread)
        if type(body) is ExtendRequest:
            source = self.store.require_source(body.audioId, body.model)
            if source is None and self.settings.unknown_audio_id == "refuse":
                raise InvalidParameters(
                    f"audioId: no track with id {body.audioId!r}; extend takes the id of a track "
                    "the API made (setting unknown_audio_id)"
                )
            limit = source.track.duration if source else self.settings.default_source_duration
            parent = body.audioId
            if source and not body.defaultParamFlag:  # settings inherited from the source
                tracks = replace(
                    tracks, title=source.track.title, style=source.track.tags,
                    lyrics=source.track.prompt or None,
                )  # fmt: skip
        continue_at = tracks.continue_at  # extend and upload-extend only
        if continue_at is not None and not 0 < continue_at < limit:
            raise InvalidParameters(
                f"continueAt: must be greater than 0 and less than the source audio's duration "
                f"({limit:g} s), got {continue_at:g}"
            )
        return tracks, parent

    def _replace_section(
        self, body: ReplaceSectionRequest, upload: float
    ) -> tuple[TrackRequest, str]:
        parent, model, duration = "", str(body.model or ""), upload
        if body.taskId:
            source_task, track = self.finished_track(body.taskId, body.audioId)
            parent, model, duration = track.id, source_task.model, track.duration
        return body.window_tracks(model or "V4_5PLUS", duration), parent

    def _check_upload_length(self, operation: str, model: str, seconds: float) -> None:
        """Each endpoint its own limit: upload-extend takes 1 minute with V4_5ALL, upload-cover
        8 minutes with every model (docs/api.md, "Upload and cover")."""
        limit, setting = self.settings.max_upload_duration, "max_upload_duration"
        if model == "V4_5ALL":
            own = (
                self.settings.upload_extend_max_duration_v4_5all
                if operation == "upload_extend"
                else self.settings.upload_cover_max_duration_v4_5all
            )
            if own < limit:
                limit, setting = own, f"{operation}_max_duration_v4_5all"
        if seconds > limit:
            endpoint = operation.replace("_", "-")
            raise InvalidParameters(
                f"uploadUrl: the audio is {seconds:g} s long; {endpoint} with model {model} "
                f"accepts uploads of at most {limit:g} s (setting {setting})"
            )

    def create(
        self,
        operation: Operation,
        request: dict[str, Any],
        tracks: TrackRequest,
        callback_url: str,
        base_url: str,
        parent_music_id: str = "",
        scenario: Scenario | None = None,
        task_id: str | None = None,
        size: int | None = None,
    ) -> Task:
        """Charge for and create a task, and schedule its first event."""
        script = self._plain if scenario is None else compile_script(scenario, self.settings)
        self.account.charge(self._task_cost)
        task = self.store.create(  # positional: keywords cost every submit
            operation, request, tracks if scenario is None else script.looks(tracks),
            callback_url, base_url, self.clock.now(), script, parent_music_id, task_id, size,
        )  # fmt: skip
        self._schedule_next(task)
        if scenario is not None:
            self._build_early(task, created=True)
        elif self._plain_early is not None:  # what `_build_early` would work out, every time
            self._early.add(task, self._plain_early)
        if self.events.heard(TaskChanged):  # no event made when nobody listens
            self.events.publish(TaskChanged(task.id))
        return task

    # Looking up.

    def get(self, task_id: str, field: str = "taskId") -> Task:
        """The task with `task_id`, or the 400 that names the field."""
        return require(self.store.get(task_id), "task", task_id, field=field)

    def finished_track(self, task_id: str, audio_id: str | None) -> tuple[Task, Track]:
        """A track of a finished task, or the API error that says why not."""
        task = self.get(task_id)
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

    def record_info(self, task_id: str) -> dict[str, Any]:
        """`data` of GET record-info for a task."""
        return record_info(self.get(task_id), self.settings)

    # Events and callbacks.

    def _build_early(self, task: Task, at: float | None = None, *, created: bool = False) -> None:
        """Have the task prepared (`_prepare`) halfway to the next event that sends its
        tracks, at mock time `at` after its creation (default: the first such event): a
        thousand tasks due together then find their tracks made and their bodies encoded
        (docs/performance.md, "Tracks built early"). Real time only: under a manual clock
        both are made when first needed. `created`: the task was made just now (its
        creation time is now: the clock is not read again)."""
        if at is None:
            at = task.script.first_tracks_at
            if at is None or task.tracks_built:
                return
        lead = max(0.0, at if created else task.created_at + at - self.clock.now())
        real = self.clock.real_seconds(lead / 2)
        if real is not None:
            self._early.add(task, real)

    def _prepare(self, task: Task) -> None:
        """Build the tracks and encode the body of the next event that sends them (the same
        bytes as at that moment: tracks and payload settings are fixed)."""
        if not self.store.holds(task):  # forgotten meanwhile (trimmed)
            return
        index, event = task.script.next_with_tracks(task.step)
        if event is None or not task.callback_url:  # polling only: the tracks are enough
            task.tracks  # noqa: B018 - builds them
            return
        task.ready = (index, stage_bytes(task, event.stage))

    def _schedule_next(self, task: Task) -> None:
        """Set a timer for the task's next event; each event sets the next (one timer a task)."""
        events = task.script.events
        if task.step < len(events):
            self.clock.call_at(task.created_at + events[task.step].at, self._fire, task)

    async def _fire_event(self, task: Task) -> None:
        index = task.step
        event = task.script.events[index]
        task.step += 1
        self._schedule_next(task)
        if task.finished:
            self.store.finished(task)
        if isinstance(event, FailAt):
            error = event.error
            task.fail(error.status, error.code, error.msg, self.clock.now())
            self.events.publish(TaskChanged(task.id))
            payload = error_callback(
                task, error.code, error.msg, empty_list=error.data == "empty_list"
            )
            await self._send(task, "error", encode(payload))
            return
        task.reach(event.stage, self.clock.now())
        if self.events.heard(TaskChanged):  # no event made when nobody listens
            self.events.publish(TaskChanged(task.id))
        ready = task.ready
        if ready is not None and ready[0] == index:
            body, task.ready = ready[1], None
        else:
            body = stage_bytes(task, event.stage)
        if event.stage != "text" and task.callback_url:
            following = task.script.next_with_tracks(task.step)[1]
            if following is not None:
                self._build_early(task, following.at)
        if task.scenario is None and task.callback_url:  # sent as built: it can be rebuilt
            await self.dispatcher.deliver(  # one copy, no delay: no `Outgoing` for `_deliver`
                task.id, event.stage, task.callback_url, body, policy=task.script.policy,
                recipe=StageBytes(task, event.stage))  # fmt: skip
            return
        await self._send(task, event.stage, body)

    async def _send(self, task: Task, kind: str, body: bytes) -> None:
        """Send a callback as the task's script says (callBackUrl is optional for
        replace-section and sounds: then polling only)."""
        if not task.callback_url:
            return
        last = task.step >= len(task.script.events)
        for out in task.script.route(kind, body, last=last):
            if out.dropped:
                dropped = self.journal.new_delivery(task.id, kind, task.callback_url, out.body)
                dropped.state = "dropped"
                self.events.publish(AttemptEnded(dropped, None))
                name = task.scenario.name if task.scenario else ""
                log.info("callback %s for task %s dropped (scenario %s)", kind, task.id, name)
            elif out.delay:
                self.clock.call_later(out.delay, self._deliver, task, out)
            else:
                await self._deliver(task, out)

    async def _deliver(
        self, task: Task, out: Outgoing, recipe: Callable[[], bytes] | None = None
    ) -> None:
        policy = task.script.policy
        for _ in range(out.copies):
            await self.dispatcher.deliver(
                task.id, out.kind, task.callback_url, out.body, policy=policy, recipe=recipe,
            )  # fmt: skip

    def _exhausted(self, event: DeliveryExhausted) -> None:
        delivery = event.delivery
        task = self.store.get(delivery.task_id)
        if task is not None:
            task.callback_exhausted(delivery.callback_type, self.clock.now())
            self.events.publish(TaskChanged(task.id))

    async def resend(self, task_id: str, kind: str) -> Delivery:
        """Send a task's callback of `kind` again (its last payload), as a new delivery."""
        task = self.get(task_id)
        sent = [d for d in self.journal.deliveries(task_id) if d.callback_type == kind]
        if not sent:
            known = sorted({d.callback_type for d in self.journal.deliveries(task_id)})
            raise InvalidParameters(
                f"stage: task {task_id} has no {kind!r} callback yet; it has {known or 'none'}"
            )
        return await self.dispatcher.deliver(task_id, kind, task.callback_url, sent[-1].payload)


def _measured_duration(sources: Sequence[SourceAudio]) -> float | None:
    """The (first) upload's real duration, if the mock measured one."""
    for source in sources:
        if source.duration is not None:
            return source.duration
    return None


def counters(music: Music) -> dict[str, int | float]:
    """The music family's numbers in the control plane's health."""
    return {"tasks": len(music.store)}


def build(parts: Parts) -> Music:
    """The music backend, with nothing in it."""
    return Music(
        parts.settings, parts.clock, ACCOUNT.among(parts.backends),
        (parts.journal, parts.dispatcher, parts.events), parts.scenarios, parts.sources,
        parts.numbers_after,
    )  # fmt: skip


MUSIC = BackendKey("music", Music)
"""How the music handlers reach this backend."""
