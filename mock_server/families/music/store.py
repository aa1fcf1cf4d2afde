"""Music tasks: their state machine and the store.

A task walks PENDING -> TEXT_SUCCESS -> FIRST_SUCCESS -> SUCCESS as its stages are reached, or
ends in a failure status. CALLBACK_EXCEPTION (a callback whose retries were exhausted) is sticky:
later stages still update the tracks the task exposes, but not its status. The moves are data
(`MOVES`, `STAGE_ONLY`); `Task.reach`, `Task.fail` and `Task.callback_exhausted` follow them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mock_server.core.catalog import Operation, Stage, TaskStatus
from mock_server.core.encoding import param_json, request_size
from mock_server.core.errors import InvalidParameters
from mock_server.core.machine_time import LetGo, LoopTime, MachineTime
from mock_server.core.reclaim import next_trim, reclaim
from mock_server.delivery.journal import Page, page
from mock_server.families.music.tracks import Track, TrackFactory
from mock_server.scripting.request import TrackRequest
from mock_server.scripting.script import Script

if TYPE_CHECKING:
    from mock_server.scripting.scenario import Scenario

__all__ = ["MOVES", "STAGE_ONLY", "STAGE_STATUS", "Task", "TaskStore", "TrackSource"]

STAGE_STATUS: dict[str, TaskStatus] = {
    "text": "TEXT_SUCCESS",
    "first": "FIRST_SUCCESS",
    "complete": "SUCCESS",
}
"""The status a success stage moves a task to."""
_PATH: tuple[TaskStatus, ...] = ("PENDING", "TEXT_SUCCESS", "FIRST_SUCCESS", "SUCCESS")
_FAILED: tuple[TaskStatus, ...] = (
    "CREATE_TASK_FAILED",
    "GENERATE_AUDIO_FAILED",
    "SENSITIVE_WORD_ERROR",
)
_ENDS: tuple[TaskStatus, ...] = (*_FAILED, "CALLBACK_EXCEPTION")
MOVES: dict[TaskStatus, frozenset[TaskStatus]] = {
    **{s: frozenset((*_PATH[i + 1 :], *_ENDS)) for i, s in enumerate(_PATH)},
    **{s: frozenset(_ENDS) for s in _ENDS},
}
"""Where each status may move: forwards along the success path (never backwards), and from
anywhere to a failure (a scenario's error) or CALLBACK_EXCEPTION (retries exhausted). Out of a
failure or CALLBACK_EXCEPTION no stage moves the status again."""
STAGE_ONLY: frozenset[TaskStatus] = frozenset({"CALLBACK_EXCEPTION"})
"""Statuses a later stage does not change but whose tracks still follow the stages."""


@dataclass(slots=True)
class Task:
    """One accepted music task, as the mock knows it."""

    id: str
    number: int
    operation: Operation
    model: str
    _request: dict[str, Any] | None
    """The request body as received, until the task finishes; then only its text (`param`),
    which is a third of the dict's size and made off the submit's path (see
    docs/performance.md, "Finished tasks let go")."""
    callback_url: str
    base_url: str
    """Origin written into the task's file URLs."""
    created_at: float
    spec: TrackRequest
    """What the request said about the tracks."""
    build_tracks: Callable[[Task], tuple[Track, ...]] = field(repr=False)
    """Makes the tracks on first use (they are decided by the seed, not by when they are made)."""
    script: Script
    """What happens to it: its events, payload settings and delivery (its scenario compiled)."""
    parent_music_id: str = ""
    status: TaskStatus = "PENDING"
    stage: Stage | None = None
    """The last stage reached (what the tracks in record-info reflect)."""
    error_code: int | None = None
    error_message: str | None = None
    history: list[tuple[float, str]] = field(default_factory=list)
    step: int = 0
    """Index of the next event in `script.events`."""
    _tracks: tuple[Track, ...] | None = field(default=None, repr=False)
    track_ids: tuple[str, ...] = ()
    """Its tracks' ids, once built (they stay known when a finished task's tracks are let go)."""
    _param: str | None = field(default=None, repr=False)
    size: int = 0
    """About how many bytes its request takes (the task store's byte budget counts it)."""
    ready: tuple[int, bytes] | None = field(default=None, repr=False)
    """A coming event's callback body (its index in `script.events`), made ahead in idle time
    so that tasks due together do not queue each other's encoding (see `Music._build_early`)."""

    @property
    def request(self) -> dict[str, Any]:
        """The request body as received (once the task finished, decoded anew on each use)."""
        if self._request is not None:
            return self._request
        decoded: dict[str, Any] = json.loads(self.param)
        return decoded

    @property
    def param(self) -> str:
        """The request body as compact JSON text (record-info's `param`)."""
        if self._param is None:
            self._param = param_json(self._request)
        return self._param

    def let_go(self) -> None:
        """Finished: keep what is needed to make the rest again, not the rest (see
        docs/performance.md, "Finished tasks let go")."""
        self._tracks = None
        self.ready = None
        if self._request is not None:
            self._param, self._request = self.param, None

    @property
    def tracks(self) -> tuple[Track, ...]:
        if self._tracks is None:
            self._tracks = self.build_tracks(self)
        return self._tracks

    @property
    def scenario(self) -> Scenario | None:
        """The scenario it runs under (None: plain)."""
        return self.script.scenario

    @property
    def tracks_built(self) -> bool:
        """Whether `tracks` is made already (they are built when first needed)."""
        return self._tracks is not None

    def reach(self, stage: Stage, now: float) -> None:
        """A success stage was reached: its status if `MOVES` allows, else only its tracks
        (`STAGE_ONLY`), else nothing but the history."""
        self.history.append((now, stage))
        target = STAGE_STATUS[stage]
        if target in MOVES[self.status]:
            self.status, self.stage = target, stage
        elif self.status in STAGE_ONLY:
            self.stage = stage

    def fail(self, status: TaskStatus, code: int, message: str, now: float) -> None:
        """End in a failure status (scenario error outcome)."""
        self.history.append((now, status))
        self._move(status)
        self.error_code = code
        self.error_message = message

    def _move(self, target: TaskStatus) -> None:
        if target not in MOVES[self.status]:
            raise ValueError(f"a music task cannot move from {self.status} to {target}")
        self.status = target

    @property
    def finished(self) -> bool:
        """No event of its script is still to come (callback retries may still be pending)."""
        return self.step >= len(self.script.events)

    def callback_exhausted(self, callback_type: str, now: float) -> None:
        self.history.append((now, f"CALLBACK_EXCEPTION ({callback_type})"))
        self._move("CALLBACK_EXCEPTION")


@dataclass(frozen=True, slots=True)
class TrackSource:
    """A known audio: the task and track the mock produced for an audioId."""

    task: Task
    track: Track


class TaskStore:
    """Tasks and their tracks; one per server."""

    def __init__(
        self,
        factory: TrackFactory,
        limit: int | None = None,
        *,
        byte_limit: int | None = None,
        numbers_after: int = 0,
        machine: MachineTime | None = None,
    ) -> None:
        self._factory = factory
        self.limit = limit
        """Keep at most about this many tasks (see `_trim`); None: all."""
        self._trim_at = limit
        self.byte_limit = byte_limit
        """Keep requests of at most about this many bytes (see `_trim`); None: no limit."""
        self._trim_bytes_at = byte_limit
        self.held_bytes = 0
        """Bytes of the requests the tasks hold (estimated by `request_size`)."""
        self._numbers_after = numbers_after
        """Task numbers go on from the store this one replaced (a reset), so a client paging
        with `since` misses no task; ids still start anew (same seed, same ids)."""
        self._tasks: dict[str, Task] = {}
        self._order: list[Task] = []
        """The same tasks in creation order (numbers increase), for paging by number."""
        self._tracks: dict[str, Task] = {}
        """Track id -> the task that made it."""
        self._count = 0
        self._texts: dict[str, str] = {}
        self._build = self._build_tracks  # one bound method shared by every task
        self._let_go: LetGo[Task] = LetGo(machine or LoopTime(), self.LINGER, self._release)

    def _build_tracks(self, task: Task) -> tuple[Track, ...]:
        made = self._factory.made(task.id, task.spec, int(task.created_at * 1000))
        if self._tasks.get(task.id) is task:
            if not task.track_ids:  # first build
                task.track_ids = tuple(track.id for track in made)
                for track in made:
                    self._tracks[track.id] = task
            elif task.finished:  # made again for a finished task: let them go again
                self.finished(task)
        return made

    LINGER = 1.0
    """Machine seconds a finished task keeps its tracks: its last callback (and its retries'
    bytes) and the record-info polls that follow it find them made."""

    def finished(self, task: Task) -> None:
        """`task` has no event left: let its tracks go in about LINGER seconds (they are a
        third of a finished task's memory; docs/performance.md, "Finished tasks let go"). They
        are rebuilt, the same tracks, when asked for again (record-info, files, an extend): the
        seed decides them, not when they are made. Nothing is paid on the submit path."""
        self._let_go.add(task)

    def _release(self, task: Task) -> None:
        if task.finished and self.holds(task):
            task.let_go()

    def holds(self, task: Task) -> bool:
        """Whether `task` is still this store's (not trimmed, not replaced by a replayed id)."""
        return self._tasks.get(task.id) is task

    def stop(self) -> None:
        """Forget the pending let-gos (shutdown, reset)."""
        self._let_go.stop()

    def discard(self) -> None:
        """Forget everything, a slice per loop turn (a reset replaces the store)."""
        self.stop()
        reclaim(self._tasks, self._order, self._tracks)
        self._tasks, self._order, self._tracks = {}, [], {}
        self.held_bytes = 0
        self._trim_at, self._trim_bytes_at = self.limit, self.byte_limit

    def _trim(self) -> None:
        """Forget the oldest finished tasks (and their tracks) down to nine tenths of `limit`
        and of `byte_limit`. Tasks with events still to come are kept, so the store can stay
        above either; the next attempt then waits for another tenth of tasks or bytes held
        (`next_trim`: the cost per task stays flat)."""
        over_bytes = self._trim_bytes_at is not None and self.held_bytes > self._trim_bytes_at
        over_count = self._trim_at is not None and len(self._tasks) >= self._trim_at
        if not (over_bytes or over_count):
            return
        excess = len(self._tasks) - (self.limit - self.limit // 10) if self.limit else 0
        free = self.held_bytes - self.byte_limit * 9 // 10 if self.byte_limit else 0
        gone: list[Task] = []
        for task in self._tasks.values():
            if len(gone) >= excess and free <= 0:
                break
            if task.finished:
                gone.append(task)
                free -= task.size
        for task in gone:
            del self._tasks[task.id]
            self.held_bytes -= task.size
            for track_id in task.track_ids:
                self._tracks.pop(track_id, None)
        if gone:
            self._order = list(self._tasks.values())
        if self.limit is not None:
            self._trim_at = next_trim(self.limit, len(self._tasks))
        if self.byte_limit is not None:
            self._trim_bytes_at = next_trim(self.byte_limit, self.held_bytes)

    def _shared(self, text: str) -> str:
        """One copy of a text many tasks repeat (their callback URL and origin)."""
        known = self._texts.get(text)
        if known is not None:
            return known
        if len(self._texts) < 256:
            self._texts[text] = text
        return text

    def __len__(self) -> int:
        return len(self._tasks)

    @property
    def last_number(self) -> int:
        """The newest task's number (what the next store's numbers go on from)."""
        return self._numbers_after + self._count

    def all(self) -> list[Task]:
        return list(self._tasks.values())

    def get(self, task_id: str) -> Task | None:
        return self._tasks.get(task_id)

    def page(self, since: int | None, limit: int) -> Page[Task]:
        """Tasks created after task number `since`, oldest first, or the newest `limit`."""
        return page(self._order, _number, since, limit)

    def track(self, track_id: str) -> TrackSource | None:
        task = self._tracks.get(track_id)
        if task is None:
            return None
        return next(TrackSource(task, t) for t in task.tracks if t.id == track_id)

    def require_source(self, audio_id: str, model: str) -> TrackSource | None:
        """The track behind an extend's audioId, checking the model matches (unknown: None)."""
        source = self.track(audio_id)
        if source is not None and source.task.model != model:
            raise InvalidParameters(
                f"model: must match the source track's model; audioId {audio_id!r} was made "
                f"with {source.task.model!r}, got {model!r}"
            )
        return source

    def create(
        self,
        operation: Operation,
        request: dict[str, Any],
        tracks: TrackRequest,
        callback_url: str,
        base_url: str,
        now: float,
        script: Script,
        parent_music_id: str = "",
        task_id: str | None = None,
        size: int | None = None,
    ) -> Task:
        """Create a PENDING task with its tracks already decided. `size`: what its request
        takes, estimated from the text it came in (`web.sized_json_of`: a submit); None: from
        the request itself (`encoding.request_size`)."""
        if (self._trim_bytes_at is not None and self.held_bytes > self._trim_bytes_at) or (
            self._trim_at is not None and len(self._tasks) >= self._trim_at
        ):  # the test `_trim` starts with, kept off the call (this runs once per submit)
            self._trim()  # before the new task joins: it has no plan yet, so it looks finished
        self._count += 1
        task = Task(  # positional, in the fields' order: keywords cost every submit
            task_id or self._factory.task_id(self._count),  # id
            self._numbers_after + self._count,  # number
            operation,
            tracks.model,  # model
            request,  # _request
            self._texts.get(callback_url) or self._shared(callback_url),  # callback_url
            self._texts.get(base_url) or self._shared(base_url),  # base_url
            now,  # created_at
            tracks,  # spec
            self._build,  # build_tracks
            script,
            parent_music_id,
        )
        task.history.append((now, "PENDING"))
        task.size = request_size(request) if size is None else size
        self.held_bytes += task.size
        if task.id in self._tasks:  # a replayed id used again: the new task replaces it
            replaced = self._tasks[task.id]
            self.held_bytes -= replaced.size
            self._order.remove(replaced)
        self._tasks[task.id] = task
        self._order.append(task)
        return task


def _number(task: Task) -> int:
    return task.number
