"""`LoopWatch`: answers a client that waits on a server whose event loop is blocked (a blocking
client called from an async test), and says where the loop's thread was stuck."""

from __future__ import annotations

import asyncio
import json
import select
import socket
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from types import FrameType

__all__ = ["BLOCKED_MESSAGE", "LoopWatch", "listening_sockets"]


def listening_sockets(site: object) -> list[socket.socket]:
    """Duplicates of a site's listening sockets (asyncio hands out wrappers without accept)."""
    # aiohttp keeps the asyncio.Server of a site private; without it there is no watch.
    server = getattr(site, "_server", None)
    return [
        socket.fromfd(s.fileno(), s.family, s.type)
        for s in getattr(server, "sockets", ())
        if hasattr(s, "fileno")
    ]


BLOCKED_MESSAGE = (
    "suno_mock: a client waited {waited:.1f} s for this server while the event loop that "
    "serves it did not run. A blocking HTTP client (requests, urllib, httpx.Client) called "
    "from an async test blocks the loop the in-loop server needs. Use the suno_mock_threaded "
    "fixture (its server runs in its own thread), or call the client through "
    "`await asyncio.to_thread(...)`."
)


class LoopWatch:
    """Detects a client waiting on a server whose event loop is blocked, and answers it.

    Every `poll` seconds the watcher looks for a connection waiting to be accepted, and while
    one waits it pings the loop. When a connection has been waiting to be accepted for
    `timeout` seconds and the loop has not run in that time, the loop's thread
    is blocked (typically by a synchronous client in an async test, which would otherwise
    wait forever): the watcher accepts the connection itself, answers HTTP 500 with the
    explanation, and keeps a report naming where the loop's thread was stuck.

    All watches share one daemon thread (`_Watcher`), started on first use: a test suite that
    starts a server per test pays no thread start and join per test.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        sockets: Sequence[socket.socket],
        timeout: float,
        poll: float = 0.05,
    ) -> None:
        self.reports: list[str] = []
        self._loop = loop
        self._sockets = list(sockets)
        self._timeout = timeout
        self.poll = poll
        self._loop_thread = threading.get_ident()
        self._last_beat = time.monotonic()
        self._waiting_since: float | None = None
        _WATCHER.add(self)

    def _beat(self) -> None:
        self._last_beat = time.monotonic()

    def stop(self) -> None:
        _WATCHER.discard(self)
        for sock in self._sockets:
            sock.close()

    def check(self) -> bool:
        """One look, from the watcher's thread; False when this watch has nothing to watch."""
        if self._loop.is_closed():
            return False
        try:
            ready = select.select(self._sockets, [], [], 0)[0]
        except (OSError, ValueError):  # the sockets were closed under us
            return False
        now = time.monotonic()
        if not ready:
            self._waiting_since = None
            return True
        # The loop is pinged only while a connection waits: only a beat after the wait began
        # counts (the timeout runs from the later of the two), and a ping wakes the loop's
        # thread (see docs/performance.md, "The loop watch pings only when a client waits").
        try:
            self._loop.call_soon_threadsafe(self._beat)
        except RuntimeError:  # the loop closed meanwhile
            return False
        self._waiting_since = self._waiting_since or now
        # What the client waited while the loop did not run: since the later of the two (the
        # last beat may be from long before, when the loop idled unpinged).
        waited = now - max(self._waiting_since, self._last_beat)
        if waited >= self._timeout:
            self._answer(ready, waited)
            self._waiting_since = None
        return True

    def _answer(self, ready: list[socket.socket], waited: float) -> None:
        try:
            conn, _ = ready[0].accept()
        except OSError:  # the loop woke up and took it
            return
        message = BLOCKED_MESSAGE.format(waited=waited)
        # The report first: once answered, the test moves on (and its teardown reads it).
        stack = _where(sys._current_frames().get(self._loop_thread))
        self.reports.append(
            f"{message}\nThe loop's thread was here:\n{stack}".rstrip() if stack else message
        )
        body = json.dumps({"code": 500, "msg": message, "data": None}).encode()
        with conn:
            conn.setblocking(True)
            conn.settimeout(1.0)
            try:
                _read_request(conn)
                conn.sendall(
                    b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
                    b"Connection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
                )
            except OSError:
                pass


class _Watcher:
    """The one thread that runs every `LoopWatch`'s check; it sleeps while there is none."""

    def __init__(self) -> None:
        self._watches: list[LoopWatch] = []
        self._lock = threading.Condition()
        self._thread: threading.Thread | None = None
        self._idle = False
        """The thread waits for a first watch (not for its next poll)."""

    def add(self, watch: LoopWatch) -> None:
        with self._lock:
            self._watches.append(watch)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, daemon=True, name="suno-mock-watch"
                )
                self._thread.start()
            # A thread between polls sees the new watch at its next one (the timeout is 20
            # polls long); waking it would cost every server started a thread switch and a
            # turn of the loop being watched.
            if self._idle:
                self._lock.notify()

    def discard(self, watch: LoopWatch) -> None:
        # Under the lock: once this returns, no check of `watch` is running or will run.
        with self._lock:
            if watch in self._watches:
                self._watches.remove(watch)

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._watches:
                    self._idle = True
                    self._lock.wait()
                self._idle = False
                poll = min(watch.poll for watch in self._watches)
                self._lock.wait(poll)  # released while waiting: add and discard go through
                for watch in list(self._watches):
                    if not watch.check():
                        self._watches.remove(watch)


_WATCHER = _Watcher()


def _where(frame: FrameType | None) -> str:
    """The blocked thread's innermost frames of user code, and the call it is stuck in."""
    if frame is None:
        return ""
    import sysconfig  # here: only a blocked loop is explained

    stack = traceback.extract_stack(frame)
    paths = sysconfig.get_paths()
    library = tuple({paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")})
    user = [f for f in stack if not f.filename.startswith((*library, "<frozen"))]
    return "".join(traceback.format_list([*user[-3:], stack[-1]]))


def _read_request(conn: socket.socket) -> None:
    """Read the request's head and body (best effort), so the client sees a clean answer."""
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = conn.recv(4096)
        if not chunk:
            return
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            length = int(value.strip())
    while len(body) < min(length, 1 << 20):
        chunk = conn.recv(65536)
        if not chunk:
            return
        body += chunk
