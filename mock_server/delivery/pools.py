"""The callback receivers' connection pools: one aiohttp session per receiver (scheme, host and
port), so an idle receiver's kept-alive sockets can be closed to make room for another's, and
the socket budget they share (`slots.SocketBudget`)."""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import time
from collections.abc import Callable

import aiohttp

from mock_server.core.clock import Clock, Timer
from mock_server.core.net import open_file_limit, socket_budget
from mock_server.delivery.slots import Origin, SocketBudget

__all__ = ["Pools"]

log = logging.getLogger(__name__)


class Pools:
    """Sessions per receiver, made on first use and closed when the budget needs the room."""

    PAUSE = 0.5
    """Real seconds no new socket is opened after the process could not open one."""
    LOG_EVERY = 10.0
    """Real seconds between two log lines about the mock's own failures (with a count)."""

    def __init__(
        self, clock: Clock, budget: int | None, on_cancelled: Callable[[Timer], None]
    ) -> None:
        total = budget if budget is not None else socket_budget(open_file_limit())
        self.budget = SocketBudget(total, clock, on_cancelled, self._evict)
        self._sessions: dict[Origin, aiohttp.ClientSession] = {}
        self._closing: set[asyncio.Task[None]] = set()
        self._started = False
        self._resume: asyncio.TimerHandle | None = None
        self._faults = 0
        self._next_log = 0.0

    def start(self) -> None:
        self._started = True

    def session(self, origin: Origin) -> aiohttp.ClientSession:
        """The receiver's session (made now if it has none)."""
        if not self._started:
            raise RuntimeError("Dispatcher.start() was not awaited before delivering callbacks")
        session = self._sessions.get(origin)
        if session is None:
            session = self._sessions[origin] = aiohttp.ClientSession(
                # No limit in aiohttp: its waits would count against the receiver's timeout.
                # The dispatcher's lines and budget cap the connections before the clock starts.
                connector=aiohttp.TCPConnector(limit=0, limit_per_host=0),
                timeout=aiohttp.ClientTimeout(total=None),
                auto_decompress=True,
            )
        return session

    @property
    def sessions(self) -> int:
        """Receivers with a session now."""
        return len(self._sessions)

    def _evict(self, origin: Origin, done: Callable[[], None]) -> None:
        """Close the receiver's session; `done` once its sockets are closed."""
        session = self._sessions.pop(origin, None)
        if session is None:
            done()
            return
        closing = asyncio.get_running_loop().create_task(session.close())
        self._closing.add(closing)
        closing.add_done_callback(self._closing.discard)
        closing.add_done_callback(lambda _: done())

    def paused(self) -> None:
        """The process could not open a socket: pause new ones for a moment."""
        self.budget.pause()
        if self._resume is None:
            loop = asyncio.get_running_loop()
            self._resume = loop.call_later(self.PAUSE, self._resumed)

    def _resumed(self) -> None:
        self._resume = None
        self.budget.resume()

    def fault(self, name: str) -> str:
        """Note one attempt the process itself could not make; the journal's wording. Logged
        once per LOG_EVERY with a count: a shortage repeats thousands of times a second."""
        self._faults += 1
        now = time.monotonic()
        if now >= self._next_log:
            log.warning(
                "callbacks: the mock itself could not open a socket (%s) %d time(s) in the last "
                "%g s; those attempts wait for a socket and are retried, not blamed on receivers "
                "(lower callback_socket_budget or raise the open-file limit)",
                name,
                self._faults,
                self.LOG_EVERY,
            )
            self._faults = 0
            self._next_log = now + self.LOG_EVERY
        reason = os.strerror(getattr(errno, name))
        return (
            f"not sent: the mock could not open a socket ({name}: {reason}); the mock's own "
            "fault, retried when a socket is free and not counted against the receiver's retries"
        )

    async def close(self) -> None:
        if self._resume is not None:
            self._resume.cancel()
            self._resume = None
        sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            await session.close()
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)
        self._started = False
