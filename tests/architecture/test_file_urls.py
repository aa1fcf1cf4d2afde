"""One module owns every file URL path: each route in `media/urls.py` is registered, and the
URL it builds is the one aiohttp's own router would build for that route."""

from __future__ import annotations

import pytest
from aiohttp import web

from mock_server.app import create_app
from mock_server.media import urls

ROUTES = {name: value for name, value in vars(urls).items() if isinstance(value, urls.FileRoute)}
PARTS = {"id": "e3225e2d-16ec-4f5c-9dcc-16fd548631e1", "stem": "backing_vocals", "n": "2"}


def _resource(app: web.Application, route: urls.FileRoute) -> web.AbstractResource:
    template = route.url("", **{name: f"{{{name}}}" for name in ("id", "stem", "n", "path")})
    found = [r for r in app.router.resources() if r.canonical == template]
    if len(found) != 1:
        raise AssertionError(f"{route.pattern} is registered {len(found)} times, want once")
    return found[0]


def test_every_file_route_is_registered_once() -> None:
    app = create_app()
    files = {r.canonical for r in app.router.resources() if r.canonical.startswith("/files/")}
    assert len(ROUTES) == 11
    assert files == {_resource(app, route).canonical for route in ROUTES.values()}


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_built_url_is_the_routers_url(name: str) -> None:
    route = ROUTES[name]
    resource = _resource(create_app(), route)
    parts = {k: v for k, v in PARTS.items() if f"{{{k}}}" in route.pattern}
    if name == "UPLOADED":
        assert urls.uploaded_url("http://h", "audio/my song #1.mp3") == (
            "http://h" + str(resource.url_for(path="audio/my song #1.mp3"))
        )
    else:
        assert route.url("http://h", **parts) == "http://h" + str(resource.url_for(**parts))


def test_a_tracks_urls_are_its_routes_urls() -> None:
    """`track_urls` concatenates (docs/performance.md, "Track URLs by concatenation"); it must
    give what each route builds."""
    made = urls.track_urls("http://h:1", PARTS["id"])
    routes = (
        urls.AUDIO, urls.SOURCE_AUDIO, urls.STREAM, urls.SOURCE_STREAM, urls.IMAGE,
        urls.SOURCE_IMAGE,
    )  # fmt: skip
    assert tuple(made) == tuple(route.url("http://h:1", id=PARTS["id"]) for route in routes)
