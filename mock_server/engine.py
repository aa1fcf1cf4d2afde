"""The engine: accepts tasks, walks them through their stages on the clock, calls back.

One per server. It owns the store, the journal and the dispatcher, so handlers and the control
plane talk to exactly one object.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from mock_server.api.wire import ExtendRequest, MusicRequest
from mock_server.callbacks import Dispatcher
from mock_server.catalog import STAGES, Operation, Stage
from mock_server.clock import Clock
from mock_server.errors import InvalidParameters
from mock_server.journal import Delivery, Journal
from mock_server.payloads import encode, record_info, stage_callback
from mock_server.settings import Settings
from mock_server.tasks import Task, TaskStore
from mock_server.tracks import TrackFactory, TrackRequest

__all__ = ["Engine"]

log = logging.getLogger(__name__)


class Engine:
    """Tasks, callbacks, journal and account, driven by one clock."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.journal = Journal()
        self.store = TaskStore(TrackFactory(settings.seed), settings.credits)
        self.dispatcher = Dispatcher(clock, settings, self.journal)
        # Bound once: a timer a task must not mean a new method object a task.
        self._fire = self._fire_stage
        self.errors: list[BaseException] = []
        """Exceptions that escaped a handler (bugs in the mock), for tests to check."""

    async def start(self) -> None:
        await self.dispatcher.start()

    async def close(self) -> int:
        """Cancel everything pending; return how many timers/deliveries were cancelled."""
        cancelled = await self.clock.shutdown()
        if cancelled:
            log.info("shutdown: cancelled %d pending stage/retry timers or deliveries", cancelled)
        await self.dispatcher.close()
        return cancelled

    async def reset(self) -> int:
        """Forget every task, request and delivery; cancel what was pending; restore credits."""
        cancelled = await self.clock.shutdown()
        self.journal.clear()
        self.store.reset()
        return cancelled

    def submit_request(self, body: MusicRequest, raw: dict[str, Any], base_url: str) -> Task:
        """Accept a validated music request: check it against known audio, then submit."""
        parent = ""
        tracks = body.tracks()
        continue_at = getattr(body, "continueAt", None)
        if isinstance(body, ExtendRequest):
            source = self.store.require_source(body.audioId, body.model)
            limit = source.track.duration if source else self.settings.default_source_duration
            parent = body.audioId
            if source and not body.defaultParamFlag:
                # Settings are inherited from the source track.
                tracks = replace(
                    tracks,
                    title=source.track.title,
                    style=source.track.tags,
                    lyrics=source.track.prompt or None,
                )
        else:
            limit = self.settings.default_upload_duration
        if continue_at is not None and not 0 < continue_at < limit:
            raise InvalidParameters(
                f"continueAt: must be greater than 0 and less than the source audio's duration "
                f"({limit:g} s), got {continue_at:g}"
            )
        return self.submit(
            body.operation,
            raw,
            tracks=tracks,
            callback_url=body.callBackUrl,
            base_url=base_url,
            parent_music_id=parent,
        )

    def submit(
        self,
        operation: Operation,
        request: dict[str, Any],
        *,
        tracks: TrackRequest,
        callback_url: str,
        base_url: str,
        parent_music_id: str = "",
    ) -> Task:
        """Create a task (charging credits) and schedule its stages."""
        task = self.store.create(
            operation=operation,
            request=request,
            tracks=tracks,
            callback_url=callback_url,
            base_url=base_url,
            now=self.clock.now(),
            cost=self.settings.task_cost,
            parent_music_id=parent_music_id,
        )
        self._schedule_stage(task, 0)
        return task

    def _schedule_stage(self, task: Task, index: int) -> None:
        """Set a timer for the stage at `index`; each stage sets the next (one timer a task)."""
        if index < len(STAGES):
            delay = getattr(self.settings.stage_delays, STAGES[index])
            self.clock.call_at(task.created_at + delay, self._fire, task, index)

    async def _fire_stage(self, task: Task, index: int) -> None:
        self._schedule_stage(task, index + 1)
        await self._reach(task, STAGES[index])

    async def _reach(self, task: Task, stage: Stage) -> Delivery:
        task.reach(stage, self.clock.now())
        body = encode(stage_callback(task, stage, self.settings))
        return await self.dispatcher.deliver(
            task.id, stage, task.callback_url, body, self._exhausted
        )

    def _exhausted(self, delivery: Delivery) -> None:
        task = self.store.get(delivery.task_id)
        if task is not None:
            task.callback_exhausted(delivery.callback_type, self.clock.now())

    def record_info(self, task: Task) -> dict[str, Any]:
        return record_info(task, self.settings)
