"""`SunoMockThread`: a SunoMock on its own event loop in a thread, for synchronous clients."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

from mock_server.core.errors import ScenarioError
from mock_server.core.settings import Settings
from mock_server.delivery.journal import Delivery, RequestRecord
from mock_server.testing.loop_thread import LoopThread
from mock_server.testing.mock import DEFAULT_WAIT, SunoMock, check_callback_type, check_status

if TYPE_CHECKING:
    from mock_server.families.music.store import Task
    from mock_server.probe import ProbeReport

__all__ = ["SunoMockThread"]

T = TypeVar("T")


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
        __tracebackhide__ = True
        try:
            return self._thread.call(coroutine)
        except (AssertionError, ScenarioError) as err:
            # The message says it all; the server thread's frames would only hide it.
            raise type(err)(str(err)) from None

    def _run(self, function: Callable[[], T]) -> T:
        __tracebackhide__ = True
        try:
            return self._thread.run(function)
        except (AssertionError, ScenarioError) as err:
            raise type(err)(str(err)) from None

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
        self,
        task_id: str,
        callback_type: str,
        *,
        within: float = DEFAULT_WAIT,
        accept_failed: bool = False,
    ) -> Delivery:
        """See `SunoMock.wait_for_callback`."""
        __tracebackhide__ = True
        check_callback_type(callback_type)
        waited = self.mock.wait_for_callback(
            task_id, callback_type, within=within, accept_failed=accept_failed
        )
        return self.call(waited)

    def wait_for_status(self, task_id: str, status: str, *, within: float = DEFAULT_WAIT) -> Task:
        """See `SunoMock.wait_for_status`."""
        __tracebackhide__ = True
        check_status(status)
        return self.call(self.mock.wait_for_status(task_id, status, within=within))

    def assert_callback_sequence(self, task_id: str, expected: Sequence[str]) -> None:
        """See `SunoMock.assert_callback_sequence`."""
        __tracebackhide__ = True
        self._run(lambda: self.mock.assert_callback_sequence(task_id, expected))

    def assert_requested(self, path: str, *, times: int | None = None) -> None:
        """See `SunoMock.assert_requested`."""
        __tracebackhide__ = True
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
        __tracebackhide__ = True
        self._run(lambda: self.mock.use_scenario(name_or_path))

    def next_task(self, *, scenario: str) -> None:
        """Run only the next task under `scenario`."""
        __tracebackhide__ = True
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
        budget: float | None = None,
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
