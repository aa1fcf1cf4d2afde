"""Suno Voice (`/api/v1/voice/*`): a custom voice made from a recording, in two tasks.

1. `validate` takes the singer's recording; after `job_delay` its task waits for the user to
   record a validation phrase (`wait_validating`, phrase in `validateInfo`). `regenerate`
   makes a new phrase for the same task.
2. `generate` takes that task and the recording of the phrase; after `job_delay` its own task
   is `success` with a `voiceId`, which generation endpoints accept as `personaId` with
   `personaModel: voice_persona`. The phrase is used up, and the validation task is `success`
   too (the whole flow is done).

Rules live here, state in `store.py`, bodies in `payloads.py`; callbacks go through the
dispatcher (docs/api.md, "Suno Voice").
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Any

from mock_server.core.clock import Clock
from mock_server.core.encoding import encode
from mock_server.core.errors import InvalidParameters, require
from mock_server.core.events import EventHub, JobChanged
from mock_server.delivery.dispatcher import Dispatcher
from mock_server.families.family import Backend, BackendKey, Parts
from mock_server.families.voice.payloads import (
    NO_ERROR,
    validation_phrase,
    voice_callback,
    voice_id_for,
)
from mock_server.families.voice.store import KEPT, NAMES, VoiceKind, VoiceTask

__all__ = ["VOICE", "VoiceService", "build"]


class VoiceService(Backend):
    """The voice tasks of one server, driven by its clock. It does not hear
    `DeliveryExhausted`: voice tasks have no status for a callback whose retries ran out."""

    def __init__(
        self,
        seed: int,
        clock: Clock,
        dispatcher: Dispatcher,
        delay: float,
        events: EventHub,
    ) -> None:
        self._seed = seed
        self._clock = clock
        self._dispatcher = dispatcher
        self._delay = delay
        self._events = events
        self._tasks: OrderedDict[str, VoiceTask] = OrderedDict()
        self._count = 0

    def _new(self, kind: VoiceKind, callback_url: str) -> VoiceTask:
        self._count += 1
        text = f"suno-mock/{self._seed}/voice-{kind}/{self._count}"
        task_id = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
        task = VoiceTask(task_id, kind, callback_url, self._clock.now())
        self._tasks[task.id] = task
        if len(self._tasks) > KEPT:
            self._tasks.popitem(last=False)
        return task

    def _get(self, task_id: str, kind: VoiceKind, field: str = "taskId") -> VoiceTask:
        task = self._tasks.get(task_id)
        found = task if task is not None and task.kind == kind else None
        return require(found, NAMES[kind], task_id, field=field)

    # The operations, one per endpoint.

    def validate(self, callback_url: str) -> VoiceTask:
        """POST /api/v1/voice/validate: the phrase comes after `job_delay`."""
        task = self._new("validate", callback_url)
        self._clock.call_later(self._delay, self._phrase_ready, task)
        self._events.publish(JobChanged(task.id))
        return task

    def regenerate(self, task_id: str, callback_url: str) -> VoiceTask:
        """POST /api/v1/voice/regenerate: a new phrase for a validation task."""
        task = self._get(task_id, "validate")
        if task.status not in ("wait_validating", "processing_validate_fail"):
            raise InvalidParameters(
                f"taskId: voice validation task {task_id} is {task.status}; a new phrase can "
                "be made once the first is ready (wait_validating)"
            )
        task.status, task.phrase = "processing_validate", ""
        if callback_url:
            task.callback_url = callback_url
        self._clock.call_later(self._delay, self._phrase_ready, task)
        self._events.publish(JobChanged(task.id))
        return task

    def generate(self, task_id: str, callback_url: str) -> VoiceTask:
        """POST /api/v1/voice/generate: the voice comes after `job_delay`, in a new task."""
        validation = self._get(task_id, "validate")
        if validation.status != "wait_validating":
            raise InvalidParameters(
                f"taskId: voice validation task {task_id} is {validation.status}; generate "
                "needs its phrase recorded while it is wait_validating (see validate-info)"
            )
        validation.status = "processing_validate"  # the phrase is used up
        task = self._new("generate", callback_url)
        task.validation_id = validation.id
        self._clock.call_later(self._delay, self._voice_ready, task)
        self._events.publish(JobChanged(task.id))
        return task

    def validate_info(self, task_id: str) -> dict[str, Any]:
        """GET /api/v1/voice/validate-info"""
        task = self._get(task_id, "validate")
        return {
            "taskId": task.id,
            "validateInfo": task.phrase,
            "status": task.status,
            **NO_ERROR,
        }

    def record_info(self, task_id: str) -> dict[str, Any]:
        """GET /api/v1/voice/record-info"""
        task = self._get(task_id, "generate")
        return {
            "taskId": task.id,
            "voiceId": task.voice_id,
            "status": task.status,
            **NO_ERROR,
        }

    def check(self, task_id: str) -> dict[str, bool]:
        """POST /api/v1/voice/check-voice: whether the flow behind a task made a usable voice."""
        task = require(self._tasks.get(task_id), "voice task", task_id, field="task_id")
        return {"isAvailable": task.status == "success"}

    # Timers.

    async def _phrase_ready(self, task: VoiceTask) -> None:
        task.phrases += 1
        task.phrase, task.status = validation_phrase(task.id, task.phrases), "wait_validating"
        self._events.publish(JobChanged(task.id))
        kind = "validate" if task.phrases == 1 else "regenerate"
        await self._send(task, kind, {"validateInfo": task.phrase})

    async def _voice_ready(self, task: VoiceTask) -> None:
        task.voice_id, task.status = voice_id_for(task.id), "success"
        validation = self._tasks.get(task.validation_id)
        if validation is not None:
            validation.status = "success"
        self._events.publish(JobChanged(task.id))
        await self._send(task, "generate", {"voiceId": task.voice_id})

    async def _send(self, task: VoiceTask, kind: str, fields: dict[str, Any]) -> None:
        if not task.callback_url:
            return
        body = encode(voice_callback(task.id, task.status, **fields))
        await self._dispatcher.deliver(task.id, kind, task.callback_url, body)


def build(parts: Parts) -> VoiceService:
    """The voice backend, with nothing in it."""
    return VoiceService(
        parts.settings.seed, parts.clock, parts.dispatcher, parts.settings.job_delay, parts.events
    )


VOICE = BackendKey("voice", VoiceService)
"""How the voice handlers reach this backend."""
