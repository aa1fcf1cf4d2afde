"""Bad input gets a clear envelope, never a crash: every endpoint, every field, wrong types."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from mock_server import ManualClock
from mock_server.http.routes import api
from mock_server.testing import SunoMock
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import Api, SunoMockFactory, generate_body

WRONG_VALUES: list[Any] = [None, True, 0, -1, 1e308, "", "x" * 300, [], {}, ["a"], {"a": 1}]
POSTS = [e for e in api() if e.method == "POST" and e.example is not None]


def http_status(path: str, envelope: Any) -> int:
    """HTTP 200 with the code in the body, but the File Upload API's code is its HTTP status."""
    return int(envelope["code"]) if path.startswith("/api/file-") else 200


@pytest.mark.parametrize("endpoint", POSTS, ids=lambda e: e.path)
async def test_wrong_types_in_every_field_are_4xx_envelopes(
    endpoint: Any, api: Api, suno_mock: SunoMock
) -> None:
    assert endpoint.example is not None
    for field in endpoint.example:
        for value in WRONG_VALUES:
            body = dict(endpoint.example, **{field: value})
            status, envelope = await api.post(endpoint.path, body)
            assert status == http_status(endpoint.path, envelope), (field, value)
            assert envelope["code"] != 500, (field, value, envelope)
            assert isinstance(envelope["msg"], str)
            assert envelope["msg"], (field, value)
    assert suno_mock.engine.errors == []


@pytest.mark.parametrize("endpoint", POSTS, ids=lambda e: e.path)
@pytest.mark.parametrize("body", [[], "text", 42, None, [{"a": 1}]], ids=repr)
async def test_non_object_bodies(endpoint: Any, body: Any, api: Api, suno_mock: SunoMock) -> None:
    headers = {"Content-Type": "application/json"}
    status, envelope = await api.post(endpoint.path, None, data=json.dumps(body), headers=headers)
    assert (status, envelope["code"]) == (http_status(endpoint.path, envelope), 400), envelope
    assert envelope["msg"].startswith("body: must be a JSON object")
    assert suno_mock.engine.errors == []


@pytest.mark.parametrize("endpoint", [e for e in api() if e.query], ids=lambda e: e.path)
async def test_record_info_with_odd_ids(endpoint: Any, api: Api, suno_mock: SunoMock) -> None:
    for task_id in ["", " ", "../../etc", "x" * 5000, "%00", "\u263a"]:
        status, envelope = await api.get(endpoint.path, params={"taskId": task_id})
        assert (status, envelope["code"]) == (200, 400), (task_id, envelope)
    assert suno_mock.engine.errors == []


async def test_odd_file_paths_are_404(suno_mock: SunoMock, http: aiohttp.ClientSession) -> None:
    for path in [
        "/files/audio/..%2f..%2fetc.mp3",
        "/files/tmp/../../etc/passwd",
        "/files/stems/x/../../y.mp3",
        "/files/cover/x-1.png",
        "/files/video/.mp4",
    ]:
        async with http.get(suno_mock.url + path) as resp:
            assert resp.status == 404, path
    assert suno_mock.engine.errors == []


async def test_task_store_forgets_the_oldest_finished_tasks(
    suno_mock_factory: SunoMockFactory,
    http: aiohttp.ClientSession,
    callback_receiver: CallbackReceiver,
) -> None:
    server = await suno_mock_factory(task_limit=10)
    api = Api(http, server.url)
    body = generate_body(callback_receiver.url)
    done = [await api.submit("/api/v1/generate", body) for _ in range(10)]
    clock = server.clock
    assert isinstance(clock, ManualClock)
    await clock.advance(600)
    first = await api.record_info(done[0])
    audio_url = first["response"]["sunoData"][0]["audioUrl"]

    later = [await api.submit("/api/v1/generate", body) for _ in range(16)]

    # The oldest finished tasks made room; tasks still waiting for stages are all kept.
    kept = {task.id for task in server.tasks()}
    assert set(later) <= kept
    assert done[0] not in kept
    assert len(kept) == len(later)  # every finished task went before an unfinished one
    _, envelope = await api.get("/api/v1/generate/record-info", params={"taskId": done[0]})
    assert (envelope["code"], envelope["msg"]) == (400, f"taskId: no task with id {done[0]!r}")
    async with http.get(audio_url) as resp:
        assert resp.status == 404  # its tracks and files are gone with it
    await clock.advance(600)
    assert {(await api.record_info(t))["status"] for t in later} == {"SUCCESS"}
