"""The control plane's routes that drive the mock for a client in any language (the Node kit in
clients/node uses them): wait on a manual clock until a task's callback or status, restore the
start state, the journal as text, the probe battery at a callback URL.

The rules of a wait and the text of the journal live in `mock_server.service.waits`, shared with the
Python helpers; these handlers read the request, call them and answer JSON.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from mock_server.core.clock import ManualClock
from mock_server.core.errors import ApiError, InvalidParameters, NotFound, require
from mock_server.core.events import ClockMoved
from mock_server.core.web import base_url
from mock_server.http.control import json_body, task_summary
from mock_server.http.keys import ENGINE
from mock_server.service.engine import Engine
from mock_server.service.waits import (
    DEFAULT_WAIT,
    MAX_WAIT,
    Waited,
    describe,
    wait_for_callback,
    wait_for_status,
)

__all__ = ["journal", "probe_receiver", "restore", "wait"]

NEEDS_MANUAL_CLOCK = (
    "this server's clock runs in (scaled) real time, so it cannot be driven or set back: start "
    "it with `suno-mock serve --manual-clock` (SUNO_MOCK_MANUAL_CLOCK=1), or poll "
    "GET /__mock__/tasks/{id} while time passes"
)
MAX_ID = 200
"""Longest task id a wait accepts (the mock's ids are 32 characters)."""
MAX_BUDGET = 60.0
"""Longest probe budget (real seconds above which an answer is a warning)."""


class ClockNotManual(ApiError):
    code = 409
    default_msg = NEEDS_MANUAL_CLOCK


def _manual_clock(engine: Engine, what: str) -> ManualClock:
    if not isinstance(engine.clock, ManualClock):
        raise ClockNotManual(f"{what}: {NEEDS_MANUAL_CLOCK}")
    return engine.clock


def _seconds(body: dict[str, Any], name: str, default: float, top: float) -> float:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= top:
        raise InvalidParameters(f"{name}: seconds above 0 and at most {top:g}, got {value!r:.100}")
    return float(value)


def _wait_request(body: Any) -> tuple[str, str, str, float]:
    """taskId, what is awaited ("callbackType" or "status"), its value, and `within`."""
    if not isinstance(body, dict):
        raise InvalidParameters('body: send {"taskId": ID, "callbackType": TYPE} or "status"')
    task_id = body.get("taskId")
    if not isinstance(task_id, str) or not 0 < len(task_id) <= MAX_ID:
        raise InvalidParameters(f"taskId: a task id (string), got {task_id!r:.100}")
    kinds = [k for k in ("callbackType", "status") if k in body]
    if len(kinds) != 1:
        raise InvalidParameters('send one of "callbackType" (e.g. "complete") or "status"')
    value = body[kinds[0]]
    if not isinstance(value, str):
        raise InvalidParameters(f"{kinds[0]}: a string, got {value!r:.100}")
    return task_id, kinds[0], value, _seconds(body, "within", DEFAULT_WAIT, MAX_WAIT)


def _waited(engine: Engine, task_id: str, waited: Waited) -> dict[str, Any]:
    task_found = waited.task or engine.music.store.get(task_id)
    return {
        "reached": waited.reached,
        "reason": waited.reason or None,
        "taskId": task_id,
        "now": engine.clock.now(),
        "task": task_summary(engine, task_found) if task_found else None,
        "delivery": waited.delivery.to_json() if waited.delivery else None,
        "journal": None if waited.reached else describe(engine.journal, task_id),
    }


async def wait(request: web.Request) -> web.Response:
    """POST /__mock__/wait — `{"taskId": ID, "callbackType": TYPE | "status": STATUS,
    "within": SECONDS}`: advance the manual clock timer by timer until the task's callback has
    been attempted or its record-info status is reached, at most `within` mock seconds (3600).
    Answers `reached`, and when not, the `reason` and the `journal` (requests, attempts)."""
    engine = request.app[ENGINE]
    task_id, kind, value, within = _wait_request(await json_body(request))
    clock = _manual_clock(engine, "POST /__mock__/wait")
    try:
        if kind == "callbackType":
            # The wire contract of this endpoint (the Node kit) is "attempted", answer and all.
            waited = await wait_for_callback(
                engine, clock, task_id, value, within, accept_failed=True
            )
        else:
            found = require(engine.music.store.get(task_id), "task", task_id, error=NotFound)
            waited = await wait_for_status(engine, clock, found, value, within)
    except ValueError as err:
        raise InvalidParameters(f"{kind}: {err}") from err
    engine.events.publish(ClockMoved())
    return web.json_response(_waited(engine, task_id, waited))


async def restore(request: web.Request) -> web.Response:
    """POST /__mock__/restore — `reset`, and the manual clock back to the start time and the
    default scenario back to the configured one: the same requests then get the same bytes."""
    engine = request.app[ENGINE]
    _manual_clock(engine, "POST /__mock__/restore")
    cancelled = await engine.restore()
    return web.json_response({"restored": True, "cancelled": cancelled, "now": engine.clock.now()})


async def probe_receiver(request: web.Request) -> web.Response:
    """POST /__mock__/probe — `{"url": URL, "only": [CASE...], "budget": SECONDS}`: run the
    `suno-mock probe` battery at the URL with this server's settings; the report as JSON and
    `text`. Real time (the receiver answers in real time); allowed callback hosts only."""
    # The battery builds every backend: imported on first use, not by every server's start.
    from mock_server.probe import DEFAULT_BUDGET, ProbeError, probe

    engine = request.app[ENGINE]
    body = await json_body(request)
    if not isinstance(body, dict) or not isinstance(body.get("url"), str):
        raise InvalidParameters('body: send {"url": YOUR_CALLBACK_URL}')
    only = body.get("only")
    if only is not None and (
        not isinstance(only, list) or not all(isinstance(o, str) for o in only)
    ):
        raise InvalidParameters(f"only: a list of case names or patterns, got {only!r:.100}")
    budget = _seconds(body, "budget", DEFAULT_BUDGET, MAX_BUDGET)
    try:
        report = await probe(
            body["url"],
            settings=engine.settings,
            only=only,
            budget=budget,
            base_url=base_url(request),
        )
    except ProbeError as err:
        raise InvalidParameters(str(err)) from err
    return web.json_response({**report.to_json(), "text": report.to_text()})


async def journal(request: web.Request) -> web.Response:
    """GET /__mock__/journal[?taskId=] — what the mock saw and did, as the text the failure
    messages of the waits print: requests received, callbacks attempted (of one task)."""
    task_id = request.query.get("taskId") or None
    return web.Response(text=describe(request.app[ENGINE].journal, task_id))
