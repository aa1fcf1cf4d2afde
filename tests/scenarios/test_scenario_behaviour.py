"""Scenario selection, API-side faults, delivery faults and payload overrides, end to end."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from mock_server import ManualClock, MockServer
from mock_server.scripting.script import ScenarioLibrary
from mock_server.testing import SunoMock
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import Api, SunoMockFactory, generate_body

GENERATE = "/api/v1/generate"


def manual(server: MockServer) -> ManualClock:
    assert isinstance(server.clock, ManualClock)
    return server.clock


async def control(http: aiohttp.ClientSession, server: MockServer, body: Any) -> Any:
    async with http.post(f"{server.url}/__mock__/scenario", json=body) as resp:
        return resp.status, await resp.json()


def scenario_dir(tmp_path: Path, **files: str) -> Path:
    for name, text in files.items():
        (tmp_path / f"{name}.yaml").write_text(text)
    return tmp_path


async def test_queue_a_scenario_for_the_next_task_only(
    api: Api, suno_mock: SunoMock, http: aiohttp.ClientSession, callback_receiver: CallbackReceiver
) -> None:
    status, state = await control(http, suno_mock, {"next": "maintenance"})
    assert (status, state["queued"], state["default"]) == (200, ["maintenance"], None)

    # API faults come before validation, as at a gateway: even a bad body gets the 455.
    _, envelope = await api.post(GENERATE, generate_body(callback_receiver.url, model="V9"))
    assert envelope == {"code": 455, "msg": "System maintenance.", "data": None}
    task_id = await api.submit(GENERATE, generate_body(callback_receiver.url))
    assert suno_mock.task(task_id).scenario is None


async def test_queued_scenario_shapes_the_next_task(
    api: Api, suno_mock: SunoMock, http: aiohttp.ClientSession, callback_receiver: CallbackReceiver
) -> None:
    await control(http, suno_mock, {"next": "skip-to-complete"})
    # A request rejected by validation does not use the queued scenario up.
    assert (await api.post(GENERATE, generate_body(callback_receiver.url, model="V9")))[1][
        "code"
    ] == 400
    scripted = await api.submit(GENERATE, generate_body(callback_receiver.url))
    plain = await api.submit(GENERATE, generate_body(callback_receiver.url))
    await manual(suno_mock).advance(150)
    assert [d.callback_type for d in suno_mock.deliveries(scripted)] == ["complete"]
    assert [d.callback_type for d in suno_mock.deliveries(plain)] == ["text", "first", "complete"]
    async with http.get(f"{suno_mock.url}/__mock__/tasks") as resp:
        summaries = (await resp.json())["tasks"]
    assert [t["scenario"] for t in summaries] == ["skip-to-complete", None]


async def test_default_scenario_can_be_set_and_cleared(
    api: Api, suno_mock: SunoMock, http: aiohttp.ClientSession, callback_receiver: CallbackReceiver
) -> None:
    _, state = await control(http, suno_mock, {"default": "too-frequent"})
    assert state["default"] == "too-frequent"
    for _ in range(2):
        assert (await api.post(GENERATE, generate_body(callback_receiver.url)))[1]["code"] == 430
    _, state = await control(http, suno_mock, {"default": None})
    assert state["default"] is None
    await api.submit(GENERATE, generate_body(callback_receiver.url))


async def test_unknown_scenario_name_is_a_clear_400(
    suno_mock: SunoMock, http: aiohttp.ClientSession
) -> None:
    status, envelope = await control(http, suno_mock, {"next": "nonesuch"})
    assert (status, envelope["code"]) == (400, 400)
    assert envelope["msg"].startswith("unknown scenario 'nonesuch'; allowed: audio-conflict")
    status, envelope = await control(http, suno_mock, {"later": "x"})
    assert envelope["msg"] == 'body: send {"default": NAME or null} or {"next": NAME}'


async def test_match_rules_route_requests(
    suno_mock_factory: SunoMockFactory,
    http: aiohttp.ClientSession,
    callback_receiver: CallbackReceiver,
    tmp_path: Path,
) -> None:
    folder = scenario_dir(
        tmp_path,
        copyright="version: 1\nmatch: {prompt_contains: copyright}\nstages: {}\n"
        "error: {after: 5s, code: 400, msg: copyrighted}\n",
        v4="version: 1\nmatch: {model: V4, operation: generate}\nstages: {complete: 10s}\n",
        unrouted="version: 1\nstages: {text: 1s}\n",
    )
    server = await suno_mock_factory(scenario_dirs=(str(folder),))
    api = Api(http, server.url)
    flagged = await api.submit(
        GENERATE, generate_body(callback_receiver.url, prompt="a COPYRIGHT song")
    )
    v4 = await api.submit(GENERATE, generate_body(callback_receiver.url, model="V4"))
    plain = await api.submit(GENERATE, generate_body(callback_receiver.url))
    await manual(server).advance(150)
    assert [d.callback_type for d in server.deliveries(flagged)] == ["error"]
    assert [d.callback_type for d in server.deliveries(v4)] == ["complete"]
    assert [d.callback_type for d in server.deliveries(plain)] == ["text", "first", "complete"]
    async with http.get(f"{server.url}/__mock__/scenarios") as resp:
        assert (await resp.json())["rules"] == ["copyright", "v4"]


async def test_api_fault_for_the_next_n_requests(
    suno_mock_factory: SunoMockFactory, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    folder = scenario_dir(tmp_path, busy="version: 1\napi: {respond: 430, times: 2}\n")
    server = await suno_mock_factory(scenario="busy", scenario_dirs=(str(folder),))
    api = Api(http, server.url)
    codes = [
        (await api.post(GENERATE, generate_body("http://127.0.0.1:9/cb")))[1]["code"]
        for _ in range(3)
    ]
    assert codes == [430, 430, 200]
    assert [r.code for r in server.requests] == [430, 430, 200]
    assert server.requests[0].response == {
        "code": 430,
        "msg": "Your call frequency is too high. Please try again later.",
        "data": None,
    }


async def test_a_body_that_is_not_an_object_runs_under_no_scenario(
    api: Api, suno_mock: SunoMock, http: aiohttp.ClientSession, callback_receiver: CallbackReceiver
) -> None:
    """A JSON list is refused as a body before any scenario is picked: the queued one is
    neither applied (no 455) nor spent (the next submit gets it)."""
    await control(http, suno_mock, {"next": "maintenance"})
    _, envelope = await api.post(GENERATE, [generate_body(callback_receiver.url)])
    assert envelope == {
        "code": 400,
        "msg": "body: must be a JSON object, got a JSON list",
        "data": None,
    }
    _, envelope = await api.post(GENERATE, generate_body(callback_receiver.url))
    assert envelope["code"] == 455


def test_clearing_the_queue_keeps_the_api_fault_counts(tmp_path: Path) -> None:
    """`clear_queue` (drift's replay between requests) forgets the queue only; the server's
    reset also forgets how often a scenario's API fault was applied (`times`)."""
    folder = scenario_dir(tmp_path, busy="version: 1\napi: {respond: 430, times: 1}\n")
    library = ScenarioLibrary([folder], default="busy")
    assert library.api_fault(library.select("generate", {})) is not None
    library.queue("busy")
    library.clear_queue()
    assert library.queued == []
    assert library.api_fault(library.select("generate", {})) is None  # its one time is used
    library.reset()
    assert library.api_fault(library.select("generate", {})) is not None


async def test_api_latency_and_dropped_connection(
    suno_mock_factory: SunoMockFactory, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    folder = scenario_dir(
        tmp_path,
        slow="version: 1\napi: {latency: 150ms}\n",
        drop="version: 1\napi: {drop_connection: true, times: 1}\n",
    )
    server = await suno_mock_factory(scenario_dirs=(str(folder),))
    api = Api(http, server.url)
    await control(http, server, {"next": "slow"})
    started = time.perf_counter()
    await api.submit(GENERATE, generate_body("http://127.0.0.1:9/cb"))
    assert time.perf_counter() - started >= 0.15

    await control(http, server, {"next": "drop"})
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await api.post(GENERATE, generate_body("http://127.0.0.1:9/cb"))
    assert (server.requests[-1].http_status, server.requests[-1].response) == (0, None)
    assert len(server.tasks()) == 1


async def test_delivery_faults(
    suno_mock_factory: SunoMockFactory,
    http: aiohttp.ClientSession,
    callback_receiver: CallbackReceiver,
    tmp_path: Path,
) -> None:
    folder = scenario_dir(
        tmp_path,
        faulty="version: 1\ndelivery: {drop: [text], late: {complete: 5m}, malformed: first}\n",
    )
    server = await suno_mock_factory(scenario="faulty", scenario_dirs=(str(folder),))
    clock = manual(server)
    start = clock.now()
    task_id = await Api(http, server.url).submit(GENERATE, generate_body(callback_receiver.url))
    await clock.advance(150)
    assert [r.callback_type for r in callback_receiver.requests] == [
        None
    ]  # only the malformed first
    with pytest.raises(json.JSONDecodeError):
        json.loads(callback_receiver.requests[0].raw)
    assert callback_receiver.requests[0].raw.startswith(b'{"code":200,"msg":"First audio')

    await clock.advance(minutes=5)
    assert callback_receiver.requests[-1].callback_type == "complete"
    text, first, complete = server.deliveries(task_id)
    assert (text.callback_type, text.state, text.attempts) == ("text", "dropped", [])
    assert (first.state, complete.state) == ("delivered", "delivered")
    assert complete.attempts[0].started_at - start == 150 + 300


async def test_retry_and_timeout_overrides(
    suno_mock_factory: SunoMockFactory,
    http: aiohttp.ClientSession,
    callback_receiver: CallbackReceiver,
    tmp_path: Path,
) -> None:
    folder = scenario_dir(
        tmp_path, quick="version: 1\nstages: {text: 0s}\ndelivery: {retry_delays: [5s]}\n"
    )
    server = await suno_mock_factory(scenario="quick", scenario_dirs=(str(folder),))
    callback_receiver.respond_with([500])
    task_id = await Api(http, server.url).submit(GENERATE, generate_body(callback_receiver.url))
    await manual(server).advance(60)
    (text,) = server.deliveries(task_id)
    assert [a.scheduled_at - text.attempts[0].scheduled_at for a in text.attempts] == [0, 5]
    assert (text.state, text.retry_delays, text.timeout) == ("exhausted", (5.0,), 15.0)


async def test_payload_overrides(
    suno_mock_factory: SunoMockFactory,
    http: aiohttp.ClientSession,
    callback_receiver: CallbackReceiver,
    tmp_path: Path,
) -> None:
    folder = scenario_dir(
        tmp_path,
        looks="version: 1\npayload: {title: Fixed Title, tags: test tags, tracks: 3,"
        " durations: [61.5, 62.25], text_tracks: true, create_time: string}\n",
    )
    server = await suno_mock_factory(scenario="looks", scenario_dirs=(str(folder),))
    api = Api(http, server.url)
    task_id = await api.submit(
        GENERATE, generate_body(callback_receiver.url, customMode=False, title=None, style=None)
    )
    await manual(server).advance(150)
    text, _, complete = (r.json["data"]["data"] for r in callback_receiver.requests)
    assert len(text) == 3
    assert all(t["audio_url"] == "" for t in text)
    assert [t["duration"] for t in complete][:2] == [61.5, 62.25]
    assert {(t["title"], t["tags"]) for t in complete} == {("Fixed Title", "test tags")}
    assert complete[0]["createTime"] == "2026-01-01 00:00:00"
    info = await api.record_info(task_id)
    assert len(info["response"]["sunoData"]) == 3


async def test_webhook_signature_and_the_bad_signature_fault(
    suno_mock_factory: SunoMockFactory,
    http: aiohttp.ClientSession,
    callback_receiver: CallbackReceiver,
    tmp_path: Path,
) -> None:
    folder = scenario_dir(tmp_path, forged="version: 1\ndelivery: {bad_signature: [first]}\n")
    server = await suno_mock_factory(
        webhook_hmac_key="s3cret", scenario="forged", scenario_dirs=(str(folder),)
    )
    task_id = await Api(http, server.url).submit(GENERATE, generate_body(callback_receiver.url))
    await manual(server).advance(150)
    verdicts = []
    for received in callback_receiver.requests:
        timestamp = received.headers["X-Webhook-Timestamp"]
        assert abs(int(timestamp) - time.time()) < 60  # the wall clock, whatever the mock's
        expected = base64.b64encode(
            hmac.new(b"s3cret", f"{task_id}.{timestamp}".encode(), hashlib.sha256).digest()
        ).decode()
        verdicts.append(received.headers["X-Webhook-Signature"] == expected)
    assert verdicts == [True, False, True]


async def test_webhook_timestamp_is_wall_clock_time_whatever_the_mock_clock(
    suno_mock_factory: SunoMockFactory,
    http: aiohttp.ClientSession,
    callback_receiver: CallbackReceiver,
) -> None:
    # The manual clock starts on 2026-01-01 and then jumps three days ahead; a receiver checks
    # freshness against its own clock, so the signed timestamp must be the wall clock's.
    server = await suno_mock_factory(webhook_hmac_key="s3cret")
    await manual(server).advance(3 * 86400)
    task_id = await Api(http, server.url).submit(GENERATE, generate_body(callback_receiver.url))
    await manual(server).advance(150)
    assert len(callback_receiver.requests) == 3
    for received in callback_receiver.requests:
        timestamp = int(received.headers["X-Webhook-Timestamp"])
        assert abs(timestamp - time.time()) < 60, (timestamp, server.clock.now())
        expected = base64.b64encode(
            hmac.new(b"s3cret", f"{task_id}.{timestamp}".encode(), hashlib.sha256).digest()
        ).decode()
        assert received.headers["X-Webhook-Signature"] == expected


async def test_no_signature_headers_by_default(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    await api.submit(GENERATE, generate_body(callback_receiver.url))
    await manual(suno_mock).advance(30)
    assert "X-Webhook-Signature" not in callback_receiver.requests[0].headers


async def test_python_api_selects_scenarios(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    suno_mock.use_scenario("skip-to-complete")
    suno_mock.next_task(scenario="sensitive-word")
    first = await api.submit(GENERATE, generate_body(callback_receiver.url))
    second = await api.submit(GENERATE, generate_body(callback_receiver.url))
    suno_mock.use_scenario(None)
    third = await api.submit(GENERATE, generate_body(callback_receiver.url))
    assert [t.scenario.name if t.scenario else None for t in suno_mock.tasks()] == [
        "sensitive-word",
        "skip-to-complete",
        None,
    ]
    assert [first, second, third] == [t.id for t in suno_mock.tasks()]


async def test_swap_with_a_dropped_or_missing_later_stage_still_sends(
    suno_mock_factory: SunoMockFactory,
    http: aiohttp.ClientSession,
    callback_receiver: CallbackReceiver,
    tmp_path: Path,
) -> None:
    folder = scenario_dir(
        tmp_path,
        dropped="version: 1\ndelivery: {swap: [first, complete], drop: [complete]}\n",
        failed="version: 1\nstages: {text: 1s, first: 2s}\n"
        "error: {after: 3s, code: 500, msg: x}\ndelivery: {swap: [text, first]}\n",
    )
    server = await suno_mock_factory(scenario_dirs=(str(folder),))
    api = Api(http, server.url)
    server.next_task(scenario="dropped")
    dropped = await api.submit(GENERATE, generate_body(callback_receiver.url))
    server.next_task(scenario="failed")
    failed = await api.submit(GENERATE, generate_body(callback_receiver.url))
    await manual(server).advance(150)
    assert [(d.callback_type, d.state) for d in server.deliveries(dropped)] == [
        ("text", "delivered"),
        ("complete", "dropped"),
        ("first", "delivered"),
    ]
    assert [d.callback_type for d in server.deliveries(failed)] == ["first", "text", "error"]
