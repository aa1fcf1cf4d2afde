"""Waiting on a manual clock: advance it timer by timer until a task's callback has been
attempted or its record-info status is reached, or say why not and what the mock saw.

One place for the rules and the failure text, shared by the Python helpers (`SunoMock`) and the
control plane's `POST /__mock__/wait`, which the Node kit (clients/node) calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, get_args

from mock_server.core.catalog import TaskStatus
from mock_server.core.clock import ManualClock
from mock_server.core.hints import mistake
from mock_server.delivery.journal import Delivery, Journal
from mock_server.families.table import CALLBACK_TYPES
from mock_server.service.engine import Engine

if TYPE_CHECKING:
    from mock_server.families.music.store import Task

__all__ = [
    "CALLBACK_TYPES",
    "DEFAULT_WAIT",
    "MAX_STEPS",
    "MAX_WAIT",
    "TASK_STATUSES",
    "Waited",
    "attempted",
    "check_callback_type",
    "check_status",
    "check_within",
    "describe",
    "not_accepted",
    "wait_for_callback",
    "wait_for_status",
]

DEFAULT_WAIT = 3600.0
"""Mock seconds a wait may move the clock forward before it gives up."""
MAX_WAIT = 7 * 86400.0
"""The longest wait one call may ask for, in mock seconds (a week: past every retry schedule)."""
MAX_STEPS = 100_000
"""Timers one wait may fire; a scenario that reschedules forever ends here, not in a hang."""
TASK_STATUSES: tuple[str, ...] = get_args(TaskStatus)
"""record-info statuses of a music task."""


def check_callback_type(callback_type: str) -> None:
    __tracebackhide__ = True
    if callback_type not in CALLBACK_TYPES:
        raise ValueError(
            mistake(f"unknown callback type {callback_type!r}", got=callback_type,
                    choices=CALLBACK_TYPES)
        )  # fmt: skip


def check_status(status: str) -> None:
    __tracebackhide__ = True
    if status not in TASK_STATUSES:
        raise ValueError(
            mistake(f"unknown task status {status!r}", got=status, choices=TASK_STATUSES)
        )


def check_within(within: float) -> None:
    __tracebackhide__ = True
    if not 0 < within <= MAX_WAIT:
        raise ValueError(
            f"within must be a positive number of mock seconds, at most {MAX_WAIT:g}; "
            f"got {within!r}"
        )


@dataclass(frozen=True, slots=True)
class Waited:
    """How a wait ended: `reason` is empty when it reached what it waited for."""

    reason: str
    delivery: Delivery | None = None
    task: Task | None = None

    @property
    def reached(self) -> bool:
        return not self.reason


def attempted(delivery: Delivery) -> bool:
    """Whether the callback was tried (answered, failed, timed out) or decided against."""
    return delivery.state in ("dropped", "blocked") or any(
        a.outcome != "in_flight" for a in delivery.attempts
    )


def _callback(
    journal: Journal, task_id: str, callback_type: str, accept_failed: bool
) -> tuple[Delivery | None, list[Delivery]]:
    """The delivery waited for (accepted, or only attempted with `accept_failed`), and every
    delivery of that callback so far."""
    found = [d for d in journal.deliveries(task_id) if d.callback_type == callback_type]
    for delivery in found:
        if delivery.state == "delivered" or (accept_failed and attempted(delivery)):
            return delivery, found
    return None, found


def not_accepted(delivery: Delivery, within: float) -> str:
    """Why a wait for an accepted callback failed: what was sent and what was answered."""
    why = {
        "pending": f"still not accepted after {within:g} s of mock time",
        "exhausted": "retries exhausted",
    }.get(delivery.state, delivery.state)
    answers = "; ".join(a.summary() for a in delivery.attempts) or "nothing sent"
    return (
        f"the {delivery.callback_type!r} callback of task {delivery.task_id} was not accepted "
        f"by the receiver ({why})\n"
        f"  sent: POST {delivery.url} ({len(delivery.payload)} bytes JSON)\n"
        f"  answered: {answers}\n"
        "  fix: make the receiver answer HTTP 200, or pass accept_failed=True to get the "
        "delivery anyway"
    )


async def _step(clock: ManualClock, limit: float) -> bool:
    """Advance to the next timer if it falls before `limit`; False when there is none."""
    await clock.settle()
    due = clock.next_due()
    if due is None or due > limit:
        return False
    await clock.advance(max(0.0, due - clock.now()))
    return True


def _gave_up(what: str, within: float, clock: ManualClock, steps: int) -> str:
    if steps >= MAX_STEPS:
        return f"{what} after {MAX_STEPS} timers (is a scenario rescheduling forever?)"
    due = clock.next_due()
    after = (
        "no timer is pending"
        if due is None
        else f"the next timer is due {due - clock.now():g} s later, past the limit"
    )
    return f"{what} within {within:g} s of mock time ({after})"


async def wait_for_callback(
    engine: Engine,
    clock: ManualClock,
    task_id: str,
    callback_type: str,
    within: float,
    *,
    accept_failed: bool = False,
) -> Waited:
    """Advance `clock` until the receiver accepted (HTTP 200) `task_id`'s `callback_type`
    callback, retries included; with `accept_failed`, until it has been attempted at all.
    A delivery that failed for good, or still fails at the limit, ends the wait with why."""
    __tracebackhide__ = True
    check_callback_type(callback_type)
    check_within(within)
    limit = clock.now() + within
    for steps in range(MAX_STEPS + 1):
        done, found = _callback(engine.journal, task_id, callback_type, accept_failed)
        if done is not None:
            return Waited("", delivery=done, task=engine.music.store.get(task_id))
        settled = bool(found) and all(d.state != "pending" for d in found)
        if settled or steps == MAX_STEPS or not await _step(clock, limit):
            if found:
                return Waited(not_accepted(found[-1], within))
            what = f"no {callback_type!r} callback for task {task_id}"
            return Waited(_gave_up(what, within, clock, steps))
    raise AssertionError("unreachable")


async def wait_for_status(
    engine: Engine, clock: ManualClock, task: Task, status: str, within: float
) -> Waited:
    """Advance `clock` until the music task's record-info status is `status`."""
    check_status(status)
    check_within(within)
    limit = clock.now() + within
    for steps in range(MAX_STEPS + 1):
        if task.status == status:
            return Waited("", task=task)
        if steps == MAX_STEPS or not await _step(clock, limit):
            what = f"task {task.id} never reached status {status!r}; it is {task.status!r}"
            return Waited(_gave_up(what, within, clock, steps), task=task)
    raise AssertionError("unreachable")


def describe(journal: Journal, task_id: str | None = None) -> str:
    """What the mock saw and did: requests received, callbacks attempted, in order."""
    lines = ["requests received:"]
    for record in journal.requests:
        response = record.response if isinstance(record.response, dict) else {}
        lines.append(
            f"  {record.seq}. {record.method} {record.path} -> HTTP {record.http_status} "
            f"code={record.code} {response.get('msg', '')}".rstrip()
        )
    if not journal.requests:
        lines.append("  (none)")
    deliveries = journal.deliveries(task_id)
    lines.append("callbacks attempted" + (f" for task {task_id}:" if task_id else ":"))
    for delivery in deliveries:
        if not delivery.attempts:
            lines.append(f"  {delivery.callback_type} task {delivery.task_id}: {delivery.state}")
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
