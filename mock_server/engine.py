"""The composition root: one per server, built from `Settings` and a clock.

Services live as long as the server: the clock, the journal, the dispatcher (and its
connections), the source fetcher, the event hub and the scenario library. The families' state
lives in their backends (`mock_server.backends`): the account, music tasks, jobs, synchronous
operations, Suno Voice and the File Upload store. `reset()` builds the backends anew, so a store
added to a backend is reset without anyone remembering to clear it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mock_server.backends.account import Account
from mock_server.backends.jobs import Jobs
from mock_server.backends.music import Music
from mock_server.backends.sync_ops import SyncOps
from mock_server.backends.uploads import Uploads
from mock_server.backends.voice import VoiceService
from mock_server.callbacks import Dispatcher
from mock_server.clock import Clock, ManualClock
from mock_server.delivery_events import AttemptEnded
from mock_server.events import EventHub, Reset
from mock_server.inbox import Inbox
from mock_server.journal import Journal
from mock_server.media.sources import SourceFetcher
from mock_server.media.synth import forget_made
from mock_server.net import LoopbackHint
from mock_server.script import ScenarioLibrary
from mock_server.settings import Settings
from mock_server.wire.common import forget_urls

__all__ = ["Engine"]

log = logging.getLogger(__name__)


class Engine:
    """The services and backends of one server, driven by one clock."""

    account: Account
    music: Music
    jobs: Jobs
    ops: SyncOps
    voices: VoiceService
    uploads: Uploads

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.events = EventHub()
        """How the parts tell each other, and the dashboard, what happened."""
        self.journal = Journal(
            settings.journal_limit,
            body_bytes=settings.journal_body_bytes,
            total_bytes=settings.journal_bytes,
            events=self.events,
        )
        self.dispatcher = Dispatcher(clock, settings, self.journal)
        self.loopback_hint = LoopbackHint()
        self.events.on(AttemptEnded, self._failed)
        self._wired = self.events.scope()
        """The backends' subscriptions: a reset's new backends replace them."""
        self.sources = SourceFetcher(settings)
        self.scenarios = ScenarioLibrary(
            [Path(d) for d in settings.scenario_dirs],
            default=settings.scenario,
            max_bytes=settings.scenario_max_bytes,
        )
        self.inbox = Inbox()
        self.errors: list[BaseException] = []
        """Exceptions that escaped a handler (bugs in the mock), for tests to check."""
        self._build()

    def _failed(self, event: AttemptEnded) -> None:
        delivery, attempt = event.delivery, event.attempt
        if attempt is not None and attempt.outcome == "failed":
            answered, simulated = attempt.status is not None, delivery.simulate is not None
            self.loopback_hint.failed(delivery.url, answered=answered, simulated=simulated)

    def _build(self, numbers_after: int = 0) -> None:
        """The backends, with nothing in them (task numbers going on after `numbers_after`)."""
        settings, clock = self.settings, self.clock
        self._wired.drop()
        self._wired = events = self.events.scope()
        self.account = Account(settings, clock)
        self.music = Music(
            settings, clock, self.account, (self.journal, self.dispatcher, events),
            self.scenarios, self.sources, numbers_after,
        )  # fmt: skip
        self.jobs = Jobs(
            settings, clock, self.account, self.music, (self.dispatcher, events), self.sources
        )
        self.ops = SyncOps(settings, clock, self.account, self.music, self.jobs.store)
        self.voices = VoiceService(
            settings.seed, clock, self.dispatcher, settings.job_delay, events
        )
        self.uploads = Uploads(settings, clock, self.sources)

    async def start(self) -> None:
        await self.dispatcher.start()
        await self.sources.start()

    async def close(self) -> int:
        """Cancel everything pending; return how many timers/deliveries were cancelled."""
        self.music.stop()
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
        old = self.music
        self._build(numbers_after=old.store.last_number)
        old.stop()
        old.store.discard()  # a large store is freed a slice at a time
        self.journal.clear()
        self.inbox.clear()
        self.scenarios.reset()
        self.scenarios.set_default(self.settings.scenario)
        self.sources.forget()  # and the module-level caches: a reset frees what they hold
        forget_urls()
        forget_made()
        self.events.publish(Reset())
        return cancelled

    async def restore(self) -> int:
        """Back to the state of a server just started with these settings: `reset()`, a manual
        clock at `settings.start_time`, the settings' default scenario, no recorded errors. The
        same requests then get the same bytes as on a new server. A scaled clock (the dev
        server's real time) cannot be set back: `TypeError`."""
        if not isinstance(self.clock, ManualClock):
            raise TypeError("only a manual clock can be set back to its start")
        cancelled = await self.reset()
        self.clock.rewind(self.settings.start_time)
        self.scenarios.set_default(self.settings.scenario)
        self.errors.clear()
        return cancelled
