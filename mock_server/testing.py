"""Test helpers: `SunoMock` (a MockServer on a manual clock with wait and assertion helpers) and
`SunoMockThread` (the same in its own thread, for synchronous clients such as `requests`).

Helpers never sleep blindly: they drive the manual clock from one timer to the next. On failure
they say what did happen: the requests received and the callbacks attempted, in order.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, Self, TypeVar

from mock_server.clock import ManualClock
from mock_server.journal import Delivery
from mock_server.probe import DEFAULT_BUDGET, ProbeReport, probe
from mock_server.server import MockServer
from mock_server.settings import Settings

__all__ = ["SunoMock", "SunoMockThread"]

T = TypeVar("T")
DEFAULT_WAIT = 3600.0
"""Mock seconds a wait helper may move the clock forward before it gives up."""
OPT_OUT = "@pytest.mark.suno_mock(check_teardown=False)"


class SunoMock(MockServer):
    """A started mock with a manual clock, for tests. See the pytest fixture `suno_mock`."""

    clock: ManualClock

    def __init__(self, settings: Settings | None = None, *, check_teardown: bool = True) -> None:
        settings = settings or Settings()
        super().__init__(settings, clock=ManualClock(settings.start_time))
        self.check_teardown = check_teardown

    @property
    def api_url(self) -> str:
        """The base URL a client of the real API should be pointed at."""
        return self.url

    async def wait_for_callback(
        self, task_id: str, callback_type: str, *, within: float = DEFAULT_WAIT
    ) -> Delivery:
        """Advance the clock until `task_id`'s `callback_type` callback has been attempted;
        return that delivery (its attempts hold the receiver's answers)."""
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
    ) -> None:
        """Advance the clock until the task's record-info status is `status`."""
        limit = self.clock.now() + within
        while self.task(task_id).status != status:
            if not await self._step(limit):
                raise AssertionError(
                    f"task {task_id} never reached status {status!r} within {within:g} s of mock "
                    f"time; it is {self.task(task_id).status!r}\n{self.describe(task_id)}"
                )

    async def _step(self, limit: float) -> bool:
        """Advance to the next timer if it falls before `limit`; False when there is none."""
        await self.clock.settle()
        due = self.clock.next_due()
        if due is None or due > limit:
            return False
        await self.clock.advance(max(0.0, due - self.clock.now()))
        return True

    def assert_callback_sequence(self, task_id: str, expected: list[str]) -> None:
        """The task's callbacks, in the order they were sent, are exactly `expected`."""
        actual = [d.callback_type for d in self.deliveries(task_id)]
        if actual != expected:
            raise AssertionError(
                f"callbacks for task {task_id}: expected {expected}, got {actual}\n"
                f"{self.describe(task_id)}"
            )

    def assert_requested(self, path: str, *, times: int | None = None) -> None:
        """`path` was requested (exactly `times` times, when given)."""
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
        """Why the test should fail at teardown: crashed handlers, deliveries in flight."""
        problems = [f"a request handler of the mock crashed: {err!r}" for err in self.engine.errors]
        problems += [f"a scheduled callback crashed: {err!r}" for err in self.clock.errors]
        in_flight = [
            f"{d.callback_type} for task {d.task_id}"
            for d in self.deliveries()
            if d.attempts and d.attempts[-1].outcome == "in_flight"
        ]
        if in_flight:
            problems.append(f"callbacks still in flight: {', '.join(in_flight)}")
        if problems:
            problems.append(f"(to skip these checks: {OPT_OUT})")
        return problems


def _attempted(delivery: Delivery) -> bool:
    return delivery.state in ("dropped", "blocked") or any(
        a.outcome != "in_flight" for a in delivery.attempts
    )


class SunoMockThread:
    """A SunoMock running on its own event loop in a thread, for synchronous clients."""

    def __init__(self, settings: Settings | None = None, *, check_teardown: bool = True) -> None:
        self._settings = settings
        self._check = check_teardown
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, daemon=True, name="suno-mock"
        )
        self._mock: SunoMock | None = None

    @property
    def mock(self) -> SunoMock:
        if self._mock is None:
            raise RuntimeError("SunoMockThread is not started; call start() first")
        return self._mock

    @property
    def url(self) -> str:
        return self.mock.url

    @property
    def api_url(self) -> str:
        return self.mock.url

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the server's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def start(self) -> Self:
        """Start the thread and the server; return once it is listening."""
        self._thread.start()

        async def boot() -> SunoMock:
            return await SunoMock(self._settings, check_teardown=self._check).start()

        self._mock = self.call(boot())
        return self

    def advance(self, seconds: float = 0.0, *, minutes: float = 0.0) -> None:
        """Move the manual clock (deliveries that fall due are made before this returns)."""
        self.call(self.mock.clock.advance(seconds, minutes=minutes))

    def wait_for_callback(
        self, task_id: str, callback_type: str, *, within: float = DEFAULT_WAIT
    ) -> Delivery:
        return self.call(self.mock.wait_for_callback(task_id, callback_type, within=within))

    def stop(self) -> None:
        if self._mock is not None:
            self.call(self._mock.close())
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
