"""Connections of the callback dispatcher: a cap per receiver URL (`HostSlots`), and one
socket budget across all receivers (`SocketBudget`). Attempts over either wait in line, each
parked on the clock, before the receiver's timeout starts."""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable, Hashable

from mock_server.core.clock import Clock, Timer

__all__ = ["HostSlots", "Origin", "SocketBudget"]

Origin = tuple[str, str | None, int | None]
"""Scheme, host and port: one receiver's sockets, one connection pool."""


class _Slot:
    """One line's connections: how many are free, and the attempts waiting for one, oldest
    first, each parked on the clock (a few hundred bytes, where a suspended task chain costs
    kilobytes: a fan-out backlog of 30,000 callbacks stays small). O(1) per take and release."""

    __slots__ = ("free", "waiters")

    def __init__(self, limit: int) -> None:
        self.free = limit
        self.waiters: deque[Timer] = deque()


class HostSlots:
    """At most `limit` attempts in flight per line (None: no cap). The dispatcher's lines are
    receiver URLs without the query (scheme, host, port and path), so a hung path of a host
    does not hold back its other paths. Each line has its own slot, made on first use and
    dropped when all its connections are free and nobody waits.

    A released connection wakes the first waiting attempt, which takes it when it runs (one
    woken but cancelled before it ran holds nothing, so nothing leaks on shutdown or reset)."""

    def __init__(
        self, limit: int | None, clock: Clock, on_cancelled: Callable[[Timer], None]
    ) -> None:
        self._limit = limit
        self._clock = clock
        self._on_cancelled = on_cancelled
        """Told of each waiting attempt cancelled (shutdown, reset) before its turn."""
        self._slots: dict[Hashable, _Slot] = {}

    def take(self, line: Hashable, *, woken: bool = False) -> bool | None:
        """Take a connection of `line`: True (give it back with `release`), None when there
        is no cap, or False when none is free (then `wait` in line). A `woken` attempt was
        first in line, so it goes before any that wait."""
        if self._limit is None:
            return None
        slot = self._slots.get(line)
        if slot is None:
            slot = self._slots[line] = _Slot(self._limit)
        waiters = slot.waiters
        while waiters and waiters[0].cancelled:  # left behind by a shutdown or reset
            self._on_cancelled(waiters.popleft())
        if slot.free > 0 and (woken or not waiters):
            slot.free -= 1
            return True
        return False

    def wait(self, line: Hashable, parked: Timer, *, first: bool = False) -> int:
        """Queue a parked attempt for `line`'s next free connection (`first`: at the head);
        how many wait before it."""
        waiters = self._slots[line].waiters
        if first:
            waiters.appendleft(parked)
            return 0
        waiters.append(parked)
        return len(waiters) - 1

    def release(self, line: Hashable) -> None:
        """Give a connection back and wake the next waiting attempt."""
        slot = self._slots[line]
        slot.free += 1
        while slot.waiters:
            parked = slot.waiters.popleft()
            if self._clock.unpark(parked):
                return
            self._on_cancelled(parked)
        if slot.free == self._limit:
            del self._slots[line]


MAX_IDLE = 256
"""Idle receivers whose pools (and kept-alive sockets) are kept for their next callback."""


class _Pool:
    """One receiver's sockets: `busy` attempts in flight, at most `open` sockets (in use or
    kept alive) that its connection pool may hold."""

    __slots__ = ("busy", "open")

    def __init__(self) -> None:
        self.busy = 0
        self.open = 0


class SocketBudget:
    """At most `total` sockets open to all receivers together, so the process never runs out
    of file descriptors (its own API keeps the rest of the open-file limit); at most half of
    them to one receiver, so no receiver (say, one with a path per task, all hanging) can take
    them all; and a sixteenth kept for receivers that hold none, so a lightly used receiver
    does not wait behind busy ones.

    An upper bound is kept per receiver: a pool never holds more sockets than attempts it
    had in flight at once, so `open` grows only when every socket counted is busy, and
    shrinks when an attempt closes its socket (`release(closed=True)`) or an idle receiver's
    pool is closed (`on_evict`, the least recently used first) to make room. Attempts that
    find no room wait, parked on the clock, in one line per receiver; a freed socket goes to
    the waiting receiver holding the fewest, so a slow receiver's backlog does not hold back
    another's."""

    def __init__(
        self,
        total: int,
        clock: Clock,
        on_cancelled: Callable[[Timer], None],
        on_evict: Callable[[Origin, Callable[[], None]], None],
    ) -> None:
        self.total = total
        self.share = max(1, total // 2)
        """Sockets one receiver may hold."""
        self.reserve = total // 16
        """Sockets only a receiver holding none may take: however busy the others, a receiver
        with little traffic (one callback at a time) finds one at once."""
        self._clock = clock
        self._on_cancelled = on_cancelled
        self._on_evict = on_evict
        self._pools: dict[Origin, _Pool] = {}
        self._idle: OrderedDict[Origin, None] = OrderedDict()
        """Receivers with sockets but nothing in flight: closed first when room is needed."""
        self._held = 0
        self._closing = 0
        """Sockets of closed pools still counted in `_held` until they are really closed."""
        self._ceiling: int | None = None
        """Set while paused: no new socket beyond what is held (the process ran out)."""
        self._waiters: OrderedDict[Origin, deque[Timer]] = OrderedDict()
        """Per receiver, oldest first (the receiver served last goes last among equals)."""

    @property
    def held(self) -> int:
        """Sockets that may be open now (the sum of every receiver's bound)."""
        return self._held

    def contended(self, origin: Origin) -> bool:
        """Another receiver's attempts wait for a socket: one of `origin`'s that ends should
        close its own (its own waiting attempts would reuse it)."""
        waiters = self._waiters
        return len(waiters) > 1 or (len(waiters) == 1 and origin not in waiters)

    def take(self, origin: Origin, *, woken: bool = False) -> bool:
        """Room for one attempt to `origin`: True (give it back with `release`) or False
        (then `wait`). A `woken` attempt was first in its receiver's line; a new one waits
        while a receiver holding fewer sockets waits (it is woken to take the room)."""
        line = self._waiters.get(origin)
        while line and line[0].cancelled:
            self._on_cancelled(line.popleft())
        if line is not None and not line:
            del self._waiters[origin]
            line = None
        if (line and not woken) or not self._can_take(origin):
            return False
        pool = self._pools.get(origin)
        holds = pool.open if pool is not None else 0
        if not woken and (pool is None or pool.busy == holds) and self._poorer_waits(holds):
            self._wake()  # the room is theirs: a newcomer does not overtake them
            return False
        if pool is None:
            pool = self._pools[origin] = _Pool()
        if pool.busy == pool.open:  # every socket counted is busy: this one may be new
            pool.open += 1
            self._held += 1
        if pool.busy == 0:
            self._idle.pop(origin, None)
        pool.busy += 1
        if woken:
            self._wake()  # room may remain (an idle pool closed): the next in turn tries
        return True

    def wait(self, origin: Origin, parked: Timer, *, first: bool = False) -> None:
        """Queue a parked attempt for `origin`'s next socket (`first`: at the head)."""
        line = self._waiters.get(origin)
        if line is None:
            line = self._waiters[origin] = deque()
        if first:
            line.appendleft(parked)
        else:
            line.append(parked)

    def release(self, origin: Origin, *, closed: bool) -> None:
        """An attempt to `origin` ended (`closed`: its socket was closed, not kept alive);
        wake the next waiting attempt if there is room for it."""
        pool = self._pools[origin]
        pool.busy -= 1
        if closed:
            pool.open -= 1
            self._held -= 1
        if pool.busy == 0:
            if pool.open == 0:
                del self._pools[origin]
                self._on_evict(origin, _nothing)
            else:
                self._idle[origin] = None
                if len(self._idle) > MAX_IDLE:
                    self._evict()
        self._wake()

    def pause(self) -> None:
        """The process could not open a socket: open none beyond those held now (less the
        one that failed) until `resume`, but as held ones are freed."""
        self._ceiling = max(0, self._held - 1)

    def resume(self) -> None:
        self._ceiling = None
        self._wake()

    def _wake(self) -> None:
        """Wake the first waiting attempt of the receiver that holds the fewest sockets among
        those that may take one (of equals, the one served longest ago); it takes it when it
        runs. A receiver that uses its sockets briefly is not held back by slow ones."""
        while True:
            best: Origin | None = None
            fewest = 0
            for origin in list(self._waiters):
                line = self._waiters[origin]
                while line and line[0].cancelled:
                    self._on_cancelled(line.popleft())
                if not line:
                    del self._waiters[origin]
                    continue
                pool = self._pools.get(origin)
                holds = pool.open if pool is not None else 0
                if (best is None or holds < fewest) and self._can_take(origin):
                    best, fewest = origin, holds
            if best is None:
                return
            line = self._waiters[best]
            parked = line.popleft()
            if line:
                self._waiters.move_to_end(best)
            else:
                del self._waiters[best]
            if self._clock.unpark(parked):
                return
            self._on_cancelled(parked)

    def _poorer_waits(self, holds: int) -> bool:
        """A waiting receiver holds fewer sockets than `holds`."""
        for origin, line in self._waiters.items():
            if line and not line[0].cancelled:
                pool = self._pools.get(origin)
                if (pool.open if pool is not None else 0) < holds:
                    return True
        return False

    def _can_take(self, origin: Origin) -> bool:
        """A kept-alive socket of `origin` is free, or a new one may be opened: under the
        receiver's share and the total (after closing idle receivers' pools if need be)."""
        pool = self._pools.get(origin)
        if pool is not None and pool.busy < pool.open:
            return True
        if pool is not None and pool.open >= self.share:
            return False
        total = self.total if self._ceiling is None else min(self.total, self._ceiling)
        if pool is not None and pool.open > 0:
            total -= self.reserve
        while self._held - self._closing >= total and self._idle:
            self._evict()
        return self._held < total

    def _evict(self) -> None:
        """Close the pool of the receiver idle the longest; its sockets count until closed."""
        origin, _ = self._idle.popitem(last=False)
        count = self._pools.pop(origin).open
        self._closing += count
        self._on_evict(origin, lambda: self._closed(count))

    def _closed(self, count: int) -> None:
        self._closing -= count
        self._held -= count
        if self._ceiling is not None:
            self._ceiling = max(0, self._ceiling - count)  # those were real sockets
        self._wake()


def _nothing() -> None:
    """Nothing left to count: the pool's sockets were closed one by one."""
