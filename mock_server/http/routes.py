"""The route table: the families' routes (`mock_server.families.table.ROUTES`, each family
imported when a request first reaches it), the files, the control plane. `api()`, the
families' rows with their models, is what /openapi.json is built from."""

from __future__ import annotations

import functools
from dataclasses import replace
from functools import partial
from typing import Any

from aiohttp import web

from mock_server.core.web import base_url
from mock_server.families.family import Endpoint
from mock_server.families.table import ROUTES, declared_handler
from mock_server.http import control, driving, files
from mock_server.http.front import behind_front_door, unmatched_route, wrapped
from mock_server.http.keys import ENGINE
from mock_server.http.paths import one_resource
from mock_server.media import urls

__all__ = ["api", "install_routes", "setup_routes"]


async def openapi(request: web.Request) -> web.Response:
    """GET /openapi.json"""
    from mock_server.http.openapi import build_spec  # with every model: asked for rarely

    settings = request.app[ENGINE].settings
    spec = build_spec(
        api(), base_url(request), mirror_http_status=settings.mirror_http_status,
        upload_http_status=not settings.upload_api_http_200,
    )  # fmt: skip
    return web.json_response(spec)


def _with_submit_data(endpoints: tuple[Endpoint, ...]) -> tuple[Endpoint, ...]:
    """Every endpoint that starts a task answers `data: {"taskId": ...}`."""
    from mock_server.families.schema import TaskIdData  # the documents' models: /openapi.json

    return tuple(
        replace(e, data=TaskIdData) if e.callback is not None and e.data is None else e
        for e in endpoints
    )


@functools.cache
def api() -> tuple[Endpoint, ...]:
    """Every route of the mocked API with its models, family by family
    (`mock_server.families.registry.FAMILIES`, which imports every family: asked for by
    /openapi.json and the tests, not by a server's start)."""
    from mock_server.families.registry import FAMILIES

    return _with_submit_data(tuple(e for family in FAMILIES for e in family.endpoints))


def setup_routes(app: web.Application) -> None:
    """Every route, its handler behind the front door, and last the route that takes every
    request no other route matches (`front.unmatched_route`)."""
    families = [
        web.route(method, path, behind_front_door(partial(declared_handler, name, method, path)))
        for name, method, path in ROUTES
    ]
    own = [web.RouteDef(r.method, r.path, wrapped(r.handler), r.kwargs) for r in _OWN_ROUTES]
    app.router.add_routes([*families, *own, unmatched_route()])


_OWN_ROUTES: list[web.RouteDef] = [
    web.get("/openapi.json", openapi),
    # Files the returned URLs point to (their layout: media/urls.py).
    web.get(urls.AUDIO.pattern, files.audio),
    web.get(urls.SOURCE_AUDIO.pattern, files.audio),
    web.get(urls.STREAM.pattern, files.stream),
    web.get(urls.SOURCE_STREAM.pattern, files.stream),
    web.get(urls.IMAGE.pattern, files.image),
    web.get(urls.SOURCE_IMAGE.pattern, files.image),
    web.get(urls.UPLOADED.pattern, files.uploaded),
    web.get(urls.WAV.pattern, files.wav),
    web.get(urls.STEM.pattern, files.stem),
    web.get(urls.VIDEO.pattern, files.video),
    web.get(urls.COVER.pattern, files.cover_png),
    # The mock's own control plane and dashboard.
    web.get("/__mock__/", control.dashboard),
    web.get("/__mock__/events", control.events),
    web.get("/__mock__/clock", control.clock),
    web.post("/__mock__/clock", control.clock),
    web.post("/__mock__/tasks/{id}/resend", control.resend),
    web.get("/__mock__/health", control.health),
    web.get("/__mock__/tasks", control.tasks),
    web.get("/__mock__/tasks/{id}", control.task),
    web.get("/__mock__/tasks/{id}/scenario", control.task_scenario),
    web.get("/__mock__/deliveries", control.deliveries),
    web.get("/__mock__/requests", control.requests),
    web.get("/__mock__/inbox", control.inbox),
    web.get("/__mock__/inbox/{name}", control.inbox),
    web.post("/__mock__/inbox/{name}", control.inbox_receive),
    web.get("/__mock__/scenarios", control.scenarios),
    web.post("/__mock__/scenario", control.set_scenario),
    web.post("/__mock__/reset", control.reset),
    web.post("/__mock__/restore", driving.restore),
    web.post("/__mock__/wait", driving.wait),
    web.post("/__mock__/probe", driving.probe_receiver),
    web.get("/__mock__/journal", driving.journal),
]


@functools.cache
def _shared_resources() -> tuple[web.AbstractResource, ...]:
    scratch = web.Application()
    setup_routes(scratch)
    return tuple(one_resource(scratch.router.resources()))


_EMPTY = (
    ("_resources", list),
    ("_named_resources", dict),
    ("_resource_index", dict),
    ("_matched_sub_app_resources", list),
)
"""The tables of aiohttp's `UrlDispatcher` that `register_resource` fills (3.9-3.14), and
their types; a new router has each empty."""

_Filled = tuple[
    list[web.AbstractResource],
    dict[str, web.AbstractResource],
    tuple[str, ...],
    tuple[list[web.AbstractResource], ...],
    list[Any],
]


@functools.cache
def _filled() -> _Filled:
    """The tables of a router the shared resources were registered into."""
    router = web.UrlDispatcher()
    for resource in _shared_resources():
        router.register_resource(resource)
    index: dict[str, list[web.AbstractResource]] = router._resource_index
    return (
        router._resources, router._named_resources, tuple(index), tuple(index.values()),
        router._matched_sub_app_resources,
    )  # fmt: skip


def install_routes(app: web.Application) -> None:
    """`setup_routes`'s routes, built once per process and shared by every app. A resource
    holds only its path and handlers (a handler finds its app through the request), and
    building the hundred routes anew was a third of the start of a server, which a test
    suite pays per test. The plain paths are one resource per folder (`paths.PlainPaths`),
    and a new app's router gets copies of the tables of a router they were registered into
    (see docs/performance.md, "Routes copied, not registered")."""
    router = app.router
    own = vars(router)
    if (
        type(router) is web.UrlDispatcher
        and not router.frozen
        and all(type(own.get(name)) is kind and not own[name] for name, kind in _EMPTY)
    ):  # a new router of an aiohttp whose tables we know: what registering would leave
        resources, named, keys, lists, matched = _filled()
        own["_resources"] = list(resources)
        own["_named_resources"] = dict(named)
        own["_resource_index"] = dict(zip(keys, map(list.copy, lists), strict=True))
        own["_matched_sub_app_resources"] = list(matched)
        return
    for resource in _shared_resources():
        router.register_resource(resource)
