"""LoopThread: an asyncio event loop running in a daemon thread, for synchronous callers.

The threaded test helpers (`SunoMockThread`, `CallbackReceiverThread`) keep their server on such
a loop, so a blocking client (`requests`) in a plain `def` test talks to a server that runs.
Every read of the server's state goes through the loop too, never across threads.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

__all__ = ["LoopThread"]

T = TypeVar("T")


class LoopThread:
    """An event loop in its own thread; `call(coro)` and `run(fn)` block until done."""

    def __init__(self, name: str) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name=name)

    def start(self) -> None:
        self._thread.start()

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the thread's loop and wait for its result (or exception)."""
        if threading.current_thread() is self._thread:
            coroutine.close()
            raise RuntimeError("LoopThread.call() from its own loop would deadlock")
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def run(self, function: Callable[[], T]) -> T:
        """Run a plain function on the thread's loop (where the state it reads lives)."""

        async def wrapper() -> T:
            return function()

        return self.call(wrapper())

    def stop(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        if not self._loop.is_running():
            self._loop.close()
