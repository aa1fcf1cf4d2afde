"""Injectable time. Nothing else in the package reads the wall clock or sleeps.

Two clocks share one timer queue (a heap ordered by mock time, then by scheduling order, so
timers due at the same instant fire in the order they were set):

* `ManualClock` — for tests. Time stands still until `advance()` moves it; each due timer runs,
  in order, and `advance()` returns once the work it started (callback deliveries) finished.
* `ScaledClock` — for the dev server. Mock time runs `1 / scale` times faster than real time:
  `scale=0.01` turns the 21-minute retry schedule into 12.6 real seconds.

Timer callbacks are coroutine functions; the clock runs each as a task it tracks, so shutdown can
cancel whatever is still pending and tests can wait for in-flight work. Work waiting for a
resource (a callback waiting for a free connection) is *parked*: held as a timer that runs when
`unpark()` is called, counted and cancelled like any timer, and far smaller than a suspended
task (a backlog of 30,000 callbacks costs megabytes, not hundreds of them).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from mock_server.core.machine_time import LoopTime, MachineTime
from mock_server.core.reclaim import reclaim
from mock_server.core.settings import MAX_CLOCK_STEP, MAX_EPOCH

__all__ = [
    "MAX_SCALE",
    "MIN_SCALE",
    "Clock",
    "ManualClock",
    "ScaledClock",
    "Timer",
    "TimerCallback",
    "real_delay",
]

log = logging.getLogger(__name__)

TimerCallback = Callable[..., Awaitable[None]]


async def real_delay(seconds: float) -> None:
    """Wait in real time: only for what happens on the wire (scripted API latency), which a
    client experiences in real time whatever the mock clock does."""
    await asyncio.sleep(seconds)


@dataclass(order=True, slots=True)
class Timer:
    """A scheduled callback; `cancel()` stops it from firing."""

    when: float
    seq: int
    callback: TimerCallback = field(compare=False)
    args: tuple[Any, ...] = field(default=(), compare=False)
    cancelled: bool = field(default=False, compare=False)
    queue: _TimerQueue | None = field(default=None, compare=False, repr=False)  # its heap's

    def cancel(self) -> None:
        if not self.cancelled and self.queue is not None:  # counted no longer (`pending`)
            self.queue.live_timers -= 1
            self.queue = None
        self.cancelled = True


class Clock(Protocol):
    """What the rest of the package needs from time."""

    machine: MachineTime
    """The machine's time (the event loop's), for the work that is about the process, not the
    mock's story (see `mock_server.core.machine_time`)."""

    def now(self) -> float:
        """Mock time, epoch seconds."""
        ...

    def real_seconds(self, seconds: float) -> float | None:
        """How long `seconds` of mock time take in real time; None when mock time does not
        run by itself (a manual clock)."""
        ...

    def perf(self) -> float:
        """Real monotonic seconds, for measuring I/O latency."""
        ...

    def call_at(self, when: float, callback: TimerCallback, *args: Any) -> Timer:
        """Run `await callback(*args)` once mock time reaches `when`."""
        ...

    def call_later(self, delay: float, callback: TimerCallback, *args: Any) -> Timer: ...

    def park(self, callback: TimerCallback, *args: Any) -> Timer:
        """Hold `await callback(*args)` until `unpark()` runs it (or shutdown cancels it)."""
        ...

    def unpark(self, timer: Timer) -> bool:
        """Run a parked timer now, paused or not; False if it was cancelled meanwhile."""
        ...

    def pending(self) -> int:
        """Timers not yet fired plus work still running."""
        ...

    @property
    def paused(self) -> bool:
        """Whether mock time stands still (a manual clock always does)."""
        ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    async def advance(self, seconds: float = 0.0, *, minutes: float = 0.0) -> None:
        """Move mock time forward now, firing what falls due."""
        ...

    async def shutdown(self) -> int:
        """Cancel every timer and running task; return how many were cancelled."""
        ...


def _step(now: float, step: float) -> float:
    """`step` if the clock may move by it: forwards, finite, at most MAX_CLOCK_STEP, and not
    past MAX_EPOCH (dates beyond cannot be written, so uploads and payloads would fail)."""
    if step < 0:
        raise ValueError(f"cannot move a clock backwards (advance by {step:g} s)")
    if not step <= MAX_CLOCK_STEP:  # also false for NaN
        raise ValueError(
            f"advance: seconds from 0 to {MAX_CLOCK_STEP:.0f} (a year) at a time, got {step:g}"
        )
    if now + step > MAX_EPOCH:
        raise ValueError(
            f"advance: the clock may not pass {MAX_EPOCH:.0f} (the year 3000), it is at {now:.0f}"
        )
    return step


class _TimerQueue:
    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Timer]] = []
        """(when, seq, timer): compared in C, not by Timer's generated __lt__."""
        self.live_timers = 0  # in the heap, not cancelled: counted for `pending`, not walked
        self._seq = itertools.count()
        self._running: set[asyncio.Task[None]] = set()
        self._wakers: list[asyncio.Future[None]] = []
        """`settle` calls waiting for a fired timer's work to end."""
        self._parked: dict[int, Timer] = {}
        self.errors: list[BaseException] = []
        self.machine: MachineTime = LoopTime()

    def perf(self) -> float:
        return time.perf_counter()

    def now(self) -> float:
        raise NotImplementedError

    def call_at(self, when: float, callback: TimerCallback, *args: Any) -> Timer:
        if not math.isfinite(when):
            # A NaN compares false with everything: in the heap it would stop every timer
            # behind it. Inputs are checked where they are read; this keeps the heap whole
            # should one slip through (the caller fails, not the server).
            raise ValueError(f"a timer needs a finite time, got {when}")
        timer = Timer(when, next(self._seq), callback, args, False, self)
        heapq.heappush(self._heap, (when, timer.seq, timer))
        self.live_timers += 1
        self._pushed(when)
        return timer

    def call_later(self, delay: float, callback: TimerCallback, *args: Any) -> Timer:
        return self.call_at(self.now() + (delay if delay > 0 else 0.0), callback, *args)

    def park(self, callback: TimerCallback, *args: Any) -> Timer:
        timer = Timer(math.inf, next(self._seq), callback, args)
        self._parked[timer.seq] = timer
        return timer

    def unpark(self, timer: Timer) -> bool:
        if self._parked.pop(timer.seq, None) is None or timer.cancelled:
            return False
        self._spawn(timer)
        return True

    def pending(self) -> int:
        return self.live_timers + len(self._running) + len(self._parked)

    def next_due(self) -> float | None:
        """When the next timer fires (mock time), if any."""
        return self._next_due()

    def _armed(self) -> None:
        """Hook: the heap changed."""

    def _pushed(self, when: float) -> None:
        """Hook: a timer due at `when` joined the heap."""
        self._armed()

    def _next_due(self) -> float | None:
        heap = self._heap
        while heap and heap[0][2].cancelled:
            heapq.heappop(heap)
        return heap[0][0] if heap else None

    def _fire_due(self, now: float, limit: int | None = None) -> list[asyncio.Task[None]]:
        started: list[asyncio.Task[None]] = []
        while (due := self._next_due()) is not None and due <= now:
            if limit is not None and len(started) >= limit:
                break
            timer = heapq.heappop(self._heap)[2]
            timer.queue, self.live_timers = None, self.live_timers - 1
            started.append(self._spawn(timer))
        return started

    def _spawn(self, timer: Timer) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(self._guard(timer))
        self._running.add(task)
        task.add_done_callback(self._ended)
        return task

    async def _guard(self, timer: Timer) -> None:
        try:
            await timer.callback(*timer.args)
        except asyncio.CancelledError:
            raise
        except Exception as err:
            log.exception("timer callback %r crashed", timer.callback)
            self.errors.append(err)
        finally:
            if self._wakers:  # from the work's last step: `settle` goes on a turn sooner
                self._wake()

    def _ended(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if self._wakers:  # a task cancelled before it ran never reached its `finally`
            self._wake()

    def _wake(self) -> None:
        wakers, self._wakers = self._wakers, []
        for waker in wakers:
            if not waker.done():
                waker.set_result(None)

    async def shutdown(self) -> int:
        cancelled, heap = self.live_timers + len(self._parked), self._heap
        for timer in itertools.chain((entry[2] for entry in heap), self._parked.values()):
            timer.cancelled, timer.queue = True, None  # not `cancel()`: 165 ms for 690k timers
        self._heap, self.live_timers = [], 0
        reclaim(heap)  # freed a slice per turn of the loop: 690k timers took 50 ms at once
        self._parked.clear()
        running = list(self._running)
        for task in running:
            task.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)
        return cancelled + len(running)


class ManualClock(_TimerQueue):
    """A clock that moves only when told to; for tests."""

    def __init__(self, start: float = 1_767_225_600.0) -> None:
        super().__init__()
        self._now = start

    def now(self) -> float:
        return self._now

    def real_seconds(self, seconds: float) -> float | None:
        return None

    @property
    def paused(self) -> bool:
        return True

    def pause(self) -> None:
        """A manual clock is always paused: time moves only through advance()."""

    def resume(self) -> None:
        """A manual clock is always paused: time moves only through advance()."""

    async def advance(self, seconds: float = 0.0, *, minutes: float = 0.0) -> None:
        """Move time forward, firing every timer due on the way, in order.

        Timers due at the same instant run concurrently; the clock waits for them (and for
        anything they start) before moving on, so when this returns every delivery that was due
        has finished. A timer callback that crashed is re-raised here.
        """
        step = _step(self._now, seconds + 60.0 * minutes)
        target = self._now + step
        while True:
            await self.settle()
            due = self._next_due()
            if due is None or due > target:
                break
            self._now = max(self._now, due)
            self._fire_due(self._now)
        self._now = target
        self._raise_errors()

    def rewind(self, to: float) -> None:
        """Set time back (a reused server's restore); only with no timer pending."""
        if self.pending():
            raise RuntimeError("cannot rewind a clock with timers pending; reset the mock first")
        self._now = to
        self.errors.clear()

    async def run_until_idle(self, *, limit: int = 100_000) -> None:
        """Advance to each next timer until none is left (at most `limit` timers)."""
        for _ in range(limit):
            await self.settle()
            due = self._next_due()
            if due is None:
                self._raise_errors()
                return
            await self.advance(max(0.0, due - self._now))
        raise RuntimeError(
            f"clock still busy after {limit} timers; is something rescheduling forever?"
        )

    async def settle(self) -> None:
        """Wait for the work started by fired timers (without moving time)."""
        # Not `asyncio.wait`: its waiter is woken by the tasks' done callbacks, a turn of the
        # loop after each task ends, and this runs three times in a test that waits for
        # `complete` (see docs/performance.md, "The manual clock settles a turn sooner").
        running = self._running
        while running:
            ended = [task for task in running if task.done()]
            if ended:  # their done callbacks have not run yet
                running.difference_update(ended)
                continue
            waker = asyncio.get_running_loop().create_future()
            self._wakers.append(waker)
            await waker

    def _raise_errors(self) -> None:
        if self.errors:
            err = self.errors.pop(0)
            raise RuntimeError(f"a scheduled callback crashed: {err!r}") from err


MIN_SCALE = 1e-6
MAX_SCALE = 1e6
"""Range of a ScaledClock's scale (real seconds per mock second)."""


class ScaledClock(_TimerQueue):
    """Real time, sped up (`scale < 1`) or slowed down (`scale > 1`); for the dev server."""

    def __init__(self, scale: float = 1.0, *, start: float | None = None) -> None:
        if not MIN_SCALE <= scale <= MAX_SCALE:  # also false for NaN
            raise ValueError(f"time scale must be from {MIN_SCALE:g} to {MAX_SCALE:g}, got {scale}")
        super().__init__()
        self.scale = scale
        self._epoch_start = time.time() if start is None else start
        self._perf_start = time.perf_counter()
        self._handle: asyncio.TimerHandle | None = None
        self._handle_due = 0.0
        self._paused_at: float | None = None
        self._jumping = 0
        """advance() calls under way: they fire the due timers themselves, in order."""

    def now(self) -> float:
        if self._paused_at is not None:
            return self._paused_at
        return self._epoch_start + (time.perf_counter() - self._perf_start) / self.scale

    def real_seconds(self, seconds: float) -> float | None:
        return seconds * self.scale

    @property
    def paused(self) -> bool:
        return self._paused_at is not None

    def pause(self) -> None:
        """Stop mock time (timers wait) until resume()."""
        if self._paused_at is None:
            self._paused_at = self.now()
            self._disarm()

    def _disarm(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def resume(self) -> None:
        if self._paused_at is not None:
            self._epoch_start, self._perf_start = self._paused_at, time.perf_counter()
            self._paused_at = None
            self._armed()

    async def advance(self, seconds: float = 0.0, *, minutes: float = 0.0) -> None:
        """Jump mock time forward (paused or not), firing every timer that falls due on the way
        in order: the timers due at one instant start together, and the next instant's start
        once those have run, as on the manual clock. A jump over a task's stages so delivers
        them in order, each attempted before the next is sent."""
        step = _step(self.now(), seconds + 60.0 * minutes)
        self._disarm()
        if self._paused_at is not None:
            self._paused_at += step
        else:
            self._epoch_start += step
        self._jumping += 1
        try:
            while (due := self._next_due()) is not None and due <= self.now():
                await asyncio.wait(self._fire_due(due))
        finally:
            self._jumping -= 1
            self._armed()

    def _pushed(self, when: float) -> None:
        if self._handle is not None and self._handle_due <= when:
            return  # what `_armed` finds (most new timers land behind the head), sooner
        self._armed()

    def _armed(self) -> None:
        if self._paused_at is not None or self._jumping:
            return
        due = self._next_due()
        if self._handle is not None:
            if due is not None and self._handle_due <= due:
                return  # already woken in time; most new timers land behind the head
            self._handle.cancel()
            self._handle = None
        if due is None:
            return
        delay = max(0.0, (due - self.now()) * self.scale)
        self._handle_due = due
        self._handle = asyncio.get_running_loop().call_later(delay, self._on_timer)

    FIRE_BATCH = 256
    """Timers started per turn of the event loop: thousands due at once start over several
    turns, so requests are served in between and their tasks do not all exist at once."""

    def _on_timer(self) -> None:
        self._handle = None
        if self._jumping:
            return
        self._fire_due(self.now(), self.FIRE_BATCH)
        self._armed()

    async def shutdown(self) -> int:
        self._disarm()
        return await super().shutdown()
