"""The composition root: one per server, built from `Settings` and a clock, knowing the
families only by name (`mock_server.families.table`).

Services live as long as the server: the clock, the journal, the dispatcher (and its
connections), the source fetcher, the event hub and the scenario library. The families' state
lives in their backends, each built by its family (`mock_server.families.table.declared`): the
account, music tasks, jobs, synchronous operations, Suno Voice and the File Upload store.
`reset()` builds the backends anew, so a store added to a backend is reset without anyone
remembering to clear it. A backend is built when it is first asked for, after the ones it
needs: a test that never reaches a family never imports it (see docs/performance.md,
"Families imported when first reached").
"""

from __future__ import annotations

import logging
import threading

from mock_server.core.clock import Clock, ManualClock
from mock_server.core.events import Reset
from mock_server.core.memo import forget_memos
from mock_server.core.net import LoopbackHint
from mock_server.core.settings import Settings
from mock_server.core.wire import forget_urls
from mock_server.delivery.events import AttemptEnded
from mock_server.delivery.inbox import Inbox
from mock_server.families.family import Backend, Parts, services
from mock_server.families.table import declared
from mock_server.media.synth import forget_made

__all__ = ["Backends", "Composition"]

log = logging.getLogger(__name__)


class Backends(dict[str, Backend]):
    """Each family's backend by family name, built from `parts` when first asked for (its
    family's `build`, after the backends it `needs`). Iterating sees the ones built so far: a
    backend never asked for holds nothing to stop or reset. A build holds a lock: a test's
    thread may ask for a backend while `SunoMockThread`'s server builds the same one."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: Parts | None = None
        self._building = threading.RLock()

    def __missing__(self, name: str) -> Backend:
        with self._building:
            if name in self:  # built by another thread meanwhile
                return self[name]
            family = declared(name)
            if family.build is None or self.parts is None:
                raise KeyError(name)
            for need in family.needs:  # built before the backend that reads them
                if need not in self:
                    self.__missing__(need)
            backend = self[name] = family.build(self.parts)
            return backend


class Composition:
    """The services and backends of one server, driven by one clock. `Engine` adds a typed
    name for each family's backend."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.parts = services(settings, clock)
        self.journal = self.parts.journal
        self.events = self.parts.events
        self.dispatcher = self.parts.dispatcher
        self.sources = self.parts.sources
        self.scenarios = self.parts.scenarios
        self.loopback_hint = LoopbackHint()
        self.events.on(AttemptEnded, self._failed)
        self._wired = self.events.scope()
        """The backends' subscriptions: a reset's new backends replace them."""
        self.inbox = Inbox()
        self.backends = Backends()
        """Each family's backend by family name, built on first use."""
        self.errors: list[BaseException] = []
        """Exceptions that escaped a handler (bugs in the mock), for tests to check."""
        self._build()

    def _failed(self, event: AttemptEnded) -> None:
        delivery, attempt = event.delivery, event.attempt
        if attempt is not None and attempt.outcome == "failed":
            answered, simulated = attempt.status is not None, delivery.simulate is not None
            self.loopback_hint.failed(delivery.url, answered=answered, simulated=simulated)

    def _build(self, numbers_after: int = 0) -> None:
        """New backends, with nothing in them (task numbers going on after `numbers_after`),
        each built when first asked for. The dict is emptied, not replaced: the app's handlers
        hold it (`BACKENDS`)."""
        self.backends.clear()
        self._wired.drop()
        self._wired = self.events.scope()
        parts = self.parts  # by hand, not `dataclasses.replace`: a server's start pays it
        self.backends.parts = Parts(
            parts.settings, parts.clock, parts.journal, parts.dispatcher, self._wired,
            parts.scenarios, parts.sources, self.backends, numbers_after,
        )  # fmt: skip

    async def start(self) -> None:
        await self.dispatcher.start()
        await self.sources.start()

    async def close(self) -> int:
        """Cancel everything pending; return how many timers/deliveries were cancelled."""
        for backend in self.backends.values():
            backend.stop()
        cancelled = await self.clock.shutdown()
        if cancelled:
            log.info("shutdown: cancelled %d pending stage/retry timers or deliveries", cancelled)
        await self.dispatcher.close()
        await self.sources.close()
        return cancelled

    async def reset(self) -> int:
        """Back to the start state: forget every task, request, delivery and inbox callback,
        cancel what was pending, restore credits and the default scenario of the settings (one
        set at run time by the control plane or `use_scenario` is forgotten too)."""
        cancelled = await self.clock.shutdown()
        old = list(self.backends.values())
        self._build(numbers_after=max((b.last_number for b in old), default=0))
        for backend in old:
            backend.stop()
            backend.discard()  # a large store is freed a slice at a time
        self.journal.clear()
        self.inbox.clear()
        self.scenarios.reset()
        self.scenarios.set_default(self.settings.scenario)
        self.sources.forget()  # and the module-level caches: a reset frees what they hold
        forget_urls()
        forget_made()
        forget_memos()
        self.events.publish(Reset())
        return cancelled

    async def restore(self) -> int:
        """Back to the state of a server just started with these settings: `reset()`, a manual
        clock at `settings.start_time`, the settings' default scenario, no recorded errors. The
        same requests then get the same bytes as on a new server. A scaled clock (the dev
        server's real time) cannot be set back: `TypeError`."""
        if not isinstance(self.clock, ManualClock):
            raise TypeError("only a manual clock can be set back to its start")
        cancelled = await self.reset()  # the settings' default scenario included
        self.clock.rewind(self.settings.start_time)
        self.errors.clear()
        return cancelled
