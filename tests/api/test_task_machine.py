"""The music task's state machine (its moves are data), the machinery on machine time (early
build, let-go) driven by a hand-moved machine clock, and the event hub's typed subscriptions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from mock_server import Settings
from mock_server.core.events import EventHub, JobChanged, TaskChanged
from mock_server.core.machine_time import EarlyBuild, LetGo
from mock_server.families.music.store import MOVES, Task, TaskStore
from mock_server.families.music.tracks import TrackFactory
from mock_server.scripting.request import TrackRequest
from mock_server.scripting.script import compile_script


def _task() -> Task:
    store = TaskStore(TrackFactory(7))
    return store.create(
        operation="generate", request={"prompt": "a"}, tracks=TrackRequest(model="V5"),
        callback_url="", base_url="http://127.0.0.1", now=0.0,
        script=compile_script(None, Settings()),
    )  # fmt: skip


def test_stages_move_a_task_forwards_only() -> None:
    task = _task()
    task.reach("first", 1.0)
    assert (task.status, task.stage) == ("FIRST_SUCCESS", "first")
    task.reach("text", 2.0)  # a stage out of order does not move it back
    assert (task.status, task.stage) == ("FIRST_SUCCESS", "first")
    task.reach("complete", 3.0)
    assert (task.status, task.stage) == ("SUCCESS", "complete")
    assert [what for _, what in task.history] == ["PENDING", "first", "text", "complete"]


def test_no_stage_moves_a_failed_task() -> None:
    task = _task()
    task.fail("GENERATE_AUDIO_FAILED", 531, "no", 1.0)
    task.reach("complete", 2.0)
    assert (task.status, task.stage, task.error_code) == ("GENERATE_AUDIO_FAILED", None, 531)


def test_callback_exception_is_sticky_while_the_tracks_follow_the_stages() -> None:
    task = _task()
    task.reach("text", 1.0)
    task.callback_exhausted("text", 2.0)
    task.reach("complete", 3.0)
    assert (task.status, task.stage) == ("CALLBACK_EXCEPTION", "complete")
    task.fail("CREATE_TASK_FAILED", 400, "late error", 4.0)  # a failure still ends it
    assert task.status == "CREATE_TASK_FAILED"


def test_every_status_has_its_moves_and_none_leads_back_to_pending() -> None:
    statuses = set(MOVES)
    assert all(targets <= statuses for targets in MOVES.values())
    assert not any("PENDING" in targets for targets in MOVES.values())
    assert "SUCCESS" not in MOVES["CALLBACK_EXCEPTION"]


class HandMoved:
    """A machine clock moved by hand: timers fire in `advance`, none by themselves."""

    def __init__(self) -> None:
        self.time = 0.0
        self.timers: list[tuple[float, Callable[..., object], tuple[Any, ...], list[bool]]] = []

    def now(self) -> float:
        return self.time

    def call_at(self, when: float, callback: Callable[..., object], *args: Any) -> Any:
        cancelled = [False]
        self.timers.append((when, callback, args, cancelled))

        class Handle:
            def cancel(self) -> None:
                cancelled[0] = True

        return Handle()

    def call_soon(self, callback: Callable[..., object], *args: Any) -> Any:
        return self.call_at(self.time, callback, *args)

    def advance(self, seconds: float) -> None:
        self.time += seconds
        while due := [t for t in self.timers if t[0] <= self.time and not t[3][0]]:
            timer = min(due, key=lambda t: t[0])
            self.timers.remove(timer)
            timer[1](*timer[2])


def test_early_build_prepares_in_time_order_and_in_batches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    machine, done = HandMoved(), list[str]()
    monkeypatch.setattr(EarlyBuild, "BATCH", 2)
    early: EarlyBuild[str] = EarlyBuild(machine, done.append)
    for name, seconds in (("c", 3.0), ("a", 1.0), ("b", 2.0), ("d", 3.0), ("e", 3.0)):
        early.add(name, seconds)
    machine.advance(2.0)
    assert done == ["a", "b"]
    machine.advance(1.0)
    assert done == ["a", "b", "c", "d", "e"]  # three due at once: two turns of the loop
    early.add("f", 1.0)
    early.stop()
    machine.advance(5.0)
    assert done[-1] == "e"


def test_let_go_releases_after_linger_oldest_first() -> None:
    machine, released = HandMoved(), list[str]()
    let_go: LetGo[str] = LetGo(machine, 1.0, released.append)
    let_go.add("x")
    machine.advance(0.5)
    let_go.add("y")
    machine.advance(0.6)
    assert released == ["x"]
    machine.advance(0.5)
    assert released == ["x", "y"]


async def test_a_scope_hears_until_dropped_and_viewers_see_the_wire_form() -> None:
    hub = EventHub()
    scope, heard = hub.scope(), list[TaskChanged]()
    scope.on(TaskChanged, heard.append)
    async with hub.stream() as queue:
        hub.publish(TaskChanged("t1"))
        scope.drop()
        scope.publish(TaskChanged("t2"))
        hub.publish(JobChanged("j1"))
        assert heard == [TaskChanged("t1")]
        assert [queue.get_nowait() for _ in range(3)] == [
            {"type": "task", "id": "t1"},
            {"type": "task", "id": "t2"},
            {"type": "job", "id": "j1"},
        ]
