"""Callbacks: exact stage payloads, timing on the clock, the retry policy, timeouts, blocking."""

from __future__ import annotations

import asyncio
import gzip
import logging
import socket
import time
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from mock_server import ManualClock, MockServer, StageDelays
from mock_server.core.net import host_allowed
from mock_server.delivery.dispatcher import RESPONSE_BODY_LIMIT
from mock_server.testing import SunoMock
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import Api, SunoMockFactory, generate_body

GENERATE = "/api/v1/generate"
FULL_TRACK = {
    "id",
    "audio_url",
    "source_audio_url",
    "stream_audio_url",
    "source_stream_audio_url",
    "image_url",
    "source_image_url",
    "prompt",
    "model_name",
    "title",
    "tags",
    "createTime",
    "duration",
}
PARTIAL_TRACK = FULL_TRACK - {"source_audio_url", "duration"}
EARLY_TEXT_ONLY = StageDelays(text=0, first=100_000, complete=100_000)


def manual(server: MockServer) -> ManualClock:
    assert isinstance(server.clock, ManualClock)
    return server.clock


def check_envelope(body: Any, stage: str, task_id: str, msg: str) -> list[dict[str, Any]]:
    assert set(body) == {"code", "msg", "data"}
    assert (body["code"], body["msg"]) == (200, msg)
    assert set(body["data"]) == {"callbackType", "task_id", "data"}
    assert (body["data"]["callbackType"], body["data"]["task_id"]) == (stage, task_id)
    items = body["data"]["data"]
    assert isinstance(items, list)
    return items


def check_track(item: dict[str, Any], server: MockServer, *, done: bool) -> None:
    assert set(item) == (FULL_TRACK if done else PARTIAL_TRACK)
    track_id = item["id"]
    assert item["stream_audio_url"] == f"{server.url}/files/stream/{track_id}"
    assert item["source_stream_audio_url"] == f"{server.url}/files/source-stream/{track_id}"
    assert item["image_url"] == f"{server.url}/files/image/{track_id}.jpeg"
    assert item["source_image_url"] == f"{server.url}/files/source-image/{track_id}.jpeg"
    assert isinstance(item["createTime"], int)
    assert item["model_name"] == "chirp-bluejay"
    assert (item["title"], item["tags"]) == ("Silver Moon", "indie pop, dreamy synths")
    assert item["prompt"] == "[Verse]\nStreetlights hum a quiet tune"
    if done:
        assert item["audio_url"] == f"{server.url}/files/audio/{track_id}.mp3"
        assert item["source_audio_url"] == f"{server.url}/files/source-audio/{track_id}.mp3"
        assert isinstance(item["duration"], float)
        assert 120 <= item["duration"] <= 240
    else:
        assert item["audio_url"] == ""


async def test_three_stages_arrive_in_order_with_exact_shapes(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    clock = manual(suno_mock)
    start = clock.now()
    task_id = await api.submit(GENERATE, generate_body(callback_receiver.url))
    await clock.advance(29.9)
    assert callback_receiver.requests == []

    await clock.advance(0.1)
    (text,) = callback_receiver.requests
    assert check_envelope(text.json, "text", task_id, "Text generation completed.") == []
    assert text.headers["Content-Type"] == "application/json"

    await clock.advance(30)
    first = callback_receiver.requests[1]
    one, two = check_envelope(first.json, "first", task_id, "First audio generated successfully.")
    check_track(one, suno_mock, done=True)
    check_track(two, suno_mock, done=False)

    await clock.advance(90)
    complete = callback_receiver.requests[2]
    tracks = check_envelope(complete.json, "complete", task_id, "All generated successfully.")
    assert len(tracks) == 2
    for item in tracks:
        check_track(item, suno_mock, done=True)
    assert tracks[0]["id"] == one["id"]
    assert tracks[1]["id"] == two["id"]
    assert tracks[0]["createTime"] == int(start * 1000)

    deliveries = suno_mock.deliveries(task_id)
    assert [d.callback_type for d in deliveries] == ["text", "first", "complete"]
    assert [d.attempts[0].started_at - start for d in deliveries] == [30, 60, 150]
    assert all(d.state == "delivered" and d.response_status == 200 for d in deliveries)
    assert deliveries[0].attempts[0].response_body == '{"status": "received"}'
    assert [r.raw for r in callback_receiver.requests] == [d.payload for d in deliveries]


async def test_stage_delays_are_settings(
    suno_mock_factory: SunoMockFactory, http: Any, callback_receiver: CallbackReceiver
) -> None:
    server = await suno_mock_factory(stage_delays=StageDelays(text=1, first=2, complete=5))
    api = Api(http, server.url)
    await api.submit(GENERATE, generate_body(callback_receiver.url))
    await manual(server).advance(4.9)
    assert [r.callback_type for r in callback_receiver.requests] == ["text", "first"]
    await manual(server).advance(0.1)
    assert [r.callback_type for r in callback_receiver.requests] == ["text", "first", "complete"]


async def test_text_callback_can_carry_tracks(
    suno_mock_factory: SunoMockFactory, http: Any, callback_receiver: CallbackReceiver
) -> None:
    server = await suno_mock_factory(text_callback_tracks=True)
    await Api(http, server.url).submit(GENERATE, generate_body(callback_receiver.url))
    await manual(server).advance(30)
    items = callback_receiver.requests[0].json["data"]["data"]
    assert len(items) == 2
    for item in items:
        check_track(item, server, done=False)


async def test_create_time_can_be_the_documented_string(
    suno_mock_factory: SunoMockFactory, http: Any, callback_receiver: CallbackReceiver
) -> None:
    server = await suno_mock_factory(create_time_format="string")
    await Api(http, server.url).submit(GENERATE, generate_body(callback_receiver.url))
    await manual(server).advance(150)
    item = callback_receiver.requests[-1].json["data"]["data"][0]
    assert item["createTime"] == "2026-01-01 00:00:00"


async def test_failed_callback_is_retried_after_1_then_5_minutes(
    suno_mock_factory: SunoMockFactory, http: Any, callback_receiver: CallbackReceiver
) -> None:
    server = await suno_mock_factory(stage_delays=EARLY_TEXT_ONLY)
    clock = manual(server)
    callback_receiver.respond_with(statuses=[500, 503, 200])
    start = clock.now()
    task_id = await Api(http, server.url).submit(GENERATE, generate_body(callback_receiver.url))
    await clock.advance(minutes=30)

    (delivery,) = server.deliveries(task_id)
    assert [a.started_at - start for a in delivery.attempts] == [0, 60, 360]
    assert [a.scheduled_at - start for a in delivery.attempts] == [0, 60, 360]
    assert [a.status for a in delivery.attempts] == [500, 503, 200]
    assert [a.outcome for a in delivery.attempts] == ["failed", "failed", "delivered"]
    assert delivery.attempts[0].error == "receiver answered HTTP 500; only 200 counts as delivered"
    assert delivery.state == "delivered"
    assert len(callback_receiver.requests) == 3
    assert len({r.raw for r in callback_receiver.requests}) == 1  # a retry resends the same bytes
    assert server.task(task_id).status == "TEXT_SUCCESS"


async def test_exhausted_retries_stop_and_mark_callback_exception(
    suno_mock_factory: SunoMockFactory, http: Any, callback_receiver: CallbackReceiver
) -> None:
    server = await suno_mock_factory(stage_delays=EARLY_TEXT_ONLY)
    clock = manual(server)
    callback_receiver.respond_with(statuses=[500])
    start = clock.now()
    api = Api(http, server.url)
    task_id = await api.submit(GENERATE, generate_body(callback_receiver.url))
    await clock.advance(minutes=21)

    (delivery,) = server.deliveries(task_id)
    assert [a.started_at - start for a in delivery.attempts] == [0, 60, 360, 1260]
    assert delivery.state == "exhausted"
    info = await api.record_info(task_id)
    assert info["status"] == "CALLBACK_EXCEPTION"

    await clock.advance(minutes=60)
    assert len(delivery.attempts) == 4
    assert len(callback_receiver.requests) == 4


async def test_retry_schedule_is_a_setting(
    suno_mock_factory: SunoMockFactory, http: Any, callback_receiver: CallbackReceiver
) -> None:
    server = await suno_mock_factory(stage_delays=EARLY_TEXT_ONLY, retry_delays=(10,))
    callback_receiver.respond_with(statuses=[500])
    start = manual(server).now()
    task_id = await Api(http, server.url).submit(GENERATE, generate_body(callback_receiver.url))
    await manual(server).advance(minutes=30)
    (delivery,) = server.deliveries(task_id)
    assert [a.started_at - start for a in delivery.attempts] == [0, 10]
    assert delivery.state == "exhausted"


async def test_receiver_slower_than_the_timeout_is_a_failure(
    suno_mock_factory: SunoMockFactory, http: Any, callback_receiver: CallbackReceiver
) -> None:
    server = await suno_mock_factory(stage_delays=EARLY_TEXT_ONLY, callback_timeout=0.1)
    callback_receiver.respond_with(statuses=[200], delay=0.4)
    task_id = await Api(http, server.url).submit(GENERATE, generate_body(callback_receiver.url))
    await manual(server).advance(0)

    (delivery,) = server.deliveries(task_id)
    (attempt,) = delivery.attempts
    assert attempt.outcome == "failed"
    assert attempt.status is None
    assert attempt.error == "timed out: no answer within callback_timeout=0.1 s"
    assert attempt.latency_ms is not None
    assert 100 <= attempt.latency_ms < 400
    assert delivery.next_attempt_at == manual(server).now() + 60

    callback_receiver.respond_with(statuses=[200])
    await manual(server).advance(60)
    assert delivery.state == "delivered"
    assert [a.number for a in delivery.attempts] == [1, 2]


async def test_unreachable_receiver_is_a_connection_failure(
    suno_mock_factory: SunoMockFactory, http: Any
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    server = await suno_mock_factory(stage_delays=EARLY_TEXT_ONLY)
    url = f"http://127.0.0.1:{closed_port}/cb"
    task_id = await Api(http, server.url).submit(GENERATE, generate_body(url))
    await manual(server).advance(0)
    (attempt,) = server.deliveries(task_id)[0].attempts
    assert attempt.outcome == "failed"
    assert attempt.error is not None
    assert attempt.error.startswith("connection failed: ClientConnectorError")


async def test_redirects_are_failures_and_not_followed(
    suno_mock_factory: SunoMockFactory, http: Any, callback_receiver: CallbackReceiver
) -> None:
    server = await suno_mock_factory(stage_delays=EARLY_TEXT_ONLY)
    callback_receiver.respond_with(statuses=[302, 200])
    task_id = await Api(http, server.url).submit(GENERATE, generate_body(callback_receiver.url))
    await manual(server).advance(0)
    (delivery,) = server.deliveries(task_id)
    assert [a.status for a in delivery.attempts] == [302]
    assert delivery.state == "pending"
    assert len(callback_receiver.requests) == 1


async def test_non_loopback_target_is_blocked_and_never_contacted(
    api: Api, suno_mock: SunoMock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="mock_server.delivery.dispatcher")
    task_id = await api.submit(GENERATE, generate_body("https://client.example/suno/callback"))
    await manual(suno_mock).advance(150)

    deliveries = suno_mock.deliveries(task_id)
    assert [d.state for d in deliveries] == ["blocked"] * 3
    attempt = deliveries[0].attempts[0]
    assert (attempt.outcome, attempt.status, attempt.latency_ms) == ("blocked", None, None)
    assert attempt.error == (
        "not sent: 'client.example' is not a loopback host; allow it with --allow-callback-host "
        "client.example (env SUNO_MOCK_ALLOW_CALLBACK_HOST, setting allow_callback_hosts)"
    )
    assert "--allow-callback-host client.example" in caplog.text
    # The task itself still completes, so a polling client keeps working.
    assert (await api.record_info(task_id))["status"] == "SUCCESS"


@pytest.mark.parametrize(
    ("host", "allowed", "expected"),
    [
        ("127.0.0.1", (), True),
        ("127.8.9.10", (), True),
        ("::1", (), True),
        ("[::1]", (), True),
        ("localhost", (), True),
        ("LocalHost", (), True),
        ("example.com", (), False),
        ("10.0.0.5", (), False),
        ("192.168.1.2", (), False),
        ("files.invalid", ("files.invalid",), True),
        ("Files.Invalid", ("files.invalid",), True),
        ("other.invalid", ("files.invalid",), False),
        ("anything.invalid", ("*",), True),
        ("", ("*",), False),
        (None, (), False),
    ],
)
def test_host_allow_list(host: str | None, allowed: tuple[str, ...], expected: bool) -> None:
    assert host_allowed(host, allowed) is expected


async def test_shutdown_cancels_pending_work(
    suno_mock_factory: SunoMockFactory, http: Any, callback_receiver: CallbackReceiver
) -> None:
    server = await suno_mock_factory()
    await Api(http, server.url).submit(GENERATE, generate_body(callback_receiver.url))
    assert server.clock.pending() == 1  # one timer a task: each stage sets the next
    await server.close()
    assert server.clock.pending() == 0
    assert callback_receiver.requests == []


async def test_a_hanging_receiver_does_not_delay_another(
    suno_mock_factory: SunoMockFactory, http: Any, callback_receiver: CallbackReceiver
) -> None:
    # 128 callbacks to a receiver that never answers in time, then 10 to a healthy one: the
    # hanging receiver holds its own connections (two rounds of them), none the healthy
    # receiver needs.
    server = await suno_mock_factory(
        stage_delays=EARLY_TEXT_ONLY, callback_timeout=0.3, rate_limit="off"
    )
    callback_receiver.respond_with(statuses=[200], delay=0.5)
    api = Api(http, server.url)
    async with CallbackReceiver() as healthy:
        hanging = [
            await api.submit(GENERATE, generate_body(callback_receiver.url)) for _ in range(128)
        ]
        fine = [await api.submit(GENERATE, generate_body(healthy.url)) for _ in range(10)]
        await manual(server).advance(0)

        for task_id in fine:
            (delivery,) = server.deliveries(task_id)
            assert [(a.outcome, a.error) for a in delivery.attempts] == [("delivered", None)]
        for task_id in hanging:
            (attempt,) = server.deliveries(task_id)[0].attempts
            assert attempt.error == "timed out: no answer within callback_timeout=0.3 s"
        assert len(healthy.requests) == 10


async def test_waiting_for_a_connection_is_not_the_receivers_time(
    suno_mock_factory: SunoMockFactory, http: Any, callback_receiver: CallbackReceiver
) -> None:
    # Two connections per receiver, 8 callbacks answered in 0.1 s each, a 0.3 s timeout: the
    # last ones wait ~0.3 s in the mock for a connection, and that wait is not held against it.
    server = await suno_mock_factory(
        stage_delays=EARLY_TEXT_ONLY, callback_timeout=0.3, callback_connections_per_host=2
    )
    callback_receiver.respond_with(statuses=[200], delay=0.1)
    api = Api(http, server.url)
    ids = [await api.submit(GENERATE, generate_body(callback_receiver.url)) for _ in range(8)]
    await manual(server).advance(0)

    for task_id in ids:
        (delivery,) = server.deliveries(task_id)
        assert [(a.outcome, a.error) for a in delivery.attempts] == [("delivered", None)]
        latency = delivery.attempts[0].latency_ms
        assert latency is not None
        assert latency < 300
    arrived = sorted(r.arrived for r in callback_receiver.requests)
    assert arrived[2] - arrived[1] >= 0.09  # two at a time: four waves
    assert arrived[-1] - arrived[0] >= 0.29


async def test_attempts_waiting_for_a_connection_are_cancelled_by_reset_without_leaking_it(
    suno_mock_factory: SunoMockFactory, http: Any, callback_receiver: CallbackReceiver
) -> None:
    server = await suno_mock_factory(stage_delays=EARLY_TEXT_ONLY, callback_connections_per_host=1)
    callback_receiver.respond_with(statuses=[200], delay=0.2)
    api = Api(http, server.url)
    for _ in range(3):
        await api.submit(GENERATE, generate_body(callback_receiver.url))
    advancing = asyncio.create_task(manual(server).advance(0))
    await callback_receiver.wait_for(1, timeout=2)  # one answered, one in flight, one waits
    assert await server.reset() == 6  # two deliveries, three later stages, and the advance
    await advancing
    callback_receiver.respond_with(statuses=[200])

    task_id = await api.submit(GENERATE, generate_body(callback_receiver.url))
    await asyncio.wait_for(manual(server).advance(0), 2)  # the connection was given back
    assert [d.state for d in server.deliveries(task_id)] == ["delivered"]
    assert len(server.tasks()) == 1


async def test_the_mocks_own_stall_is_not_the_receivers_time(
    suno_mock_factory: SunoMockFactory, http: Any, callback_receiver: CallbackReceiver
) -> None:
    # The receiver answers in 0.05 s, well within 0.2 s; but the mock's event loop is blocked
    # for 0.4 s while the attempt is under way (a busy or starved process).
    server = await suno_mock_factory(stage_delays=EARLY_TEXT_ONLY, callback_timeout=0.2)
    callback_receiver.respond_with(statuses=[200], delay=0.05)
    task_id = await Api(http, server.url).submit(GENERATE, generate_body(callback_receiver.url))
    asyncio.get_running_loop().call_later(0.01, time.sleep, 0.4)
    await manual(server).advance(0)

    (attempt,) = server.deliveries(task_id)[0].attempts
    assert (attempt.outcome, attempt.error) == ("delivered", None)
    assert attempt.latency_ms is not None
    assert attempt.latency_ms > 400  # longer than the timeout, in wall-clock time
    assert attempt.held_up_ms is not None
    assert attempt.held_up_ms >= 200


async def test_a_stall_does_not_save_a_receiver_that_is_too_slow(
    suno_mock_factory: SunoMockFactory, http: Any, callback_receiver: CallbackReceiver
) -> None:
    server = await suno_mock_factory(stage_delays=EARLY_TEXT_ONLY, callback_timeout=0.2)
    callback_receiver.respond_with(statuses=[200], delay=1.0)
    task_id = await Api(http, server.url).submit(GENERATE, generate_body(callback_receiver.url))
    asyncio.get_running_loop().call_later(0.01, time.sleep, 0.3)
    await manual(server).advance(0)

    (attempt,) = server.deliveries(task_id)[0].attempts
    assert attempt.outcome == "failed"
    assert attempt.error is not None
    assert attempt.error == "timed out: no answer within callback_timeout=0.2 s"
    assert attempt.held_up_ms is not None
    assert attempt.held_up_ms == 200  # once, and never more than the timeout again
    assert attempt.latency_ms is not None
    assert 500 <= attempt.latency_ms < 1000


@pytest.mark.parametrize("gzipped", [False, True])
async def test_a_long_receiver_answer_is_kept_to_64_kib(
    suno_mock_factory: SunoMockFactory, http: Any, gzipped: bool
) -> None:
    """A long answer, plain or compressed (whose length says nothing about what it expands
    to), is kept to its first 64 KiB."""
    answer = b"x" * (200 * 1024)

    async def receive(request: web.Request) -> web.Response:
        await request.read()
        body = gzip.compress(answer) if gzipped else answer
        headers = {"Content-Encoding": "gzip"} if gzipped else {}
        return web.Response(body=body, headers=headers)

    app = web.Application()
    app.router.add_post("/cb", receive)
    async with TestServer(app, host="127.0.0.1") as receiver:
        server = await suno_mock_factory(stage_delays=EARLY_TEXT_ONLY)
        callback = str(receiver.make_url("/cb"))
        task_id = await Api(http, server.url).submit(GENERATE, generate_body(callback))
        await manual(server).advance(0)
        (delivery,) = server.deliveries(task_id)
        assert delivery.state == "delivered"
        assert delivery.attempts[0].response_body == "x" * RESPONSE_BODY_LIMIT


async def test_the_receiver_answers_what_json_response_would() -> None:
    import aiohttp

    async with CallbackReceiver() as receiver, aiohttp.ClientSession() as http:
        receiver.respond_with([200, 503])
        answers = []
        for _ in range(2):
            async with http.post(receiver.url, data=b"{}") as resp:
                answers.append((resp.status, resp.headers["Content-Type"], await resp.read()))
    expected = [
        web.json_response({"status": "received"}),
        web.json_response({"status": "error"}, status=503),
    ]
    assert answers == [(e.status, e.headers["Content-Type"], e.body) for e in expected]


async def test_receiver_waits_end_when_their_count_has_arrived() -> None:
    import aiohttp

    async with CallbackReceiver() as receiver, aiohttp.ClientSession() as http:
        one, two = (asyncio.ensure_future(receiver.wait_for(n, timeout=5)) for n in (1, 2))
        async with http.post(receiver.url, data=b'{"n": 1}') as resp:
            assert resp.status == 200
        assert [r.raw for r in await one] == [b'{"n": 1}']
        assert not two.done()
        async with http.post(receiver.url, data=b'{"n": 2}') as resp:
            assert resp.status == 200
        assert len(await two) == 2
        assert len(await receiver.wait_for(2)) == 2  # arrived already: at once
        with pytest.raises(AssertionError, match=r"expected 3 callbacks within 0.05 s, got 2"):
            await receiver.wait_for(3, timeout=0.05)
        assert receiver._waiters == []
