"""Bad input gets a clear envelope, never a crash: every endpoint, every field, wrong types."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from mock_server import MockServer
from mock_server.routes import API
from tests.conftest import Api

WRONG_VALUES: list[Any] = [None, True, 0, -1, 1e308, "", "x" * 300, [], {}, ["a"], {"a": 1}]
POSTS = [e for e in API if e.method == "POST" and e.example is not None]


@pytest.mark.parametrize("endpoint", POSTS, ids=lambda e: e.path)
async def test_wrong_types_in_every_field_are_4xx_envelopes(
    endpoint: Any, api: Api, server: MockServer
) -> None:
    assert endpoint.example is not None
    for field in endpoint.example:
        for value in WRONG_VALUES:
            body = dict(endpoint.example, **{field: value})
            status, envelope = await api.post(endpoint.path, body)
            assert status == 200, (field, value)
            assert envelope["code"] != 500, (field, value, envelope)
            assert isinstance(envelope["msg"], str)
            assert envelope["msg"], (field, value)
    assert server.engine.errors == []


@pytest.mark.parametrize("endpoint", POSTS, ids=lambda e: e.path)
@pytest.mark.parametrize("body", [[], "text", 42, None, [{"a": 1}]], ids=repr)
async def test_non_object_bodies(endpoint: Any, body: Any, api: Api, server: MockServer) -> None:
    headers = {"Content-Type": "application/json"}
    status, envelope = await api.post(endpoint.path, None, data=json.dumps(body), headers=headers)
    assert (status, envelope["code"]) == (200, 400), envelope
    assert envelope["msg"].startswith("body: must be a JSON object")
    assert server.engine.errors == []


@pytest.mark.parametrize("endpoint", [e for e in API if e.query], ids=lambda e: e.path)
async def test_record_info_with_odd_ids(endpoint: Any, api: Api, server: MockServer) -> None:
    for task_id in ["", " ", "../../etc", "x" * 5000, "%00", "\u263a"]:
        status, envelope = await api.get(endpoint.path, params={"taskId": task_id})
        assert (status, envelope["code"]) == (200, 400), (task_id, envelope)
    assert server.engine.errors == []


async def test_odd_file_paths_are_404(server: MockServer, http: aiohttp.ClientSession) -> None:
    for path in [
        "/files/audio/..%2f..%2fetc.mp3",
        "/files/tmp/../../etc/passwd",
        "/files/stems/x/../../y.mp3",
        "/files/cover/x-1.png",
        "/files/video/.mp4",
    ]:
        async with http.get(server.url + path) as resp:
            assert resp.status == 404, path
    assert server.engine.errors == []
