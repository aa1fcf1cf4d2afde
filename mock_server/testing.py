"""Test helpers: `SunoMock` (a MockServer on a manual clock with wait and assertion helpers) and
`SunoMockThread` (the same in its own thread, for synchronous clients such as `requests`).

Helpers never sleep blindly: they drive the manual clock from one timer to the next. On failure
they say what did happen: the requests received and the callbacks attempted, in order. Their
arguments are checked at once: a typo in a callback type or a status is an error that lists the
valid ones, not a wait that runs out.
"""

from __future__ import annotations

import asyncio
import json
import select
import socket
import sys
import sysconfig
import threading
import time
import traceback
from collections.abc import Callable, Coroutine, Sequence
from types import FrameType, TracebackType
from typing import Any, Self, TypeVar, get_args

from mock_server.catalog import TaskStatus
from mock_server.clock import ManualClock
from mock_server.journal import Delivery, RequestRecord
from mock_server.loop_thread import LoopThread
from mock_server.probe import DEFAULT_BUDGET, ProbeReport, probe
from mock_server.server import MockServer
from mock_server.settings import Settings
from mock_server.tasks import Task

__all__ = ["CALLBACK_TYPES", "TASK_STATUSES", "SunoMock", "SunoMockThread"]

T = TypeVar("T")
DEFAULT_WAIT = 3600.0
"""Mock seconds a wait helper may move the clock forward before it gives up."""
OPT_OUT = "@pytest.mark.suno_mock(check_teardown=False)"
CALLBACK_TYPES: tuple[str, ...] = (
    "text",
    "first",
    "complete",
    "error",
    "validate",
    "regenerate",
    "generate",
)
"""Callback types the mock journals: a music task's stages and `error`; jobs such as lyrics or
WAV send only `complete`; Suno Voice steps send `validate`, `regenerate` and `generate`."""
TASK_STATUSES: tuple[str, ...] = get_args(TaskStatus)
"""record-info statuses of a music task."""
BLOCKED_LOOP_TIMEOUT = 1.0
"""Real seconds a client may wait on a loop that does not run before it is answered with an
explanation (see `LoopWatch`)."""


def _check_callback_type(callback_type: str) -> None:
    if callback_type not in CALLBACK_TYPES:
        raise ValueError(
            f"unknown callback type {callback_type!r}; valid: {', '.join(CALLBACK_TYPES)}"
        )


def _check_status(status: str) -> None:
    if status not in TASK_STATUSES:
        raise ValueError(f"unknown task status {status!r}; valid: {', '.join(TASK_STATUSES)}")


def _check_within(within: float) -> None:
    if not within > 0:
        raise ValueError(f"within must be a positive number of mock seconds, got {within!r}")


class _RewindableClock(ManualClock):
    """The manual clock, which a reused server (session scope) sets back to its start."""

    def rewind(self, to: float) -> None:
        if self.pending():
            raise RuntimeError("cannot rewind a clock with timers pending; reset the mock first")
        self._now = to
        self.errors.clear()


class SunoMock(MockServer):
    """A started mock with a manual clock, for tests. See the pytest fixture `suno_mock`.

    `blocked_loop_timeout` (real seconds; None turns it off): a client that waits that long on
    this server while the event loop serving it does not run is answered HTTP 500 with an
    explanation, and the test fails at teardown; this is what a blocking client such as
    `requests` does when it is called from an async test (use `suno_mock_threaded` instead).
    """

    clock: _RewindableClock

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        check_teardown: bool = True,
        blocked_loop_timeout: float | None = BLOCKED_LOOP_TIMEOUT,
    ) -> None:
        settings = settings or Settings()
        super().__init__(settings, clock=_RewindableClock(settings.start_time))
        self.check_teardown = check_teardown
        self.blocked_loop_timeout = blocked_loop_timeout
        self._watch: LoopWatch | None = None

    @property
    def api_url(self) -> str:
        """The base URL a client of the real API should be pointed at."""
        return self.url

    async def start(self) -> Self:
        await super().start()
        if self.blocked_loop_timeout is not None and self._runner is not None:
            sockets = [s for site in self._runner.sites for s in _listening_sockets(site)]
            if sockets:
                self._watch = LoopWatch(
                    asyncio.get_running_loop(), sockets, self.blocked_loop_timeout
                )
        return self

    async def close(self) -> None:
        if self._watch is not None:
            self._watch.stop()
        await super().close()

    async def restore(self) -> None:
        """Back to the state of a server just started with these settings: `reset()`, the
        clock at `settings.start_time`, the default scenario from the settings, no recorded
        errors. The same requests then get the same bytes as on a new server."""
        await self.reset()
        self.clock.rewind(self.settings.start_time)
        self.use_scenario(self.settings.scenario)
        self.engine.errors.clear()
        if self._watch is not None:
            self._watch.reports.clear()

    async def wait_for_callback(
        self, task_id: str, callback_type: str, *, within: float = DEFAULT_WAIT
    ) -> Delivery:
        """Advance the clock until `task_id`'s `callback_type` callback has been attempted;
        return that delivery (its attempts hold the receiver's answers)."""
        _check_callback_type(callback_type)
        _check_within(within)
        limit = self.clock.now() + within
        while True:
            for delivery in self.deliveries(task_id):
                if delivery.callback_type == callback_type and _attempted(delivery):
                    return delivery
            if not await self._step(limit):
                raise AssertionError(
                    f"no {callback_type!r} callback for task {task_id} within {within:g} s of "
                    f"mock time\n{self.describe(task_id)}"
                )

    async def wait_for_status(
        self, task_id: str, status: str, *, within: float = DEFAULT_WAIT
    ) -> Task:
        """Advance the clock until the task's record-info status is `status`; return the task."""
        _check_status(status)
        _check_within(within)
        limit = self.clock.now() + within
        while self.task(task_id).status != status:
            if not await self._step(limit):
                raise AssertionError(
                    f"task {task_id} never reached status {status!r} within {within:g} s of mock "
                    f"time; it is {self.task(task_id).status!r}\n{self.describe(task_id)}"
                )
        return self.task(task_id)

    async def _step(self, limit: float) -> bool:
        """Advance to the next timer if it falls before `limit`; False when there is none."""
        await self.clock.settle()
        due = self.clock.next_due()
        if due is None or due > limit:
            return False
        await self.clock.advance(max(0.0, due - self.clock.now()))
        return True

    def assert_callback_sequence(self, task_id: str, expected: Sequence[str]) -> None:
        """The task's callbacks, in the order they were sent, are exactly `expected`."""
        if isinstance(expected, str):
            raise TypeError(f"expected is a list of callback types, got the string {expected!r}")
        for callback_type in expected:
            _check_callback_type(callback_type)
        actual = [d.callback_type for d in self.deliveries(task_id)]
        if actual != list(expected):
            raise AssertionError(
                f"callbacks for task {task_id}: expected {list(expected)}, got {actual}\n"
                f"{self.describe(task_id)}"
            )

    def assert_requested(self, path: str, *, times: int | None = None) -> None:
        """`path` was requested (exactly `times` times, when given)."""
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/', like /api/v1/generate; got {path!r}")
        count = sum(r.path == path for r in self.requests)
        if (times is None and count == 0) or (times is not None and count != times):
            wanted = "at least once" if times is None else f"{times} time(s)"
            raise AssertionError(
                f"expected {path} to be requested {wanted}, it was {count} time(s)\n"
                f"{self.describe()}"
            )

    async def probe(
        self,
        url: str,
        *,
        only: list[str] | None = None,
        budget: float = DEFAULT_BUDGET,
        receiver_timeout: float | None = None,
    ) -> ProbeReport:
        """Run the `suno-mock probe` battery against your callback endpoint `url`, with this
        mock's seed, webhook_hmac_key, allow-list and callback_timeout; `assert report.ok,
        report.to_text()`. Uses real time (the receiver answers in real time), not the clock."""
        return await probe(
            url, settings=self.settings, only=only, budget=budget, receiver_timeout=receiver_timeout
        )

    def describe(self, task_id: str | None = None) -> str:
        """What the mock saw and did: requests received, callbacks attempted, in order."""
        lines = ["requests received:"]
        for record in self.requests:
            response = record.response if isinstance(record.response, dict) else {}
            lines.append(
                f"  {record.seq}. {record.method} {record.path} -> HTTP {record.http_status} "
                f"code={record.code} {response.get('msg', '')}".rstrip()
            )
        if not self.requests:
            lines.append("  (none)")
        deliveries = self.deliveries(task_id)
        lines.append("callbacks attempted" + (f" for task {task_id}:" if task_id else ":"))
        for delivery in deliveries:
            if not delivery.attempts:
                lines.append(
                    f"  {delivery.callback_type} task {delivery.task_id}: {delivery.state}"
                )
            for attempt in delivery.attempts:
                answer = f"HTTP {attempt.status}" if attempt.status is not None else attempt.error
                latency = f" in {attempt.latency_ms:.1f} ms" if attempt.latency_ms else ""
                body = f" answer {attempt.response_body!r}" if attempt.response_body else ""
                error = f" ({attempt.error})" if attempt.error and attempt.status else ""
                lines.append(
                    f"  {delivery.callback_type} #{attempt.number} task {delivery.task_id} -> "
                    f"{answer}{latency}{error}{body}"
                )
        if not deliveries:
            lines.append("  (none)")
        return "\n".join(lines)

    def teardown_problems(self) -> list[str]:
        """Why the test should fail at teardown: crashed handlers, deliveries in flight, a
        blocking client on the server's own event loop."""
        problems = [f"a request handler of the mock crashed: {err!r}" for err in self.engine.errors]
        problems += [f"a scheduled callback crashed: {err!r}" for err in self.clock.errors]
        in_flight = [
            f"{d.callback_type} for task {d.task_id}"
            for d in self.deliveries()
            if d.attempts and d.attempts[-1].outcome == "in_flight"
        ]
        if in_flight:
            problems.append(f"callbacks still in flight: {', '.join(in_flight)}")
        if self._watch is not None:
            problems += self._watch.reports
        if problems:
            problems.append(f"(to skip these checks: {OPT_OUT})")
        return problems


def _attempted(delivery: Delivery) -> bool:
    return delivery.state in ("dropped", "blocked") or any(
        a.outcome != "in_flight" for a in delivery.attempts
    )


def _listening_sockets(site: object) -> list[socket.socket]:
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

    A thread pings the loop every `poll` seconds. When a connection has been waiting to be
    accepted for `timeout` seconds and the loop has not run in that time, the loop's thread
    is blocked (typically by a synchronous client in an async test, which would otherwise
    wait forever): the watch accepts the connection itself, answers HTTP 500 with the
    explanation, and keeps a report naming where the loop's thread was stuck.
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
        self._poll = poll
        self._loop_thread = threading.get_ident()
        self._last_beat = time.monotonic()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="suno-mock-watch")
        self._thread.start()

    def _beat(self) -> None:
        self._last_beat = time.monotonic()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)
        for sock in self._sockets:
            sock.close()

    def _run(self) -> None:
        waiting_since: float | None = None
        while not self._stopped.wait(self._poll):
            try:
                self._loop.call_soon_threadsafe(self._beat)
            except RuntimeError:  # the loop is closed
                return
            try:
                ready = select.select(self._sockets, [], [], 0)[0]
            except (OSError, ValueError):  # the sockets were closed under us
                return
            now = time.monotonic()
            if not ready:
                waiting_since = None
                continue
            waiting_since = waiting_since or now
            if now - max(waiting_since, self._last_beat) >= self._timeout:
                self._answer(ready, now - self._last_beat)
                waiting_since = None

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


def _where(frame: FrameType | None) -> str:
    """The blocked thread's innermost frames of user code, and the call it is stuck in."""
    if frame is None:
        return ""
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


class SunoMockThread:
    """A SunoMock on its own event loop in a thread, for synchronous clients (`requests`).

    It has the helpers of `SunoMock`, as blocking methods; `mock` is the SunoMock itself (its
    state belongs to the server's thread: read it through these methods).
    """

    def __init__(self, settings: Settings | None = None, *, check_teardown: bool = True) -> None:
        self._settings = settings
        self._check = check_teardown
        self._thread = LoopThread("suno-mock")
        self._mock: SunoMock | None = None

    @property
    def mock(self) -> SunoMock:
        if self._mock is None:
            raise RuntimeError("SunoMockThread is not started; call start() first")
        return self._mock

    @property
    def url(self) -> str:
        """Where the server listens, e.g. http://127.0.0.1:54321."""
        return self.mock.url

    @property
    def api_url(self) -> str:
        """The base URL a client of the real API should be pointed at."""
        return self.mock.url

    @property
    def settings(self) -> Settings:
        return self.mock.settings

    @property
    def check_teardown(self) -> bool:
        return self._check

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the server's loop and wait for its result."""
        try:
            return self._thread.call(coroutine)
        except AssertionError as err:
            # The message says it all; the server thread's frames would only hide it.
            raise AssertionError(str(err)) from None

    def _run(self, function: Callable[[], T]) -> T:
        try:
            return self._thread.run(function)
        except AssertionError as err:
            raise AssertionError(str(err)) from None

    def start(self) -> Self:
        """Start the thread and the server; return once it is listening."""
        self._thread.start()

        async def boot() -> SunoMock:
            # No loop watch: this loop runs only the server, nothing can block it.
            mock = SunoMock(self._settings, check_teardown=self._check, blocked_loop_timeout=None)
            return await mock.start()

        self._mock = self.call(boot())
        return self

    def now(self) -> float:
        """The mock clock's time (epoch seconds)."""
        return self._run(self.mock.clock.now)

    def advance(self, seconds: float = 0.0, *, minutes: float = 0.0) -> None:
        """Move the manual clock (deliveries that fall due are made before this returns)."""
        self.call(self.mock.clock.advance(seconds, minutes=minutes))

    def run_until_idle(self) -> None:
        """Advance the clock through every pending timer."""
        self.call(self.mock.clock.run_until_idle())

    def wait_for_callback(
        self, task_id: str, callback_type: str, *, within: float = DEFAULT_WAIT
    ) -> Delivery:
        """See `SunoMock.wait_for_callback`."""
        _check_callback_type(callback_type)
        return self.call(self.mock.wait_for_callback(task_id, callback_type, within=within))

    def wait_for_status(self, task_id: str, status: str, *, within: float = DEFAULT_WAIT) -> Task:
        """See `SunoMock.wait_for_status`."""
        _check_status(status)
        return self.call(self.mock.wait_for_status(task_id, status, within=within))

    def assert_callback_sequence(self, task_id: str, expected: Sequence[str]) -> None:
        """See `SunoMock.assert_callback_sequence`."""
        self._run(lambda: self.mock.assert_callback_sequence(task_id, expected))

    def assert_requested(self, path: str, *, times: int | None = None) -> None:
        """See `SunoMock.assert_requested`."""
        self._run(lambda: self.mock.assert_requested(path, times=times))

    def describe(self, task_id: str | None = None) -> str:
        """See `SunoMock.describe`."""
        return self._run(lambda: self.mock.describe(task_id))

    def tasks(self) -> list[Task]:
        return self._run(self.mock.tasks)

    def task(self, task_id: str) -> Task:
        return self._run(lambda: self.mock.task(task_id))

    def deliveries(self, task_id: str | None = None) -> list[Delivery]:
        return self._run(lambda: self.mock.deliveries(task_id))

    @property
    def requests(self) -> list[RequestRecord]:
        """Every API request with the answer it got (a copy)."""
        return self._run(lambda: list(self.mock.requests))

    def use_scenario(self, name_or_path: str | None) -> None:
        """Run every following task under this scenario (None: plain success)."""
        self._run(lambda: self.mock.use_scenario(name_or_path))

    def next_task(self, *, scenario: str) -> None:
        """Run only the next task under `scenario`."""
        self._run(lambda: self.mock.next_task(scenario=scenario))

    def reset(self) -> int:
        """Forget all tasks, requests and deliveries; return how many pending were cancelled."""
        return self.call(self.mock.reset())

    def restore(self) -> None:
        """See `SunoMock.restore`."""
        self.call(self.mock.restore())

    def probe(
        self,
        url: str,
        *,
        only: list[str] | None = None,
        budget: float = DEFAULT_BUDGET,
        receiver_timeout: float | None = None,
    ) -> ProbeReport:
        """See `SunoMock.probe` (real time; the receiver must answer while this blocks, so use
        `callback_receiver_threaded` or an endpoint in another thread or process)."""
        return self.call(
            self.mock.probe(url, only=only, budget=budget, receiver_timeout=receiver_timeout)
        )

    def teardown_problems(self) -> list[str]:
        return self._run(self.mock.teardown_problems)

    def stop(self) -> None:
        if self._mock is not None:
            self.call(self._mock.close())
        self._thread.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
