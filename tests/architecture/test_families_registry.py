"""The family registry is complete: a family registered halfway fails here, naming what is
missing and where to add it.

A family is a folder under `mock_server/families/` whose `family.py` declares `FAMILY` and
whose line is in `FAMILIES` (`mock_server/families/registry.py`); its routes call handlers of
its own `handlers.py` (and every public handler there is routed); a route that sends callbacks
has an example body and its family names the callback types it sends; the backend its handlers
reach is built by some family, after the ones it needs.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Sequence
from pathlib import Path

import aiohttp
import pytest

from mock_server.families import table
from mock_server.families.family import BackendKey, Endpoint, Family, Parts
from mock_server.families.registry import CALLBACK_TYPES, FAMILIES, build_order
from mock_server.testing import SunoMock
from tests.helpers import ROOT

FAMILIES_DIR = ROOT / "mock_server" / "families"


def _public_handlers(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.AsyncFunctionDef)
        and not node.name.startswith("_")
        and node.args.args
        and node.args.args[0].arg == "request"
    }


def problems(families: Sequence[Family], folders: dict[str, set[str]]) -> list[str]:
    """What is missing, for `families` against `folders` (a family folder's name -> the
    public handlers its `handlers.py` defines)."""
    found: list[str] = []
    names = [f.name for f in families]
    for folder in sorted(set(folders) - set(names)):
        found.append(
            f"mock_server/families/{folder}/ is not registered: declare FAMILY in its "
            f"family.py and add `{folder}.FAMILY` to FAMILIES in mock_server/families/registry.py"
        )
    builders = {f.name for f in families if f.build is not None}
    for family in families:
        where = f"family {family.name!r} (mock_server/families/{family.name}/family.py)"
        if family.name not in folders:
            found.append(f"{where}: no folder mock_server/families/{family.name}/ with handlers.py")
            continue
        routed = {e.handler.__name__ for e in family.endpoints}
        for name in sorted(folders[family.name] - routed):
            found.append(f"{where}: handler {name} has no route; add an Endpoint row for it")
        for e in family.endpoints:
            module = getattr(e.handler, "__module__", "")
            if module != f"mock_server.families.{family.name}.handlers":
                found.append(f"{where}: {e.path} routes to {module}, not the family's handlers")
            if e.request is not None and e.example is None:
                found.append(f"{where}: {e.path} has a request model but no example body")
            if e.callback is not None and not family.callback_types:
                found.append(
                    f"{where}: {e.path} sends {e.callback.__name__} but the family names no "
                    "callback_types (the waits would refuse them)"
                )
        if family.backend is None:
            found.append(f"{where}: no backend key for its handlers")
        elif family.backend.name not in builders:
            found.append(f"{where}: backend {family.backend.name!r} is built by no family")
        for need in family.needs:
            if need not in builders:
                found.append(f"{where}: needs {need!r}, which no family builds")
    return found


def _folders() -> dict[str, set[str]]:
    return {
        path.parent.name: _public_handlers(path)
        for path in sorted(FAMILIES_DIR.glob("*/handlers.py"))
    }


def test_every_family_is_registered_whole() -> None:
    assert problems(FAMILIES, _folders()) == []


def test_every_family_folder_declares_its_family() -> None:
    for folder in _folders():
        module = importlib.import_module(f"mock_server.families.{folder}.family")
        family = getattr(module, "FAMILY", None)
        assert isinstance(family, Family), f"mock_server/families/{folder}/family.py: no FAMILY"
        assert family.name == folder
        assert family in FAMILIES


def test_the_waits_know_every_callback_type_a_family_sends() -> None:
    from mock_server.service.waits import check_callback_type

    for family in FAMILIES:
        for kind in family.callback_types:
            check_callback_type(kind)  # raises for a type the waits do not know
    assert CALLBACK_TYPES[:4] == ("text", "first", "complete", "error")


async def _noop(request: object) -> None:
    raise AssertionError("not called")


def _fake(name: str, **kwargs: object) -> Family:
    endpoints = kwargs.pop("endpoints", ())
    return Family(name, endpoints, **kwargs)  # type: ignore[arg-type]


def test_a_family_registered_halfway_is_named_with_the_fix() -> None:
    key: BackendKey[object] = BackendKey("video", object)
    route = Endpoint("POST", "/api/v1/video/generate", _noop, "Video", callback=Family)  # type: ignore[arg-type]
    halfway = [_fake("video", endpoints=(route,), backend=key)]
    found = problems(halfway, {"video": {"generate", "record_info"}, "unlisted": set()})
    text = "\n".join(found)
    assert "mock_server/families/unlisted/ is not registered" in text
    assert "handler generate has no route" in text
    assert "handler record_info has no route" in text
    assert f"routes to {__name__}, not the family's handlers" in text
    assert "sends Family but the family names no callback_types" in text
    assert "backend 'video' is built by no family" in text


def test_backends_are_built_after_the_ones_they_need() -> None:
    order = [f.name for f in build_order()]
    for family in FAMILIES:
        for need in family.needs:
            assert order.index(need) < order.index(family.name)
    assert sorted(order) == sorted(f.name for f in FAMILIES if f.build is not None)


async def test_a_backend_is_built_when_first_asked_for_after_the_ones_it_needs() -> None:
    async with SunoMock() as mock:
        assert list(mock.engine.backends) == []  # nothing built before a request needs it
        assert mock.engine.ops.personas == {}
        assert list(mock.engine.backends) == ["account", "music", "jobs", "sync_ops"]
        for name in ("recovery", "video"):  # recovery's routes reach the jobs backend
            with pytest.raises(KeyError):
                mock.engine.backends[name]


def test_the_route_table_is_the_registrys_rows() -> None:
    """`table.ROUTES` (what a server registers without importing the families) and
    `table.CALLBACK_TYPES` (what the waits accept) say what the families declare."""
    rows = [(f.name, e.method, e.path) for f in FAMILIES for e in f.endpoints]
    assert list(table.ROUTES) == rows
    assert table.CALLBACK_TYPES == CALLBACK_TYPES


def _builds(name: str, *needs: str) -> Family:
    def build(parts: Parts) -> object:
        return name

    return _fake(name, build=build, needs=needs)


def test_build_order_names_a_circle_and_a_missing_need() -> None:
    assert [f.name for f in build_order((_builds("b", "a"), _builds("a")))] == ["a", "b"]
    with pytest.raises(ValueError, match="in a circle: a -> b"):
        build_order((_builds("a", "b"), _builds("b", "a")))
    with pytest.raises(ValueError, match="'a' needs 'ghost', which builds nothing"):
        build_order((_builds("a", "ghost"),))


def test_the_probe_sends_every_callback_type_a_family_sends() -> None:
    """A family's callbacks are in the probe battery (`suno-mock probe`), or a receiver is never
    checked against them."""
    from mock_server import Settings
    from mock_server.probe.battery import battery

    cases = battery(Settings(), "http://127.0.0.1:9/hook", "http://127.0.0.1:9")
    sent = {shot.callback_type for case in cases for shot in case.shots}
    for family in FAMILIES:
        missing = set(family.callback_types) - sent
        assert not missing, (
            f"family {family.name!r} sends {sorted(missing)} but the probe battery never does: "
            "add a case in mock_server/probe/battery.py"
        )


async def test_the_control_plane_shows_each_familys_counters(suno_mock: SunoMock) -> None:
    """A family's view in the control plane is its `counters`, read from its own backend."""
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{suno_mock.url}/__mock__/health") as answer,
    ):
        health = await answer.json()
    for family in FAMILIES:
        if family.counters is not None and family.backend is not None:
            view = family.counters(family.backend.among(suno_mock.engine.backends))
            assert view, family.name
            assert {name: health[name] for name in view} == view
    assert {"tasks", "credits", "jobs", "uploads", "uploadBytes"} <= set(health)
