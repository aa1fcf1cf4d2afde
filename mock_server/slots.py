"""Connections per callback receiver: at most a cap in flight to one receiver (scheme, host
and port), the rest waiting in line, each parked on the clock."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from mock_server.clock import Clock, Timer

__all__ = ["HostSlots", "Origin"]

Origin = tuple[str, str | None, int | None]
"""Scheme, host and port: one receiver, one connection cap."""


class _Slot:
    """One receiver's connections: how many are free, and the attempts waiting for one, oldest
    first, each parked on the clock (a few hundred bytes, where a suspended task chain costs
    kilobytes: a fan-out backlog of 30,000 callbacks stays small). O(1) per take and release."""

    __slots__ = ("free", "waiters")

    def __init__(self, limit: int) -> None:
        self.free = limit
        self.waiters: deque[Timer] = deque()


class HostSlots:
    """At most `limit` attempts in flight per receiver (None: no cap). Each receiver has its
    own slot, made on first use and dropped when all its connections are free and nobody waits.

    A released connection wakes the first waiting attempt, which takes it when it runs (one
    woken but cancelled before it ran holds nothing, so nothing leaks on shutdown or reset)."""

    def __init__(
        self, limit: int | None, clock: Clock, on_cancelled: Callable[[Timer], None]
    ) -> None:
        self._limit = limit
        self._clock = clock
        self._on_cancelled = on_cancelled
        """Told of each waiting attempt cancelled (shutdown, reset) before its turn."""
        self._slots: dict[Origin, _Slot] = {}

    def take(self, origin: Origin, *, woken: bool = False) -> bool | None:
        """Take a connection to `origin`: True (give it back with `release`), None when there
        is no cap, or False when none is free (then `wait` in line). A `woken` attempt was
        first in line, so it goes before any that wait."""
        if self._limit is None:
            return None
        slot = self._slots.get(origin)
        if slot is None:
            slot = self._slots[origin] = _Slot(self._limit)
        waiters = slot.waiters
        while waiters and waiters[0].cancelled:  # left behind by a shutdown or reset
            self._on_cancelled(waiters.popleft())
        if slot.free > 0 and (woken or not waiters):
            slot.free -= 1
            return True
        return False

    def wait(self, origin: Origin, parked: Timer, *, first: bool = False) -> int:
        """Queue a parked attempt for `origin`'s next free connection (`first`: at the head);
        how many wait before it."""
        waiters = self._slots[origin].waiters
        if first:
            waiters.appendleft(parked)
            return 0
        waiters.append(parked)
        return len(waiters) - 1

    def release(self, origin: Origin) -> None:
        """Give a connection back and wake the next waiting attempt."""
        slot = self._slots[origin]
        slot.free += 1
        while slot.waiters:
            parked = slot.waiters.popleft()
            if self._clock.unpark(parked):
                return
            self._on_cancelled(parked)
        if slot.free == self._limit:
            del self._slots[origin]
