"""`suno-mock replay`: fire a scenario's callbacks at a URL exactly as the server would.

No API request is involved: a task is created directly in an engine on a scaled clock, and its
callbacks (same payloads, delays, retries and faults as on the server) go to `--to`. A line is
printed per attempt, with the receiver's status and latency, and the wait before each retry.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from mock_server.core.clock import ScaledClock, real_delay
from mock_server.core.settings import Settings
from mock_server.delivery.events import AttemptEnded
from mock_server.scripting.request import TrackRequest
from mock_server.scripting.scenario import Scenario
from mock_server.service.engine import Engine

__all__ = ["replay"]

POLL_SECONDS = 0.02
PROGRESS_SECONDS = 0.25


def _printer(engine: Engine, out: TextIO) -> Callable[[AttemptEnded], None]:
    start = engine.clock.now()
    clear = "\r\033[K" if out.isatty() else ""  # wipe the progress line first

    def line(event: AttemptEnded) -> None:
        delivery, attempt = event.delivery, event.attempt
        at = f"{clear}[+{engine.clock.now() - start:7.1f}s]"
        copy = any(  # a scenario's duplicate: the same callback delivered again
            d.callback_type == delivery.callback_type and d.id < delivery.id
            for d in engine.journal.deliveries(delivery.task_id)
        )
        kind = f"{delivery.callback_type:<8}" + (" (duplicate)" if copy else "")
        if attempt is None:
            print(f"{at} {kind} dropped (not sent)", file=out, flush=True)
            return
        if attempt.outcome == "blocked":
            print(f"{at} {kind} blocked: {attempt.error}", file=out, flush=True)
            return
        answer = f"HTTP {attempt.status}" if attempt.status is not None else attempt.error
        text = f"{at} {kind} attempt {attempt.number}: {answer} in {attempt.latency_ms:.1f} ms"
        if delivery.next_attempt_at is not None:
            failures = sum(a.outcome == "failed" for a in delivery.attempts)  # not mock_fault
            wait = delivery.retry_delays[failures - 1]
            text += f"; retry {attempt.number + 1} in {wait:g} s"
        elif delivery.state == "exhausted":
            text += "; retries exhausted"
        print(text, file=out, flush=True)

    return line


async def replay(
    scenario: Scenario,
    to: str,
    *,
    settings: Settings,
    time_scale: float = 1.0,
    task_id: str | None = None,
    out: TextIO = sys.stdout,
) -> int:
    """Run `scenario` against `to`; 0 if the receiver accepted at least one callback."""
    if scenario.api.respond is not None or scenario.api.drop_connection:
        answer = f"code {scenario.api.respond}" if scenario.api.respond else "a dropped connection"
        print(
            f"scenario {scenario.name!r} answers the submit request with {answer}: "
            "no task, no callbacks",
            file=out,
        )
        return 1
    clock = ScaledClock(time_scale)
    engine = Engine(settings, clock)
    engine.events.on(AttemptEnded, _printer(engine, out))
    await engine.start()
    try:
        operation = (scenario.match.operation or ["generate"])[0] if scenario.match else "generate"
        model = scenario.payload.model or "V4_5PLUS"
        task = engine.music.create(
            operation,
            {"model": model, "callBackUrl": to, "replayOf": scenario.name},
            tracks=TrackRequest(model=model),
            callback_url=to,
            base_url=settings.public_base_url or "http://127.0.0.1:8080",
            scenario=scenario,
            task_id=task_id,
        )
        print(
            f"replaying {scenario.name!r} as task {task.id} to {to} "
            f"(time scale {time_scale:g}; {len(task.script.events)} events)",
            file=out,
            flush=True,
        )
        tty = out.isatty()
        while clock.pending():
            due = clock.next_due()
            if tty and due is not None:
                out.write(f"\r\033[K  ... next event in {due - clock.now():.0f} s of mock time")
                out.flush()
            await real_delay(PROGRESS_SECONDS if tty else POLL_SECONDS)
        if tty:
            out.write("\r\033[K")
    finally:
        await engine.close()
    deliveries = engine.journal.deliveries()
    accepted = sum(d.state == "delivered" for d in deliveries)
    print(
        f"done: {accepted}/{len(deliveries)} callbacks accepted; task status {task.status}",
        file=out,
    )
    return 0 if accepted else 1
