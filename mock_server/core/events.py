"""EventHub: the one way a part of the mock tells the others that something happened.

An event is a small typed object (`TaskChanged`, `JobChanged`, `Reset`, `ClockMoved` here; the
journal's `AttemptEnded`, `RequestJournaled` and `DeliveryExhausted`). `publish` runs every
handler subscribed to its type (`on`), at once and in the order they subscribed, then offers
its wire form (`{"type": "task", "id": ...}`) to the live viewers (the dashboard, over
server-sent events: `stream`); a viewer fetches what it shows. A slow viewer's queue is bounded:
the oldest events are dropped, never the server's work.

Subscriptions made through a `scope()` end together (`drop`): a reset's new backends subscribe
anew, and the old ones stop hearing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = ["ClockMoved", "Event", "EventHub", "JobChanged", "Reset", "TaskChanged"]

QUEUE_LIMIT = 1000

E = TypeVar("E", bound="Event")
Handler = Callable[[Any], object]
Wire = dict[str, Any]


class Event:
    """Something that happened; `wire` is what a live viewer receives (None: nothing)."""

    __slots__ = ()

    def wire(self) -> Wire | None:
        return None


@dataclass(slots=True)
class TaskChanged(Event):
    """A music task was created or moved (a stage, a failure, a callback exhausted)."""

    id: str

    def wire(self) -> Wire:
        return {"type": "task", "id": self.id}


@dataclass(slots=True)
class JobChanged(Event):
    """A job or a voice task was created or moved."""

    id: str

    def wire(self) -> Wire:
        return {"type": "job", "id": self.id}


@dataclass(slots=True)
class Reset(Event):
    """The mock was reset: everything it held is gone."""

    def wire(self) -> Wire:
        return {"type": "reset"}


@dataclass(slots=True)
class ClockMoved(Event):
    """The control plane moved, paused or resumed the clock."""

    def wire(self) -> Wire:
        return {"type": "clock"}


class EventHub:
    """Typed publish/subscribe, and the fan-out of events to live viewers."""

    def __init__(self) -> None:
        self._handlers: dict[type[Event], tuple[Handler, ...]] = {}
        """Shared with the hub's scopes: one table, whoever publishes."""
        self._queues: set[asyncio.Queue[Wire | None]] = set()
        self._mine: list[tuple[type[Event], Handler]] = []
        """The subscriptions made through this hub (what `drop` ends)."""

    def scope(self) -> EventHub:
        """A hub on the same table and viewers whose own subscriptions `drop` ends at once."""
        child = EventHub()
        child._handlers, child._queues = self._handlers, self._queues
        return child

    def on(self, kind: type[E], handler: Callable[[E], object]) -> None:
        """Run `handler(event)` for every `kind` event published from now on."""
        self._handlers[kind] = (*self._handlers.get(kind, ()), handler)
        self._mine.append((kind, handler))

    def drop(self) -> None:
        """End the subscriptions made through this hub."""
        for kind, handler in self._mine:
            left = list(self._handlers.get(kind, ()))
            left.remove(handler)
            self._handlers[kind] = tuple(left)
        self._mine = []

    def heard(self, kind: type[Event]) -> bool:
        """Whether an event of `kind` would reach anyone (a handler or a live viewer): a
        publisher on a hot path makes the event only then."""
        return bool(self._queues or self._handlers.get(kind))

    def publish(self, event: Event) -> None:
        for handler in self._handlers.get(type(event), ()):
            handler(event)
        if not self._queues:
            return  # nobody is watching: the common case, kept free
        wire = event.wire()
        if wire is None:
            return
        for queue in self._queues:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(wire)

    @property
    def streams(self) -> int:
        """Live viewers connected."""
        return len(self._queues)

    @asynccontextmanager
    async def stream(self) -> AsyncIterator[asyncio.Queue[Wire | None]]:
        """A live viewer's queue of wire events (None: the server is shutting down)."""
        queue: asyncio.Queue[Wire | None] = asyncio.Queue(QUEUE_LIMIT)
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)

    def close(self) -> None:
        """End every live stream (server shutdown): viewers receive None."""
        for queue in self._queues:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(None)
