"""The /__mock__/ control plane: what the mock saw and did, as JSON, and reset.

Not part of the real API: no authentication, plain JSON (no envelope).
"""

from __future__ import annotations

import asyncio
import json
from importlib import resources
from typing import Any

from aiohttp import web

from mock_server.api.envelope import ENGINE, decode_json
from mock_server.engine import Engine
from mock_server.errors import InvalidParameters, NotFound
from mock_server.recording import record_yaml
from mock_server.scenario import ScenarioError, bundled_names
from mock_server.tasks import Task

KEEPALIVE_SECONDS = 15.0

__all__ = [
    "clock",
    "dashboard",
    "deliveries",
    "events",
    "health",
    "requests",
    "resend",
    "reset",
    "scenarios",
    "set_scenario",
    "task",
    "task_scenario",
    "tasks",
]


async def _json_body(request: web.Request) -> Any:
    return decode_json(await request.read())  # the API's strict decoder: depth, surrogates


def _summary(engine: Engine, task: Task) -> dict[str, Any]:
    return {
        "taskId": task.id,
        "number": task.number,
        "operationType": task.operation,
        "model": task.model,
        "status": task.status,
        "stage": task.stage,
        "callBackUrl": task.callback_url,
        "createTime": int(task.created_at * 1000),
        "scenario": task.scenario.name if task.scenario else None,
        "deliveries": len(engine.journal.deliveries(task.id)),
    }


async def health(request: web.Request) -> web.Response:
    """GET /__mock__/health — liveness and a few counters."""
    engine = request.app[ENGINE]
    return web.json_response(
        {
            "status": "ok",
            "now": engine.clock.now(),
            "tasks": len(engine.store),
            "credits": engine.store.credits,
            "pendingTimers": engine.clock.pending(),
        }
    )


async def tasks(request: web.Request) -> web.Response:
    """GET /__mock__/tasks — every task, oldest first."""
    engine = request.app[ENGINE]
    return web.json_response({"tasks": [_summary(engine, t) for t in engine.store.all()]})


async def task(request: web.Request) -> web.Response:
    """GET /__mock__/tasks/{id} — one task: summary, history, record-info and deliveries."""
    engine = request.app[ENGINE]
    found = engine.store.get(request.match_info["id"])
    if found is None:
        raise NotFound(f"no task with id {request.match_info['id']!r}")
    return web.json_response(
        {
            **_summary(engine, found),
            "request": found.request,
            "history": [{"at": at, "event": event} for at, event in found.history],
            "recordInfo": engine.record_info(found),
            "deliveries": [d.to_json() for d in engine.journal.deliveries(found.id)],
        }
    )


async def deliveries(request: web.Request) -> web.Response:
    """GET /__mock__/deliveries[?taskId=] — callbacks and their attempts."""
    engine = request.app[ENGINE]
    task_id = request.query.get("taskId") or request.query.get("task_id")
    return web.json_response(
        {"deliveries": [d.to_json() for d in engine.journal.deliveries(task_id)]}
    )


async def requests(request: web.Request) -> web.Response:
    """GET /__mock__/requests — every API request and the answer it got."""
    engine = request.app[ENGINE]
    return web.json_response({"requests": [r.to_json() for r in engine.journal.requests]})


async def reset(request: web.Request) -> web.Response:
    """POST /__mock__/reset — forget everything, cancel pending callbacks, restore credits."""
    cancelled = await request.app[ENGINE].reset()
    return web.json_response({"reset": True, "cancelled": cancelled})


async def scenarios(request: web.Request) -> web.Response:
    """GET /__mock__/scenarios — bundled names, the default and what is queued."""
    library = request.app[ENGINE].scenarios
    return web.json_response(
        {
            "bundled": bundled_names(),
            "default": library.default.name if library.default else None,
            "queued": [s.name for s in library.queued],
            "rules": [s.name for s in library.rules],
        }
    )


async def set_scenario(request: web.Request) -> web.Response:
    """POST /__mock__/scenario — `{"default": NAME|null}` or `{"next": NAME}`."""
    library = request.app[ENGINE].scenarios
    body = await _json_body(request)
    if not isinstance(body, dict) or not {"default", "next"} & set(body):
        raise InvalidParameters('body: send {"default": NAME or null} or {"next": NAME}')
    for key in ("default", "next"):
        if key in body and not isinstance(body[key], str | None):
            raise InvalidParameters(f"{key}: a scenario name (string), got {body[key]!r:.100}")
    try:  # names only: a path from the network must not make the mock read files
        if "default" in body:
            library.set_default(body["default"], names_only=True)
        if "next" in body:
            library.queue(str(body["next"]), names_only=True)
    except ScenarioError as err:
        raise InvalidParameters(str(err)) from err
    return await scenarios(request)


async def task_scenario(request: web.Request) -> web.Response:
    """GET /__mock__/tasks/{id}/scenario — what happened to a task, as a replayable scenario."""
    engine = request.app[ENGINE]
    found = engine.store.get(request.match_info["id"])
    if found is None:
        raise NotFound(f"no task with id {request.match_info['id']!r}")
    text = record_yaml(found, engine.journal.deliveries(found.id), engine.payload_settings(found))
    return web.Response(text=text, content_type="application/yaml")


async def dashboard(request: web.Request) -> web.Response:
    """GET /__mock__/ — the live dashboard (one self-contained page, no external assets)."""
    page = resources.files("mock_server").joinpath("dashboard.html").read_text()
    return web.Response(text=page, content_type="text/html")


async def events(request: web.Request) -> web.StreamResponse:
    """GET /__mock__/events — server-sent events: task, job, delivery, request, reset."""
    hub = request.app[ENGINE].events
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    )
    await response.prepare(request)
    try:
        await response.write(b"retry: 1000\n\n")
        async with hub.subscribe() as queue:
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    await response.write(b": keep-alive\n\n")
                    continue
                if event is None:
                    break
                await response.write(f"data: {json.dumps(event)}\n\n".encode())
    except ConnectionResetError:  # the page went away: nothing is wrong with the mock
        pass
    return response


async def clock(request: web.Request) -> web.Response:
    """GET|POST /__mock__/clock — `{"advance": seconds}`, `{"pause": true|false}`."""
    engine = request.app[ENGINE]
    if request.method == "POST":
        body = await _json_body(request)
        if not isinstance(body, dict) or not {"advance", "pause"} & set(body):
            raise InvalidParameters('body: send {"advance": SECONDS} or {"pause": true|false}')
        if "pause" in body:
            if body["pause"]:
                engine.clock.pause()
            else:
                engine.clock.resume()
        advance = body.get("advance", 0)
        if not isinstance(advance, int | float) or isinstance(advance, bool) or advance < 0:
            raise InvalidParameters(f"advance: seconds >= 0, got {advance!r}")
        if advance:
            await engine.clock.advance(float(advance))
        engine.events.publish("clock")
    return web.json_response(
        {"now": engine.clock.now(), "paused": engine.clock.paused, "seed": engine.settings.seed}
    )


async def resend(request: web.Request) -> web.Response:
    """POST /__mock__/tasks/{id}/resend — `{"stage": "complete"}`: send that callback again."""
    body = await _json_body(request)
    stage = body.get("stage") if isinstance(body, dict) else None
    if stage not in {"text", "first", "complete", "error"}:
        raise InvalidParameters('stage: one of "text", "first", "complete", "error"')
    delivery = await request.app[ENGINE].resend(request.match_info["id"], stage)
    return web.json_response(delivery.to_json())
