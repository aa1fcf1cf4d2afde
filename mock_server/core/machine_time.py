"""The machine's time, for the work that concerns the machine rather than the mock's story.

Mock time (the injected `Clock`) drives everything a client can see. A few things are about the
process instead: building a task's tracks ahead (`EarlyBuild`), letting a finished task's tracks
go (`LetGo`), a receiver's timeout and the lag meter (`deadline`). They run on `MachineTime`,
which every clock hands out as `clock.machine`: the event loop's own clock, whatever the mock
clock does. Why not mock time is in docs/performance.md, "Machine time".
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections import deque
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from mock_server.core.reclaim import reclaim

__all__ = ["EarlyBuild", "Handle", "LetGo", "LoopTime", "MachineTime"]

T = TypeVar("T")


class Handle(Protocol):
    def cancel(self) -> None: ...


class MachineTime(Protocol):
    """Seconds of the event loop's clock (`loop.time()`), and timers on it."""

    def now(self) -> float:
        """The loop's time; RuntimeError outside a running loop."""
        ...

    def call_at(self, when: float, callback: Callable[..., object], *args: Any) -> Handle: ...

    def call_soon(self, callback: Callable[..., object], *args: Any) -> Handle: ...


class LoopTime:
    """`MachineTime` of the running event loop."""

    __slots__ = ()

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    def call_at(self, when: float, callback: Callable[..., object], *args: Any) -> Handle:
        return asyncio.get_running_loop().call_at(when, callback, *args)

    def call_soon(self, callback: Callable[..., object], *args: Any) -> Handle:
        return asyncio.get_running_loop().call_soon(callback, *args)


class EarlyBuild(Generic[T]):
    """Prepare items ahead of need, at a machine time each, at most BATCH per turn of the loop
    (see docs/performance.md, "Tracks built early"). Only the moment of the work moves: what
    `prepare` makes must not depend on when it runs."""

    BATCH = 32
    """Preparations per turn of the event loop (~3 ms): a callback due meanwhile waits at most
    that."""

    def __init__(self, time: MachineTime, prepare: Callable[[T], object]) -> None:
        self._time, self._prepare = time, prepare
        self._heap: list[tuple[float, int, T]] = []
        """(machine time, sequence, item)."""
        self._seq = itertools.count()
        self._timer: Handle | None = None

    def __len__(self) -> int:
        """Items still to prepare."""
        return len(self._heap)

    def add(self, item: T, seconds: float) -> None:
        """Prepare `item` in about `seconds` of machine time."""
        heapq.heappush(self._heap, (self._time.now() + seconds, next(self._seq), item))
        if self._timer is None or self._heap[0][2] is item:
            self._arm()

    def _arm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self._time.call_at(self._heap[0][0], self._run) if self._heap else None

    def _run(self) -> None:
        self._timer = None
        heap, now = self._heap, self._time.now()
        for _ in range(self.BATCH):
            if not heap or heap[0][0] > now:
                break
            self._prepare(heapq.heappop(heap)[2])
        if heap and heap[0][0] <= now:
            self._timer = self._time.call_soon(self._run)
        else:
            self._arm()

    def stop(self) -> None:
        """Forget what is still to prepare (shutdown, reset)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        heap, self._heap = self._heap, []
        reclaim(heap)  # a slice per turn of the loop: 230k items took ~20 ms at once


class LetGo(Generic[T]):
    """Release items `linger` machine seconds after they are added, oldest first, at most BATCH
    per turn of the loop (see docs/performance.md, "Finished tasks let go")."""

    BATCH = 2000
    """Releases per turn of the event loop (a callback due meanwhile waits at most that)."""

    def __init__(self, time: MachineTime, linger: float, release: Callable[[T], object]) -> None:
        self._time, self._linger, self._release = time, linger, release
        self._due: deque[tuple[float, T]] = deque()
        """(machine time, item), in the order added: `linger` is one for all, so oldest first."""
        self._timer: Handle | None = None

    def add(self, item: T) -> None:
        """Release `item` in `linger` seconds; outside a running loop, never (kept)."""
        try:
            when = self._time.now() + self._linger
        except RuntimeError:  # a store used outside a server
            return
        self._due.append((when, item))
        if self._timer is None:
            self._timer = self._time.call_at(when, self._run)

    def _run(self) -> None:
        self._timer = None
        due, now = self._due, self._time.now()
        for _ in range(self.BATCH):
            if not due or due[0][0] > now:
                break
            self._release(due.popleft()[1])
        if due:
            when = due[0][0]
            self._timer = (
                self._time.call_soon(self._run)
                if when <= now
                else self._time.call_at(when, self._run)
            )

    def stop(self) -> None:
        """Forget the pending releases (shutdown, reset)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._due = deque()
