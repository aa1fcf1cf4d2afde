"""MockServer: a started mock on a real socket; used by tests, the CLI and users' code."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from aiohttp import web

from mock_server.app import create_app
from mock_server.core.clock import Clock, ManualClock
from mock_server.core.errors import ScenarioError
from mock_server.core.net import Exposure
from mock_server.core.settings import Settings
from mock_server.delivery.journal import Delivery, Journal, RequestRecord
from mock_server.http.keys import ENGINE, EXPOSURE
from mock_server.http.listener import Listener
from mock_server.service.engine import Engine

if TYPE_CHECKING:
    from mock_server.families.music.store import Task

__all__ = ["MockServer"]

log = logging.getLogger(__name__)


class MockServer(Listener):
    """The mock listening on `host:port` (port 0 picks a free one).

    Without a clock it uses a `ManualClock` starting at `settings.start_time`, which is what tests
    want; the dev server passes a `ScaledClock`.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        clock: Clock | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.settings = settings or Settings()
        self.clock: Clock = clock or ManualClock(self.settings.start_time)
        self.app = create_app(self.settings, self.clock)
        self.exposure = Exposure.of(host, self.settings.control_token)
        """Where it listens and the control plane's token (generated off loopback)."""
        self.app[EXPOSURE] = self.exposure
        self.keepalive_timeout = self.settings.header_read_timeout
        super().__init__(host, port)

    @property
    def control_token(self) -> str | None:
        """What /__mock__/ requires in X-Suno-Mock-Token (None: no token needed)."""
        return self.exposure.token

    async def start(self) -> Self:
        await super().start()
        if not self.exposure.loopback:
            log.warning(
                "listening on %s, a non-loopback address: anyone who can reach it can call the "
                "API; the /__mock__/ control plane requires the token (X-Suno-Mock-Token)",
                self.host,
            )
        return self

    def build_app(self) -> web.Application:
        return self.app

    @property
    def engine(self) -> Engine:
        return self.app[ENGINE]

    @property
    def journal(self) -> Journal:
        return self.engine.journal

    def tasks(self) -> list[Task]:
        return self.engine.music.store.all()

    def task(self, task_id: str) -> Task:
        found = self.engine.music.store.get(task_id)
        if found is None:
            known = ", ".join(t.id for t in self.tasks()) or "none"
            raise KeyError(f"no task {task_id!r}; known tasks: {known}")
        return found

    def deliveries(self, task_id: str | None = None) -> list[Delivery]:
        return self.journal.deliveries(task_id)

    @property
    def requests(self) -> list[RequestRecord]:
        return self.journal.requests

    def use_scenario(self, name_or_path: str | None) -> None:
        """Run every following task under this scenario (None: plain success)."""
        __tracebackhide__ = True  # a misspelt name is the test's mistake: show its line only
        try:
            self.engine.scenarios.set_default(name_or_path)
        except ScenarioError as err:
            raise ScenarioError(str(err)) from None

    def next_task(self, *, scenario: str) -> None:
        """Run only the next task under `scenario` (queued ones go first, in order)."""
        __tracebackhide__ = True
        try:
            self.engine.scenarios.queue(scenario)
        except ScenarioError as err:
            raise ScenarioError(str(err)) from None

    async def reset(self) -> int:
        """Forget all tasks, requests and deliveries; return how many pending were cancelled."""
        return await self.engine.reset()
