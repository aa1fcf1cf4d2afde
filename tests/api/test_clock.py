"""The clocks: ordering, advancing, scaling, cancellation."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from mock_server import ManualClock, ScaledClock


async def test_manual_clock_fires_due_timers_in_order() -> None:
    clock = ManualClock(start=1000.0)
    fired: list[tuple[str, float]] = []

    def note(name: str) -> Callable[[], Awaitable[None]]:
        async def callback() -> None:
            fired.append((name, clock.now()))

        return callback

    clock.call_later(10, note("b"))
    clock.call_later(5, note("a"))
    clock.call_later(10, note("c"))  # same instant as "b": scheduling order wins
    clock.call_later(30, note("late"))
    await clock.advance(10)
    assert fired == [("a", 1005.0), ("b", 1010.0), ("c", 1010.0)]
    assert clock.now() == 1010.0
    assert clock.pending() == 1
    await clock.advance(minutes=1)
    assert fired[-1] == ("late", 1030.0)
    assert clock.now() == 1070.0


async def test_timers_set_while_advancing_fire_in_the_same_advance() -> None:
    clock = ManualClock(start=0.0)
    fired: list[float] = []

    async def chain() -> None:
        fired.append(clock.now())
        if len(fired) < 3:
            clock.call_later(60, chain)

    clock.call_later(0, chain)
    await clock.advance(200)
    assert fired == [0.0, 60.0, 120.0]


async def test_cancelled_timer_does_not_fire() -> None:
    clock = ManualClock(start=0.0)
    fired: list[str] = []

    async def callback() -> None:
        fired.append("x")

    clock.call_later(1, callback).cancel()
    await clock.run_until_idle()
    assert fired == []


async def test_crash_in_a_timer_surfaces_in_advance() -> None:
    clock = ManualClock(start=0.0)

    async def boom() -> None:
        raise ValueError("boom")

    clock.call_later(1, boom)
    with pytest.raises(RuntimeError, match="a scheduled callback crashed: ValueError"):
        await clock.advance(2)


async def test_clock_cannot_go_backwards() -> None:
    with pytest.raises(ValueError, match="cannot move a clock backwards"):
        await ManualClock().advance(-1)


async def test_scaled_clock_runs_mock_time_faster() -> None:
    clock = ScaledClock(scale=0.001, start=0.0)
    done = asyncio.Event()
    fired_at: list[float] = []

    async def callback() -> None:
        fired_at.append(clock.now())
        done.set()

    clock.call_later(60, callback)  # 60 mock seconds = 60 ms real
    await asyncio.wait_for(done.wait(), timeout=2)
    assert 60 <= fired_at[0] < 2000
    assert clock.pending() <= 1


async def test_shutdown_cancels_timers_and_running_work() -> None:
    clock = ScaledClock(scale=1.0)
    started = asyncio.Event()

    async def hang() -> None:
        started.set()
        await asyncio.Event().wait()

    async def never() -> None:
        raise AssertionError("must not fire")

    clock.call_later(0, hang)
    clock.call_later(3600, never)
    await asyncio.wait_for(started.wait(), timeout=2)
    assert await clock.shutdown() == 2
    assert clock.pending() == 0


def test_scale_must_be_positive() -> None:
    with pytest.raises(ValueError, match=r"time scale must be from 1e-06 to 1e\+06, got 0"):
        ScaledClock(scale=0)


async def test_scaled_clock_pause_resume_and_advance() -> None:
    clock = ScaledClock(scale=1.0, start=0.0)
    fired: list[float] = []

    async def callback() -> None:
        fired.append(clock.now())

    clock.call_later(3600, callback)
    clock.pause()
    frozen = clock.now()
    assert clock.paused
    await clock.advance(minutes=30)
    assert clock.now() == frozen + 1800
    assert fired == []
    await clock.advance(1800)
    await asyncio.sleep(0)  # let the spawned timer task run
    # Two half-hour advances add up in floating point: equal to the microsecond, not the bit.
    assert fired == [pytest.approx(frozen + 3600, abs=1e-6)]
    clock.resume()
    assert not clock.paused
    assert clock.now() >= frozen + 3600
    await clock.shutdown()


async def test_manual_clock_is_always_paused() -> None:
    clock = ManualClock(start=5.0)
    clock.pause()
    clock.resume()
    assert clock.paused
    assert clock.now() == 5.0


async def test_a_scaled_clock_jump_runs_what_falls_due_in_order() -> None:
    """A jump over several timers (POST /__mock__/clock on the dev server) runs them as the
    manual clock does: an instant's timers have run before the next instant's start. Each
    callback here takes more loop turns the earlier it is due, so run side by side they
    would finish last-first (a task's stages reached its receiver as text, complete, first)."""
    clock = ScaledClock(1.0, start=1000.0)
    clock.pause()
    finished: list[int] = []

    async def stage(number: int) -> None:
        for _ in range(4 - number):
            await asyncio.sleep(0)
        finished.append(number)

    for number in (1, 2, 3):
        clock.call_later(10.0 * number, stage, number)
    await clock.advance(60)
    assert finished == [1, 2, 3]
    assert clock.now() == pytest.approx(1060.0, abs=0.1)
    await clock.shutdown()


async def test_settle_waits_for_all_work_and_outlives_a_cancelled_waiter() -> None:
    clock = ManualClock(start=0.0)
    gates = [asyncio.Event(), asyncio.Event()]
    ended: list[int] = []

    def work(n: int) -> Callable[[], Awaitable[None]]:
        async def callback() -> None:
            await gates[n].wait()
            ended.append(n)

        return callback

    assert clock.unpark(clock.park(work(1)))
    (never_ran,) = clock._running
    never_ran.cancel()  # before its first step: its `finally` never runs
    clock.call_later(1, work(0))
    clock.call_later(1, work(1))
    clock.call_later(1, work(0))
    advancing = asyncio.ensure_future(clock.advance(1))
    cancelled = asyncio.ensure_future(clock.settle())
    both = [asyncio.ensure_future(clock.settle()) for _ in range(2)]
    await asyncio.sleep(0)
    cancelled.cancel()
    gates[0].set()
    for _ in range(5):
        await asyncio.sleep(0)
    assert not advancing.done()
    assert not any(s.done() for s in both)
    gates[1].set()
    await asyncio.wait_for(asyncio.gather(advancing, *both), timeout=2)
    assert clock.pending() == 0
    assert len(ended) == 3


class _Walked(list[object]):
    """A timer heap that counts the entries walked through it (heapq works on the list in C
    without iterating it)."""

    walked = 0

    def __iter__(self) -> Any:
        self.walked += len(self)
        return super().__iter__()


async def test_pending_timers_are_counted_not_walked() -> None:
    # The health endpoint reads `pending()`: it walked every timer, 50 ms a call (the loop
    # blocked) with 230k tasks pending, a timer each.
    clock = ManualClock(start=0.0)
    heap = clock._heap = _Walked()  # type: ignore[assignment]
    fired: list[int] = []

    def note(n: int) -> Callable[[], Awaitable[None]]:
        async def callback() -> None:
            fired.append(n)

        return callback

    timers = [clock.call_later(10 + n, note(n)) for n in range(1000)]
    for timer in timers[::2]:
        timer.cancel()
    timers[0].cancel()  # twice: counted once
    assert [clock.pending() for _ in range(100)] == [500] * 100
    await clock.advance(100)  # fires 11, 13, ... 109
    assert fired == list(range(1, 91, 2))
    timers[1].cancel()  # already fired: nothing left to cancel
    assert clock.pending() == 500 - 45
    parked = clock.park(note(-1))
    assert clock.pending() == 456
    assert heap.walked == 0
    assert clock.unpark(parked)
    await clock.settle()
    assert clock.pending() == 455
    assert await clock.shutdown() == 455
    assert clock.pending() == 0
