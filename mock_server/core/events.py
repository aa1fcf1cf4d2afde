"""EventHub: tells live viewers (the dashboard, over server-sent events) that something changed.

Events are small (`{"type": "task", "id": ...}`); a viewer fetches what it shows. A slow
viewer's queue is bounded: the oldest events are dropped, never the server's work.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

__all__ = ["EventHub"]

QUEUE_LIMIT = 1000


class EventHub:
    """Fan-out of change notifications to any number of subscribers."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[dict[str, Any] | None]] = set()

    @property
    def subscribers(self) -> int:
        return len(self._queues)

    def publish(self, kind: str, **data: Any) -> None:
        if not self._queues:
            return  # nobody is watching: the common case, kept free
        event = {"type": kind, **data}
        for queue in self._queues:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(event)

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[dict[str, Any] | None]]:
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(QUEUE_LIMIT)
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)

    def close(self) -> None:
        """End every subscription (server shutdown): subscribers receive None."""
        for queue in self._queues:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(None)
