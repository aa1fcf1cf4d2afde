"""The route table as aiohttp resolves it: the plain paths gathered in one resource per folder
(`http/paths.PlainPaths`) answer every request as one resource per path did."""

from __future__ import annotations

import re

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from mock_server.http import routes
from mock_server.http.keys import UNMATCHED
from mock_server.http.paths import PlainPaths, one_resource
from mock_server.http.routes import install_routes, setup_routes

METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH")


def _sample(canonical: str) -> str:
    """A path the resource matches: each {variable} filled in."""
    return re.sub(r"\{[^}]*\}", "x1", canonical)


def _apps() -> tuple[web.Application, web.Application]:
    """(one resource per path, as aiohttp builds it; the mock's shared table)."""
    reference, mock = web.Application(), web.Application()
    setup_routes(reference)
    install_routes(mock)
    for app in (reference, mock):
        app.freeze()
    return reference, mock


async def _answer(app: web.Application, method: str, path: str) -> tuple[object, ...]:
    """What the router decides: the route (its resource's path and its method; the handlers
    are the same functions wrapped anew) and the match, or the error and allowed methods."""
    request = make_mocked_request(method, path, app=app)
    info = await app.router.resolve(request)
    error = info.http_exception
    if error is not None:
        return ("error", error.status, sorted(getattr(error, "allowed_methods", ())))
    # What the 404 of an unmatched request lists: the methods each resource allows the path.
    allowed: set[str] = set()
    for resource in app.router.resources():
        if resource.name != UNMATCHED:
            allowed |= (await resource.resolve(request))[1]
    route = info.route
    assert route.resource is not None
    return (route.resource.canonical, route.name, route.method, dict(info), sorted(allowed))


async def test_every_path_and_method_resolves_as_one_resource_per_path_did() -> None:
    reference, mock = _apps()
    paths = {_sample(r.canonical) for r in reference.router.resources()}
    paths |= {"/", "/api", "/api/v1/generate/", "/__mock__", "/nowhere", "/files/audio/x.mp4"}
    assert len(mock.router.resources()) < len(reference.router.resources()) / 2
    for path in sorted(paths):
        for method in METHODS:
            assert await _answer(mock, method, path) == await _answer(reference, method, path), (
                method,
                path,
            )


def test_a_variable_path_that_would_shadow_a_plain_one_is_refused() -> None:
    app = web.Application()
    app.router.add_get("/files/{name}", _handler)
    app.router.add_get("/files/readme", _handler)
    app.router.add_route("*", "/{path:.*}", _handler)
    with pytest.raises(ValueError, match=r"also matches the plain paths \['/files/readme'\]"):
        one_resource(app.router.resources())


def test_the_table_lists_every_route_of_its_paths() -> None:
    app = web.Application()
    app.router.add_get("/a", _handler)
    app.router.add_post("/b", _handler)
    app.router.add_route("*", "/{path:.*}", _handler)
    table = one_resource(app.router.resources())[0]
    assert isinstance(table, PlainPaths)
    assert sorted(route.method for route in table) == ["GET", "HEAD", "POST"]
    assert len(table) == 3
    assert table.raw_match("/a")
    assert not table.raw_match("/c")


def _registered() -> web.Application:
    """The shared resources registered one by one, as aiohttp's own API does it."""
    app = web.Application()
    for resource in routes._shared_resources():
        app.router.register_resource(resource)
    return app


def _tables(app: web.Application) -> tuple[object, ...]:
    router = app.router
    return (
        list(router.resources()), dict(router.named_resources()), router._resource_index,
        router._matched_sub_app_resources,
    )  # fmt: skip


def test_a_new_apps_router_gets_what_registering_each_resource_leaves() -> None:
    copied, registered = web.Application(), _registered()
    install_routes(copied)
    assert _tables(copied) == _tables(registered)
    # Copies: a route one app adds is not in the next app's table.
    copied.router.add_get("/__mock__/extra", _handler)
    again = web.Application()
    install_routes(again)
    assert _tables(again) == _tables(registered)


def test_a_router_that_holds_routes_already_gets_them_registered() -> None:
    app = web.Application()
    app.router.add_get("/own", _handler)
    install_routes(app)
    resources = list(app.router.resources())
    assert resources[1:] == list(_registered().router.resources())
    assert resources[0].canonical == "/own"


async def _handler(request: web.Request) -> web.Response:
    return web.Response()
