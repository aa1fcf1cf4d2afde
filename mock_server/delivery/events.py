"""What callback delivery tells the rest of the mock (published on the `EventHub`)."""

from __future__ import annotations

from dataclasses import dataclass

from mock_server.core.events import Event, Wire
from mock_server.delivery.journal import Attempt, Delivery

__all__ = ["AttemptEnded", "DeliveryExhausted"]


@dataclass(slots=True)
class AttemptEnded(Event):
    """An attempt to deliver a callback ended (attempt None: the callback was dropped)."""

    delivery: Delivery
    attempt: Attempt | None

    def wire(self) -> Wire:
        return {"type": "delivery", "id": self.delivery.task_id}


@dataclass(slots=True)
class DeliveryExhausted(Event):
    """A callback's retries ran out. Its task's owner marks the task (task, job and voice ids
    are made from different texts, so an id names one owner)."""

    delivery: Delivery
