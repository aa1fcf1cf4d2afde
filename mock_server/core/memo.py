"""Results of pure functions kept for the next server of the process: made once, they are
looked up by every test that asks for the same again (a suite starts a server per test, with
the same seed: its first task has the same id, and the same request the same tracks and
bodies). Each memo is bounded by entries and bytes; full, it starts again empty (anything in
it can be made again, the same). A reset empties them all (`forget_memos`)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["Memo", "forget_memos"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(Generic[K, V]):
    """At most `entries` results of about `max_bytes` in all (each put says its size)."""

    __slots__ = ("_held", "_items", "entries", "max_bytes")

    def __init__(self, entries: int, max_bytes: int) -> None:
        self.entries, self.max_bytes = entries, max_bytes
        self._items: dict[K, V] = {}
        self._held = 0
        _CLEARS.append(self.clear)

    def get(self, key: K) -> V | None:
        return self._items.get(key)

    def put(self, key: K, value: V, size: int) -> V:
        """Keep `value` (about `size` bytes); return it. Beyond a bound, the others go first."""
        if len(self._items) >= self.entries or self._held + size > self.max_bytes:
            self.clear()
        if size <= self.max_bytes:
            self._items[key] = value
            self._held += size
        return value

    def clear(self) -> None:
        self._items = {}
        self._held = 0

    def __len__(self) -> int:
        return len(self._items)

    @property
    def held_bytes(self) -> int:
        return self._held


_CLEARS: list[Callable[[], None]] = []
"""Every memo's `clear` (memos are made at import)."""


def forget_memos() -> None:
    """Empty every memo (a reset frees what they hold)."""
    for clear in _CLEARS:
        clear()
