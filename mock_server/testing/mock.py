"""`SunoMock`: a MockServer on a manual clock with wait and assertion helpers."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Self

from mock_server.core.clock import ManualClock
from mock_server.core.settings import Settings
from mock_server.delivery.journal import Delivery
from mock_server.server import MockServer
from mock_server.service.waits import (
    CALLBACK_TYPES,
    DEFAULT_WAIT,
    TASK_STATUSES,
    check_callback_type,
    check_status,
    describe,
    wait_for_callback,
    wait_for_status,
)
from mock_server.testing.loop_watch import LoopWatch, listening_sockets

if TYPE_CHECKING:
    from mock_server.families.music.store import Task
    from mock_server.probe import ProbeReport

__all__ = [
    "BLOCKED_LOOP_TIMEOUT",
    "CALLBACK_TYPES",
    "DEFAULT_WAIT",
    "TASK_STATUSES",
    "SunoMock",
    "check_callback_type",
    "check_status",
]

OPT_OUT = "@pytest.mark.suno_mock(check_teardown=False)"
BLOCKED_LOOP_TIMEOUT = 1.0
"""Real seconds a client may wait on a loop that does not run before it is answered with an
explanation (see `LoopWatch`)."""


class SunoMock(MockServer):
    """A started mock with a manual clock, for tests. See the pytest fixture `suno_mock`.

    `blocked_loop_timeout` (real seconds; None turns it off): a client that waits that long on
    this server while the event loop serving it does not run is answered HTTP 500 with an
    explanation, and the test fails at teardown; this is what a blocking client such as
    `requests` does when it is called from an async test (use `suno_mock_threaded` instead).
    """

    clock: ManualClock

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        check_teardown: bool = True,
        blocked_loop_timeout: float | None = BLOCKED_LOOP_TIMEOUT,
    ) -> None:
        settings = settings or Settings()
        super().__init__(settings, clock=ManualClock(settings.start_time))
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
            sockets = [s for site in self._runner.sites for s in listening_sockets(site)]
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
        await self.engine.restore()
        if self._watch is not None:
            self._watch.reports.clear()

    async def wait_for_callback(
        self,
        task_id: str,
        callback_type: str,
        *,
        within: float = DEFAULT_WAIT,
        accept_failed: bool = False,
    ) -> Delivery:
        """Advance the clock until the receiver accepted (HTTP 200) `task_id`'s `callback_type`
        callback, retries included; return that delivery. A delivery that failed for good
        (retries exhausted, blocked, dropped) or still fails when `within` runs out raises
        AssertionError saying what was sent and answered. `accept_failed=True` returns the
        delivery once its first attempt ended, whatever the answer (its attempts hold them)."""
        __tracebackhide__ = True
        waited = await wait_for_callback(
            self.engine, self.clock, task_id, callback_type, within, accept_failed=accept_failed
        )
        if waited.delivery is None:
            raise AssertionError(f"{waited.reason}\n{self.describe(task_id)}")
        return waited.delivery

    async def wait_for_status(
        self, task_id: str, status: str, *, within: float = DEFAULT_WAIT
    ) -> Task:
        """Advance the clock until the task's record-info status is `status`; return the task."""
        __tracebackhide__ = True
        check_status(status)
        waited = await wait_for_status(self.engine, self.clock, self.task(task_id), status, within)
        if not waited.reached:
            raise AssertionError(f"{waited.reason}\n{self.describe(task_id)}")
        return self.task(task_id)

    def assert_callback_sequence(self, task_id: str, expected: Sequence[str]) -> None:
        """The task's callbacks, in the order they were sent, are exactly `expected`."""
        __tracebackhide__ = True
        if isinstance(expected, str):
            raise TypeError(f"expected is a list of callback types, got the string {expected!r}")
        for callback_type in expected:
            check_callback_type(callback_type)
        actual = [d.callback_type for d in self.deliveries(task_id)]
        if actual != list(expected):
            raise AssertionError(
                f"callbacks for task {task_id}: expected {list(expected)}, got {actual}\n"
                f"{self.describe(task_id)}"
            )

    def assert_requested(self, path: str, *, times: int | None = None) -> None:
        """`path` was requested (exactly `times` times, when given)."""
        __tracebackhide__ = True
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
        budget: float | None = None,
        receiver_timeout: float | None = None,
    ) -> ProbeReport:
        """Run the `suno-mock probe` battery against your callback endpoint `url`, with this
        mock's seed, webhook_hmac_key, allow-list and callback_timeout; `assert report.ok,
        report.to_text()`. Uses real time (the receiver answers in real time), not the clock.
        `budget` (real seconds before an answer is a warning) defaults to the probe's 5 s."""
        # The battery builds every backend: imported here, so a test that never probes
        # does not pay for it at its first fixture use.
        from mock_server.probe import DEFAULT_BUDGET, probe

        return await probe(
            url,
            settings=self.settings,
            only=only,
            budget=DEFAULT_BUDGET if budget is None else budget,
            receiver_timeout=receiver_timeout,
        )

    def describe(self, task_id: str | None = None) -> str:
        """What the mock saw and did: requests received, callbacks attempted, in order."""
        return describe(self.journal, task_id)

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
