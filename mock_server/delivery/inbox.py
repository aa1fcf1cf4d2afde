"""The inbox: a callback receiver that comes with the mock, so a first try needs nothing else.

A `callBackUrl` of `http://HOST:PORT/__mock__/inbox/NAME` makes the mock deliver to itself,
over a real connection, with the real payloads, timeout and retries; the inbox answers 200 and
keeps what arrived under NAME for the control plane to list. It is bounded like every store:
the oldest callbacks go first past `MAX_ITEMS` or `MAX_BYTES` of kept bodies.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from dataclasses import dataclass
from typing import Any

from mock_server.delivery.journal import Page, page

__all__ = ["MAX_BYTES", "MAX_ITEMS", "Inbox", "Received"]

MAX_ITEMS = 1_000
MAX_BYTES = 8 * 1024 * 1024
MAX_NAME = 100


@dataclass(frozen=True, slots=True)
class Received:
    """One callback the inbox got."""

    seq: int
    name: str
    at: float
    """Mock time of arrival."""
    raw: bytes

    def to_json(self) -> dict[str, Any]:
        try:
            body: Any = json.loads(self.raw)
        except ValueError:  # a `malformed` scenario's truncated JSON is kept as text
            body = self.raw.decode("utf-8", "replace")
        data = body.get("data") if isinstance(body, dict) else None
        data = data if isinstance(data, dict) else {}
        return {
            "seq": self.seq,
            "name": self.name,
            "at": self.at,
            "taskId": data.get("task_id") or data.get("taskId"),
            "callbackType": data.get("callbackType"),
            "body": body,
        }


class Inbox:
    """Callbacks received, oldest first, bounded in count and bytes."""

    def __init__(self, max_items: int = MAX_ITEMS, max_bytes: int = MAX_BYTES) -> None:
        self.max_items, self.max_bytes = max_items, max_bytes
        self._items: deque[Received] = deque()
        self._bytes = 0
        self._seq = 0
        self._arrived = asyncio.Condition()

    def __len__(self) -> int:
        return len(self._items)

    def add(self, name: str, raw: bytes, at: float) -> Received:
        """Keep one callback, letting the oldest go to stay within the bounds."""
        self._seq += 1
        received = Received(self._seq, name, at, raw)
        self._items.append(received)
        self._bytes += len(raw)
        while len(self._items) > self.max_items or (
            self._bytes > self.max_bytes and len(self._items) > 1
        ):
            self._bytes -= len(self._items.popleft().raw)
        return received

    async def notify(self) -> None:
        """Wake the readers waiting in `wait_for` (after an `add`)."""
        async with self._arrived:
            self._arrived.notify_all()

    async def wait_for(self, name: str | None, count: int, timeout: float) -> None:  # noqa: ASYNC109
        """Return once `count` callbacks (under `name`, or all) are kept, or after `timeout`
        real seconds: a script reading the inbox need not guess how long deliveries take."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout), self._arrived:
                await self._arrived.wait_for(lambda: self.count(name) >= count)

    def page(self, name: str | None, since: int | None, limit: int) -> Page[Received]:
        """Callbacks (under `name`, or all) after `since`, or the newest `limit`."""
        items = [r for r in self._items if name is None or r.name == name]
        return page(items, _seq, since, limit)

    def count(self, name: str | None) -> int:
        return sum(1 for r in self._items if name is None or r.name == name)

    def clear(self) -> None:
        self._items.clear()
        self._bytes = 0


def _seq(received: Received) -> int:
    return received.seq
