"""The /__mock__/ control plane: what the mock saw and did, as JSON, and reset.

Not part of the real API: no authentication, plain JSON (no envelope).

Every call costs what it answers, not what the mock holds: the lists (tasks, deliveries,
requests) come in pages (`limit`, default 100, at most 200; `since`, a cursor: the `next` of
the previous page), and a task's deliveries come from the journal's index.
"""

from __future__ import annotations

import asyncio
import json
import math
from importlib import resources
from typing import TYPE_CHECKING, Any

from aiohttp import web

from mock_server.core.errors import ApiError, InvalidParameters, NotFound, ScenarioError, require
from mock_server.core.events import ClockMoved
from mock_server.core.web import decode_json
from mock_server.delivery.inbox import MAX_NAME
from mock_server.delivery.journal import Page
from mock_server.http.keys import ENGINE
from mock_server.service.engine import Engine

if TYPE_CHECKING:
    from mock_server.families.music.store import Task

KEEPALIVE_SECONDS = 15.0


class TooManyStreams(ApiError):
    code = 503
    default_msg = "Service unavailable"


DEFAULT_PAGE = 100
MAX_PAGE = 200
MAX_WAIT = 60.0

__all__ = [
    "clock",
    "dashboard",
    "deliveries",
    "events",
    "health",
    "inbox",
    "inbox_receive",
    "json_body",
    "requests",
    "resend",
    "reset",
    "scenarios",
    "set_scenario",
    "task",
    "task_scenario",
    "task_summary",
    "tasks",
]


async def json_body(request: web.Request) -> Any:
    return decode_json(await request.read())  # the API's strict decoder: depth, surrogates


def _whole(request: web.Request, name: str, default: int | None) -> int | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise InvalidParameters(f"{name}: a whole number >= 0, got {raw!r}")
    return value


def _paging(request: web.Request) -> tuple[int | None, int]:
    """`since` (None: the newest page) and `limit` of a list request."""
    since = _whole(request, "since", None)
    limit = _whole(request, "limit", DEFAULT_PAGE)
    if limit is None or not 1 <= limit <= MAX_PAGE:
        raise InvalidParameters(f"limit: 1 to {MAX_PAGE}, got {request.query['limit']!r}")
    return since, limit


def _wait_seconds(request: web.Request) -> float:
    raw = request.query.get("timeout", "5")
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= MAX_WAIT:  # also refuses nan
        raise InvalidParameters(f"timeout: real seconds from 0 to {MAX_WAIT:g}, got {raw!r:.50}")
    return seconds


def _listing(key: str, found: Page[Any], total: int, items: list[Any]) -> web.Response:
    return web.json_response({key: items, "next": found.next, "more": found.more, "total": total})


def task_summary(engine: Engine, task: Task) -> dict[str, Any]:
    """What the task lists show of a task (also the answer of POST /__mock__/wait)."""
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
        "deliveries": engine.journal.delivery_count(task.id),
    }


def _task_of(request: web.Request) -> Task:
    """The music task named in the path, or 404."""
    task_id = request.match_info["id"]
    return require(request.app[ENGINE].music.store.get(task_id), "task", task_id, error=NotFound)


async def health(request: web.Request) -> web.Response:
    """GET /__mock__/health — liveness, each family's numbers (its `counters`) and the
    server's."""
    from mock_server.families.registry import FAMILIES  # every family: see routes.api()

    engine = request.app[ENGINE]
    views = [
        family.counters(family.backend.among(engine.backends))
        for family in FAMILIES
        if family.counters is not None and family.backend is not None
    ]
    return web.json_response(
        {
            "status": "ok",
            "now": engine.clock.now(),
            **{name: value for view in views for name, value in view.items()},
            "pendingTimers": engine.clock.pending(),
            "requestsSeen": engine.journal.requests_seen,
            "deliveriesMade": engine.journal.deliveries_made,
        }
    )


async def tasks(request: web.Request) -> web.Response:
    """GET /__mock__/tasks[?since=&limit=|?ids=a,b] — task summaries, oldest first: the newest
    `limit` (100), those created after task number `since`, or the listed ids (at most 200)."""
    engine = request.app[ENGINE]
    ids = request.query.get("ids")
    if ids is not None:
        wanted = [i for i in ids.split(",") if i]
        if len(wanted) > MAX_PAGE:
            raise InvalidParameters(f"ids: at most {MAX_PAGE} task ids, got {len(wanted)}")
        found = [t for t in map(engine.music.store.get, wanted) if t is not None]
        return web.json_response({"tasks": [task_summary(engine, t) for t in found]})
    since, limit = _paging(request)
    chosen = engine.music.store.page(since, limit)
    summaries = [task_summary(engine, t) for t in chosen.items]
    return _listing("tasks", chosen, len(engine.music.store), summaries)


async def task(request: web.Request) -> web.Response:
    """GET /__mock__/tasks/{id} — one task: summary, history, record-info and deliveries."""
    from mock_server.families.music.payloads import record_info  # the music family, once reached

    engine = request.app[ENGINE]
    found = _task_of(request)
    return web.json_response(
        {
            **task_summary(engine, found),
            "request": found.request,
            "history": [{"at": at, "event": event} for at, event in found.history],
            "recordInfo": record_info(found, engine.settings),
            "deliveries": [d.to_json() for d in engine.journal.deliveries(found.id)],
        }
    )


async def deliveries(request: web.Request) -> web.Response:
    """GET /__mock__/deliveries[?taskId=][&since=&limit=] — callbacks and their attempts, oldest
    first: the newest `limit` (100), or those after delivery id `since`."""
    journal = request.app[ENGINE].journal
    task_id = request.query.get("taskId") or request.query.get("task_id")
    since, limit = _paging(request)
    chosen = journal.deliveries_page(since, limit, task_id)
    items = [d.to_json() for d in chosen.items]
    return _listing("deliveries", chosen, journal.delivery_count(task_id), items)


async def requests(request: web.Request) -> web.Response:
    """GET /__mock__/requests[?since=&limit=] — API requests and the answers they got, oldest
    first: the newest `limit` (100), or those after sequence number `since`."""
    journal = request.app[ENGINE].journal
    since, limit = _paging(request)
    chosen = journal.requests_page(since, limit)
    items = [r.to_json() for r in chosen.items]
    return _listing("requests", chosen, len(journal.requests), items)


async def reset(request: web.Request) -> web.Response:
    """POST /__mock__/reset — back to the start state: forget everything, cancel pending
    callbacks, restore credits and the default scenario the server started with."""
    cancelled = await request.app[ENGINE].reset()
    return web.json_response({"reset": True, "cancelled": cancelled})


async def scenarios(request: web.Request) -> web.Response:
    """GET /__mock__/scenarios — bundled names, the default and what is queued."""
    from mock_server.scripting.scenario import bundled_names  # the format, asked for rarely

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
    body = await json_body(request)
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
    from mock_server.families.music.recording import record_yaml  # asked for rarely

    engine = request.app[ENGINE]
    found = _task_of(request)
    text = record_yaml(found, engine.journal.deliveries(found.id), found.script.settings)
    return web.Response(text=text, content_type="application/yaml")


async def dashboard(request: web.Request) -> web.Response:
    """GET /__mock__/ — the live dashboard (one self-contained page, no external assets)."""
    page = resources.files("mock_server").joinpath("dashboard.html").read_text()
    return web.Response(text=page, content_type="text/html")


async def events(request: web.Request) -> web.StreamResponse:
    """GET /__mock__/events — server-sent events: task, job, delivery, request, reset."""
    engine = request.app[ENGINE]
    hub, settings = engine.events, engine.settings
    if hub.streams >= settings.event_streams:
        raise TooManyStreams(
            f"events: {hub.streams} event streams are open, the most allowed (setting "
            "event_streams); close a dashboard tab or raise the setting"
        )
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    )

    async def send(data: bytes) -> None:
        # A viewer that stops reading fills the socket's buffer; it is cut off, not waited for.
        async with asyncio.timeout(settings.write_timeout):
            await response.write(data)

    async with hub.stream() as queue:  # counted from now: no await since the check
        try:
            await response.prepare(request)
            await send(b"retry: 1000\n\n")
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    await send(b": keep-alive\n\n")
                    continue
                if event is None:
                    break
                await send(f"data: {json.dumps(event)}\n\n".encode())
        except ConnectionResetError:  # the page went away: nothing is wrong with the mock
            pass
        except TimeoutError:
            if request.transport is not None:
                request.transport.abort()
    return response


async def clock(request: web.Request) -> web.Response:
    """GET|POST /__mock__/clock — `{"advance": seconds}`, `{"pause": true|false}`."""
    engine = request.app[ENGINE]
    if request.method == "POST":
        body = await json_body(request)
        if not isinstance(body, dict) or not {"advance", "pause"} & set(body):
            raise InvalidParameters('body: send {"advance": SECONDS} or {"pause": true|false}')
        if "pause" in body:
            if body["pause"]:
                engine.clock.pause()
            else:
                engine.clock.resume()
        advance = body.get("advance", 0)
        if not isinstance(advance, int | float) or isinstance(advance, bool):
            raise InvalidParameters(f"advance: seconds (a number), got {advance!r:.100}")
        if advance < 0:
            raise InvalidParameters(f"advance: seconds >= 0, got {advance!r}")
        if advance:
            try:
                await engine.clock.advance(float(advance) if abs(advance) < 1e300 else math.nan)
            except ValueError as err:
                raise InvalidParameters(str(err)) from err
        engine.events.publish(ClockMoved())
    return web.json_response(
        {"now": engine.clock.now(), "paused": engine.clock.paused, "seed": engine.settings.seed}
    )


async def resend(request: web.Request) -> web.Response:
    """POST /__mock__/tasks/{id}/resend — `{"stage": "complete"}`: send that callback again."""
    body = await json_body(request)
    stage = body.get("stage") if isinstance(body, dict) else None
    if stage not in {"text", "first", "complete", "error"}:
        raise InvalidParameters('stage: one of "text", "first", "complete", "error"')
    delivery = await request.app[ENGINE].music.resend(request.match_info["id"], stage)
    return web.json_response(delivery.to_json())


async def inbox_receive(request: web.Request) -> web.Response:
    """POST /__mock__/inbox/{name} — a callback receiver that answers 200 and keeps the body."""
    engine = request.app[ENGINE]
    name = request.match_info["name"]
    if len(name) > MAX_NAME:
        raise InvalidParameters(f"inbox name: at most {MAX_NAME} characters, got {len(name)}")
    engine.inbox.add(name, await request.read(), engine.clock.now())
    await engine.inbox.notify()
    return web.json_response({"status": "received"})


async def inbox(request: web.Request) -> web.Response:
    """GET /__mock__/inbox[/{name}][?since=&limit=][&count=N&timeout=S] — callbacks the inbox
    got, oldest first: the newest `limit` (100), or those after sequence number `since`; with
    `count`, once that many have arrived or after `timeout` real seconds (5, at most 60)."""
    box = request.app[ENGINE].inbox
    name = request.match_info.get("name")
    since, limit = _paging(request)
    count = _whole(request, "count", None)
    if count is not None:
        await box.wait_for(name, count, _wait_seconds(request))
    chosen = box.page(name, since, limit)
    items = [r.to_json() for r in chosen.items]
    return _listing("callbacks", chosen, box.count(name), items)
