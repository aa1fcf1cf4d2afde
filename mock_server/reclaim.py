"""Forgetting a lot at once (a reset of a server holding 100k tasks) without stalling it: the
old containers are emptied a slice per event-loop turn instead of in one go."""

from __future__ import annotations

import asyncio
from typing import Any

__all__ = ["reclaim"]

SLICE = 2000
"""Items freed per loop turn: a few milliseconds."""

Container = list[Any] | dict[Any, Any]


def reclaim(*containers: Container) -> None:
    """Empty `containers` in slices, one per loop turn (at once when no loop runs). The caller
    has already replaced them: nothing else may use them any more."""
    pending = [c for c in containers if c]
    if not pending:
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        for container in pending:
            container.clear()
        return
    loop.call_soon(_free_slice, loop, pending)


def _free_slice(loop: asyncio.AbstractEventLoop, pending: list[Container]) -> None:
    budget = SLICE
    while pending and budget:
        container = pending[-1]
        count = min(budget, len(container))
        if isinstance(container, list):
            del container[-count:]
        else:
            for _ in range(count):
                container.popitem()
        budget -= count
        if not container:
            pending.pop()
    if pending:
        loop.call_soon(_free_slice, loop, pending)
