"""The job-kind registry is complete: a kind registered halfway fails here, naming what is
missing and where to add it.

Every `Job.kind` has a class in `mock_server.families.jobs.kinds.KINDS`; every class has its
submit route (with an example body and the callback schema it sends), its record-info route, a
callback type the journal and the waits know, and a probe sample whose callback matches its schema.
"""

from __future__ import annotations

import json
from typing import get_args

import pytest

from mock_server import Settings
from mock_server.core.wire import parse
from mock_server.families.family import Endpoint
from mock_server.families.jobs.kinds import KINDS, Kind
from mock_server.families.jobs.probe import JOBS
from mock_server.families.jobs.store import JobKind
from mock_server.http.routes import api
from mock_server.probe.battery import battery
from mock_server.service.waits import CALLBACK_TYPES

ALL = sorted(KINDS.values(), key=lambda kind: kind.name)


def _submit_route(kind: Kind) -> Endpoint:
    routes = [e for e in api() if e.method == "POST" and e.request is kind.request]
    assert len(routes) == 1, (
        f"kind {kind.name!r}: {len(routes)} POST routes take {kind.request.__name__}; add one "
        "Endpoint(...) row with that model to mock_server/http/routes.py"
    )
    return routes[0]


def test_every_job_kind_has_a_class() -> None:
    assert set(KINDS) == set(get_args(JobKind)), (
        "JobKind and KINDS differ: give every kind a class in "
        "mock_server/families/jobs/kinds.py and a row in "
        f"KINDS (JobKind: {sorted(get_args(JobKind))}, KINDS: {sorted(KINDS)})"
    )
    for name, kind in KINDS.items():
        assert kind.name == name, f"KINDS[{name!r}] is the class of {kind.name!r}"


@pytest.mark.parametrize("kind", ALL, ids=lambda kind: kind.name)
def test_submit_route_has_example_and_callback(kind: Kind) -> None:
    route = _submit_route(kind)
    assert route.example is not None, f"{route.path}: the Endpoint row documents no example body"
    parse(kind.request, route.example, Settings())
    assert route.callback is kind.callback, (
        f"{route.path}: its Endpoint row declares callback "
        f"{getattr(route.callback, '__name__', None)}, the kind {kind.callback.__name__}"
    )


@pytest.mark.parametrize("kind", ALL, ids=lambda kind: kind.name)
def test_record_info_route(kind: Kind) -> None:
    submit = _submit_route(kind).path
    base = submit.removesuffix("/generate")
    paths = {e.path for e in api() if e.method == "GET"}
    assert f"{base}/record-info" in paths, (
        f"kind {kind.name!r}: no GET {base}/record-info route next to POST {submit}"
    )


@pytest.mark.parametrize("kind", ALL, ids=lambda kind: kind.name)
def test_callback_type_is_known(kind: Kind) -> None:
    assert kind.callback_type in CALLBACK_TYPES, (
        f"kind {kind.name!r} sends {kind.callback_type!r}, which mock_server/service/waits.py "
        f"CALLBACK_TYPES does not list ({', '.join(CALLBACK_TYPES)})"
    )


@pytest.mark.parametrize("kind", ALL, ids=lambda kind: kind.name)
def test_probe_sample_matches_the_callback_schema(kind: Kind) -> None:
    names = [name for name, of_kind, _, _ in JOBS if of_kind == kind.name]
    assert names, f"kind {kind.name!r} has no probe sample: add a row to JOBS in probe/battery.py"
    cases = {
        case.name: case
        for case in battery(Settings(), "http://127.0.0.1:9/cb", "http://127.0.0.1:9")
    }
    for name in names:
        (shot,) = cases[name].shots
        assert shot.callback_type == kind.callback_type
        kind.callback.model_validate(json.loads(shot.payload))
