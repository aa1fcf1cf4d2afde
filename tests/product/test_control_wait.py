"""POST /__mock__/wait, /__mock__/restore and /__mock__/probe: what a client in another language
(the Node kit in clients/node) needs to drive a manual clock, start over and probe a receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from mock_server import MockServer, ScaledClock, Settings
from mock_server.testing import SunoMock
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import Api, SunoMockFactory, generate_body
from tests.product.test_cli import start

START = Settings().start_time


async def wait(api: Api, **body: Any) -> tuple[int, Any]:
    return await api.post("/__mock__/wait", body)


async def test_wait_for_callback_advances_only_as_far_as_the_callback(
    suno_mock: SunoMock, api: Api, callback_receiver: CallbackReceiver
) -> None:
    task_id = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    status, answer = await wait(api, taskId=task_id, callbackType="first")
    assert status == 200
    assert (answer["reached"], answer["reason"], answer["journal"]) == (True, None, None)
    assert answer["delivery"]["callbackType"] == "first"
    assert [a["status"] for a in answer["delivery"]["attempts"]] == [200]
    assert [c.callback_type for c in callback_receiver.requests] == ["text", "first"]
    # The clock stopped at the `first` callback, with `complete` still pending.
    assert answer["now"] == suno_mock.clock.now() == answer["delivery"]["attempts"][0]["startedAt"]
    assert answer["task"]["stage"] == "first"
    assert suno_mock.clock.pending() == 1


async def test_wait_for_status(api: Api, callback_receiver: CallbackReceiver) -> None:
    task_id = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    status, answer = await wait(api, taskId=task_id, status="SUCCESS", within=600)
    assert (status, answer["reached"], answer["task"]["status"]) == (200, True, "SUCCESS")
    assert answer["delivery"] is None


async def test_a_callback_that_never_comes_says_why_with_the_journal(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    await api.post("/__mock__/scenario", {"next": "copyright-violation"})
    task_id = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    status, answer = await wait(api, taskId=task_id, callbackType="complete")
    assert (status, answer["reached"]) == (200, False)
    assert answer["reason"] == (
        f"no 'complete' callback for task {task_id} within 3600 s of mock time "
        "(no timer is pending)"
    )
    journal = answer["journal"]
    assert "1. POST /api/v1/generate -> HTTP 200 code=200 success" in journal
    assert f"error #1 task {task_id} -> HTTP 200" in journal
    assert answer["task"]["status"] == "GENERATE_AUDIO_FAILED"


async def test_a_wait_gives_up_at_within_and_says_when_the_next_timer_is_due(
    suno_mock: SunoMock, api: Api, callback_receiver: CallbackReceiver
) -> None:
    task_id = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    status, answer = await wait(api, taskId=task_id, callbackType="complete", within=0.5)
    assert (status, answer["reached"]) == (200, False)
    assert "within 0.5 s of mock time (the next timer is due" in answer["reason"]
    assert suno_mock.clock.now() <= START + 0.5
    assert "callbacks attempted for task" in answer["journal"]


async def test_the_journal_as_text(api: Api, http: aiohttp.ClientSession) -> None:
    await api.post("/api/v1/generate", {"prompt": "x"})
    async with http.get(f"{api.base}/__mock__/journal?taskId=none") as resp:
        assert resp.content_type == "text/plain"
        text = await resp.text()
    assert text.splitlines() == [
        "requests received:",
        "  1. POST /api/v1/generate -> HTTP 200 code=400 callBackUrl: required; model: required; "
        "customMode: required; instrumental: required",
        "callbacks attempted for task none:",
        "  (none)",
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"taskId": "t", "callbackType": "complete", "within": 0}, "within: seconds above 0"),
        ({"taskId": "t", "callbackType": "complete", "within": True}, "within: seconds"),
        ({"taskId": "t", "callbackType": "complete", "within": 1e9}, "at most 604800"),
        ({"taskId": "t", "callbackType": "complete", "status": "SUCCESS"}, "send one of"),
        ({"taskId": "t"}, "send one of"),
        ({"taskId": "", "status": "SUCCESS"}, "taskId: a task id"),
        ({"taskId": "t", "callbackType": "done"}, "allowed: text, first, complete"),
        (["t"], "body: send"),
    ],
)
async def test_bad_wait_requests_say_what_is_allowed(api: Api, body: Any, message: str) -> None:
    status, answer = await api.post("/__mock__/wait", body)
    assert status == 400
    assert message in answer["msg"]


async def test_waiting_for_the_status_of_an_unknown_task_is_404(api: Api) -> None:
    status, answer = await wait(api, taskId="nope", status="SUCCESS")
    assert status == 404
    assert "nope" in answer["msg"]


async def test_an_unknown_status_lists_the_valid_ones(
    api: Api, callback_receiver: CallbackReceiver
) -> None:
    task_id = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    status, answer = await wait(api, taskId=task_id, status="DONE")
    assert status == 400
    assert "unknown task status 'DONE'; allowed: PENDING" in answer["msg"]


async def test_restore_starts_over_with_the_same_bytes(
    suno_mock: SunoMock, api: Api, callback_receiver: CallbackReceiver
) -> None:
    await api.post("/__mock__/scenario", {"default": "copyright-violation"})
    first = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    await wait(api, taskId=first, callbackType="error")
    assert suno_mock.clock.now() > START
    status, answer = await api.post("/__mock__/restore", {})
    assert (status, answer["restored"], answer["now"]) == (200, True, START)
    _, tasks = await api.get("/__mock__/tasks")
    assert tasks["tasks"] == []
    _, scenarios = await api.get("/__mock__/scenarios")
    assert scenarios["default"] is None  # back to the configured default
    assert await api.submit("/api/v1/generate", generate_body(callback_receiver.url)) == first


@pytest.fixture
async def scaled(api: Api) -> AsyncIterator[Api]:
    server = await MockServer(Settings(), clock=ScaledClock(1.0)).start()
    api.base = server.url
    yield api
    await server.close()


@pytest.mark.parametrize(
    ("path", "body"),
    [("/__mock__/wait", {"taskId": "t", "callbackType": "complete"}), ("/__mock__/restore", {})],
)
async def test_a_scaled_clock_cannot_be_driven_and_says_how_to_start_one_that_can(
    scaled: Api, path: str, body: Any
) -> None:
    status, answer = await scaled.post(path, body)
    assert status == 409
    assert f"POST {path}:" in answer["msg"]
    assert "suno-mock serve --manual-clock" in answer["msg"]


async def test_probe_runs_the_battery_with_the_servers_settings(
    api: Api, suno_mock_factory: SunoMockFactory, callback_receiver: CallbackReceiver
) -> None:
    status, report = await api.post(
        "/__mock__/probe",
        {"url": callback_receiver.url, "only": ["sequence", "duplicate-complete"]},
    )
    assert status == 200
    assert (report["ok"], report["url"], report["seed"]) == (True, callback_receiver.url, 0)
    assert [c["name"] for c in report["cases"]] == ["sequence", "duplicate-complete"]
    assert report["text"].startswith(f"suno-mock probe {callback_receiver.url}")
    assert len(callback_receiver.requests) == sum(len(c["callbacks"]) for c in report["cases"])


async def test_probe_refuses_a_host_the_server_may_not_call(api: Api) -> None:
    status, answer = await api.post("/__mock__/probe", {"url": "http://files.invalid/cb"})
    assert status == 400
    assert "not a loopback host" in answer["msg"]


async def test_serve_with_a_manual_clock_moves_only_when_driven(
    callback_receiver: CallbackReceiver,
) -> None:
    served = await start("--port", "0", "--manual-clock", "--seed", "5")
    try:
        assert "seed 5, manual clock, scenario" in served.first_line
        async with aiohttp.ClientSession(headers={"Authorization": "Bearer k"}) as http:
            api = Api(http, served.url)
            task_id = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
            _, clock = await api.get("/__mock__/clock")
            assert (clock["now"], clock["paused"], clock["seed"]) == (START, True, 5)
            assert callback_receiver.requests == []
            status, answer = await wait(api, taskId=task_id, callbackType="complete")
            assert (status, answer["reached"]) == (200, True)
            assert [c.callback_type for c in callback_receiver.requests] == [
                "text",
                "first",
                "complete",
            ]
    finally:
        code, _, err = await served.stop()
    assert code == 0, err
