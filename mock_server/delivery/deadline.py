"""An attempt's receiver timeout that the mock's own stalls do not eat into (`Deadline`), and
the meter of those stalls (`LagMeter`). Both run on the machine's time (`MachineTime`, the
event loop's clock): they measure real sockets and the loop's own lateness, which mock time
knows nothing of (see docs/performance.md, "Machine time")."""

from __future__ import annotations

import asyncio

from mock_server.core.machine_time import Handle, MachineTime

__all__ = ["Deadline", "LagMeter"]


class LagMeter:
    """How long the mock's own event loop was held up, so a receiver is not blamed for it.

    While attempts are in flight a tick runs every TICK seconds; whatever it runs late beyond
    TOLERANCE is time the mock could not have read an answer. A `Deadline` arms an attempt's
    timeout and, when it falls due, extends it once by the lag seen since the attempt began
    (at most by the timeout again)."""

    TICK = 0.05
    TOLERANCE = 0.02

    def __init__(self, time: MachineTime) -> None:
        self.time = time
        self._lost = 0.0
        self._due = 0.0
        self._users = 0
        self._tick: Handle | None = None

    def lost(self, now: float) -> float:
        """Seconds of lag so far, counting a tick that is overdue right now."""
        overdue = now - self._due if self._tick is not None else 0.0
        return self._lost + (overdue if overdue > self.TOLERANCE else 0.0)

    def start(self, now: float) -> None:
        """An attempt begins (at machine time `now`): make sure the ticks run."""
        self._users += 1
        if self._tick is None:
            self._due = now + self.TICK
            self._tick = self.time.call_at(self._due, self._on_tick)

    def stop(self) -> None:
        """An attempt ended (the tick after the last one's end is the last)."""
        self._users -= 1

    def _on_tick(self) -> None:
        now = self.time.now()
        late = now - self._due
        if late > self.TOLERANCE:
            self._lost += late
        self._tick = None
        if self._users:  # with no users left, this tick was the last
            self._due = now + self.TICK
            self._tick = self.time.call_at(self._due, self._on_tick)


class Deadline:
    """One attempt's receiver timeout: `limit` expires `seconds` after the attempt begins,
    plus the mock's own lag meanwhile (added up in `granted`). A context manager with slots:
    every callback makes one (see docs/performance.md, "Deadlines and the lag meter")."""

    __slots__ = ("_counted", "_handle", "_limit", "_meter", "_seconds", "_time", "granted")

    def __init__(self, meter: LagMeter, limit: asyncio.Timeout, seconds: float) -> None:
        self._meter, self._limit, self._seconds = meter, limit, seconds
        self._time = meter.time
        self._handle: Handle | None = None
        self._counted = 0.0
        self.granted = 0.0

    def __enter__(self) -> None:
        now = self._time.now()
        self._meter.start(now)
        self._counted = self._meter.lost(now)
        self._handle = self._time.call_at(now + self._seconds, self._check)

    def _check(self) -> None:
        now = self._time.now()
        # Once, and at most `seconds` more: an answer that arrived while the mock could not
        # read it is taken, but a receiver never gets over twice its time in all.
        owed = (
            min(self._meter.lost(now) - self._counted, self._seconds) if not self.granted else 0.0
        )
        if owed > 0.001:
            self.granted = owed
            self._handle = self._time.call_at(now + owed, self._check)
        else:
            # The receiver had all of its time (machine time is the loop's, as the Timeout's).
            self._limit.reschedule(now)

    def __exit__(self, *_: object) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._meter.stop()
