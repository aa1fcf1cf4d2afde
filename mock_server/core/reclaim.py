"""Forgetting a lot at once (a reset of a server holding 100k tasks) without stalling it: the
old containers are emptied a slice per event-loop turn instead of in one go; then, on glibc,
the freed heap is handed back to the system."""

from __future__ import annotations

import asyncio
import functools
import platform
from typing import Any

__all__ = ["next_trim", "reclaim", "trim_heap"]

SLICE = 2000
"""Items freed per loop turn: a few milliseconds."""

Container = list[Any] | dict[Any, Any]


def next_trim(limit: int, held: int) -> int:
    """When a store holding `held` (entries or bytes) after a trim looks again: past `limit`,
    or, where what it holds cannot be forgotten yet and stays over it, only after another
    tenth. Each look walks the store, so the walks cost about ten entries per entry added,
    however far over the limit it is (a look per entry froze a full store)."""
    return max(limit, held + held // 10)


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
        trim_heap()
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
    else:
        trim_heap()


@functools.cache
def _glibc() -> Any:
    """The C library when it is glibc (None elsewhere: musl, macOS, Windows)."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    import ctypes  # here: a server that never resets does not load it

    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None


def trim_heap() -> None:
    """Hand the free pages of glibc's heap back to the system (a no-op elsewhere). glibc
    returns freed memory by itself only from the top of its heap, and only blocks over its
    mmap threshold get their own mapping; that threshold rises to the largest block freed so
    far (a 1 MiB body), so the tasks and bodies a reset frees mostly sit below some block still
    in use: measured, 200 tasks of 256 KiB left 84 MiB behind. malloc_trim also releases the
    free pages inside the heap."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)
