"""The /__mock__/ control plane: what the mock saw and did, as JSON, and reset.

Not part of the real API: no authentication, plain JSON (no envelope).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from mock_server.api.envelope import ENGINE
from mock_server.engine import Engine
from mock_server.errors import InvalidParameters, NotFound
from mock_server.recording import record_yaml
from mock_server.scenario import ScenarioError, bundled_names
from mock_server.tasks import Task

__all__ = [
    "deliveries",
    "health",
    "requests",
    "reset",
    "scenarios",
    "set_scenario",
    "task",
    "task_scenario",
    "tasks",
]


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
    try:
        body = await request.json()
    except ValueError as err:
        raise InvalidParameters(f"body: malformed JSON ({err})") from err
    if not isinstance(body, dict) or not {"default", "next"} & set(body):
        raise InvalidParameters('body: send {"default": NAME or null} or {"next": NAME}')
    try:
        if "default" in body:
            library.set_default(body["default"])
        if "next" in body:
            library.queue(str(body["next"]))
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
