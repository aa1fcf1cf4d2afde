"""The /__mock__/ control plane: tasks, deliveries, requests, health, reset."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest

from mock_server import ManualClock
from mock_server.core.reclaim import reclaim
from mock_server.testing import SunoMock
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import Api, generate_body

# These tests load the control plane with many tasks: the submit rate limit is off.
pytestmark = pytest.mark.suno_mock(rate_limit="off")


async def get_json(http: aiohttp.ClientSession, url: str) -> Any:
    async with http.get(url) as resp:
        assert resp.status == 200
        return await resp.json()


async def test_tasks_and_deliveries_are_visible(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    task_id = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    callback_receiver.respond_with(statuses=[500, 200])
    await suno_mock.clock.advance(150)
    async with aiohttp.ClientSession() as http:  # no Authorization: the control plane is open
        tasks = await get_json(http, f"{suno_mock.url}/__mock__/tasks")
        (summary,) = tasks["tasks"]
        assert summary["taskId"] == task_id
        assert (summary["status"], summary["stage"], summary["deliveries"]) == (
            "SUCCESS",
            "complete",
            3,
        )

        detail = await get_json(http, f"{suno_mock.url}/__mock__/tasks/{task_id}")
        assert detail["recordInfo"] == await api.record_info(task_id)
        assert detail["request"] == generate_body(callback_receiver.url)
        assert [h["event"] for h in detail["history"]] == ["PENDING", "text", "first", "complete"]
        text = detail["deliveries"][0]
        assert text["callbackType"] == "text"
        # The first attempt got a 500; the retry a minute later was accepted.
        assert (text["state"], text["nextAttemptAt"]) == ("delivered", None)
        assert [a["status"] for a in text["attempts"]] == [500, 200]
        assert [a["startedAt"] - a["scheduledAt"] for a in text["attempts"]] == [0, 0]
        assert text["attempts"][1]["scheduledAt"] - text["attempts"][0]["scheduledAt"] == 60
        assert text["payload"]["data"]["task_id"] == task_id

        deliveries = await get_json(http, f"{suno_mock.url}/__mock__/deliveries?taskId={task_id}")
        assert [d["callbackType"] for d in deliveries["deliveries"]] == [
            "text",
            "first",
            "complete",
        ]
        assert (await get_json(http, f"{suno_mock.url}/__mock__/deliveries?taskId=other")) == {
            "deliveries": [],
            "next": 0,
            "more": False,
            "total": 0,
        }

        requests = await get_json(http, f"{suno_mock.url}/__mock__/requests")
        (record,) = [r for r in requests["requests"] if r["method"] == "POST"]
        assert (record["path"], record["code"], record["httpStatus"]) == (
            "/api/v1/generate",
            200,
            200,
        )
        assert record["body"] == generate_body(callback_receiver.url)
        assert record["response"]["data"]["taskId"] == task_id


async def test_unknown_task_is_404(suno_mock: SunoMock) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"{suno_mock.url}/__mock__/tasks/x") as r:
        assert r.status == 404
        assert (await r.json())["msg"] == "no task with id 'x'"


async def test_reset_forgets_everything_and_cancels_pending(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{suno_mock.url}/__mock__/reset", json={}) as resp:
            assert await resp.json() == {"reset": True, "cancelled": 1}
        health = await get_json(http, f"{suno_mock.url}/__mock__/health")
    assert (health["status"], health["tasks"], health["pendingTimers"]) == ("ok", 0, 0)
    assert suno_mock.requests == []
    await suno_mock.clock.advance(3600)
    assert callback_receiver.requests == []


# The handler's crash is what this test provokes: the plugin's teardown check would fail it.
@pytest.mark.suno_mock(check_teardown=False)
async def test_a_bug_in_the_mock_is_a_500_envelope_and_recorded(
    api: Api, suno_mock: SunoMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("simulated bug")

    monkeypatch.setattr(suno_mock.engine.music, "accept", broken)
    status, envelope = await api.post("/api/v1/generate", generate_body("http://127.0.0.1:9/cb"))
    assert (status, envelope["code"], envelope["data"]) == (200, 500, None)
    assert envelope["msg"] == "Server error: the mock crashed (ZeroDivisionError: simulated bug)"
    assert [type(e) for e in suno_mock.engine.errors] == [ZeroDivisionError]


async def test_event_stream_announces_changes(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"{suno_mock.url}/__mock__/events") as r:
        assert r.headers["Content-Type"] == "text/event-stream"
        assert await r.content.readline() == b"retry: 1000\n"
        await r.content.readline()
        task_id = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
        await suno_mock.clock.advance(30)
        seen: list[dict[str, Any]] = []
        expected = [{"type": "task", "id": task_id}, {"type": "delivery", "id": task_id}]
        while not all(event in seen for event in expected):
            line = await asyncio.wait_for(r.content.readline(), 5)
            if line.startswith(b"data: "):
                seen.append(json.loads(line[6:]))
    assert {"type": "request", "id": 1} in seen
    assert seen.count({"type": "task", "id": task_id}) == 2  # created, then reached text


async def test_a_page_that_leaves_the_event_stream_is_no_bug(
    suno_mock: SunoMock, api: Api, callback_receiver: CallbackReceiver
) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"{suno_mock.url}/__mock__/events") as r:
        await r.content.readline()
    for _ in range(3):  # events written to the closed stream
        await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
        await suno_mock.clock.advance(1)
        await asyncio.sleep(0.01)
    assert suno_mock.engine.errors == []


async def test_clock_control_and_resend(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    task_id = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{suno_mock.url}/__mock__/clock", json={"advance": 60}) as resp:
            state = await resp.json()
        assert (state["now"], state["paused"]) == (suno_mock.clock.now(), True)
        assert [r.callback_type for r in callback_receiver.requests] == ["text", "first"]
        headers = {"Content-Type": "application/json"}
        async with http.post(
            f"{suno_mock.url}/__mock__/clock", data=b"{nope", headers=headers
        ) as resp:
            assert resp.status == 400
            assert (await resp.json())["msg"].startswith("body: malformed JSON")
        async with http.post(f"{suno_mock.url}/__mock__/clock", json={"advance": -1}) as resp:
            assert (resp.status, (await resp.json())["msg"]) == (
                400,
                "advance: seconds >= 0, got -1",
            )
        url = f"{suno_mock.url}/__mock__/tasks/{task_id}/resend"
        async with http.post(url, json={"stage": "first"}) as resp:
            delivery = await resp.json()
        assert (delivery["callbackType"], delivery["state"]) == ("first", "delivered")
        assert callback_receiver.requests[-1].raw == callback_receiver.requests[1].raw
        async with http.post(url, json={"stage": "complete"}) as resp:
            assert (await resp.json())["msg"] == (
                f"stage: task {task_id} has no 'complete' callback yet; it has ['first', 'text']"
            )


async def test_dashboard_page_is_self_contained(suno_mock: SunoMock) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"{suno_mock.url}/__mock__/") as resp:
        page = await resp.text()
    assert resp.content_type == "text/html"
    assert "<title>suno-mock-server</title>" in page
    assert 'EventSource("/__mock__/events")' in page
    # No CDN or other external asset: it works offline.
    assert "http://" not in page
    assert "https://" not in page


async def walk(http: aiohttp.ClientSession, url: str, key: str, limit: int) -> list[Any]:
    """Every item of a paged list, following `next` from the start."""
    items: list[Any] = []
    since, more = 0, True
    while more:
        page = await get_json(http, f"{url}{'&' if '?' in url else '?'}since={since}&limit={limit}")
        assert len(page[key]) <= limit
        items += page[key]
        since, more = page["next"], page["more"]
    return items


async def test_lists_come_in_pages_with_a_cursor(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    ids = [
        await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
        for _ in range(130)
    ]
    await suno_mock.clock.advance(30)  # one text callback each
    base = f"{suno_mock.url}/__mock__"
    async with aiohttp.ClientSession() as http:
        # Without paging parameters: the newest 100, oldest first, and a cursor to follow on.
        newest = await get_json(http, f"{base}/tasks")
        assert [t["taskId"] for t in newest["tasks"]] == ids[30:]
        assert (newest["next"], newest["more"], newest["total"]) == (130, False, 130)
        assert await get_json(http, f"{base}/tasks?since=130") == {
            "tasks": [],
            "next": 130,
            "more": False,
            "total": 130,
        }
        assert [t["taskId"] for t in await walk(http, f"{base}/tasks", "tasks", 50)] == ids

        chosen = await get_json(http, f"{base}/tasks?ids={ids[7]},nope,{ids[3]}")
        assert [(t["taskId"], t["deliveries"]) for t in chosen["tasks"]] == [
            (ids[7], 1),
            (ids[3], 1),
        ]

        deliveries = await walk(http, f"{base}/deliveries", "deliveries", 64)
        assert [d["taskId"] for d in deliveries] == ids
        assert [d["id"] for d in deliveries] == [d.id for d in suno_mock.deliveries()]
        newest = await get_json(http, f"{base}/deliveries?limit=5")
        assert [d["taskId"] for d in newest["deliveries"]] == ids[-5:]
        one = await get_json(http, f"{base}/deliveries?taskId={ids[0]}")
        assert ([d["callbackType"] for d in one["deliveries"]], one["total"]) == (["text"], 1)

        requests = await walk(http, f"{base}/requests", "requests", 200)
        assert [r["seq"] for r in requests] == list(range(1, 131))
        newest = await get_json(http, f"{base}/requests")
        assert [r["seq"] for r in newest["requests"]] == list(range(31, 131))

        for query, msg in [
            ("limit=0", "limit: 1 to 200, got '0'"),
            ("limit=201", "limit: 1 to 200, got '201'"),
            ("since=-1", "since: a whole number >= 0, got '-1'"),
            ("since=x", "since: a whole number >= 0, got 'x'"),
        ]:
            async with http.get(f"{base}/requests?{query}") as resp:
                assert (resp.status, (await resp.json())["msg"]) == (400, msg)


async def test_a_tasks_deliveries_stay_indexed_as_the_journal_trims(
    suno_mock_factory: Any, http: aiohttp.ClientSession, callback_receiver: CallbackReceiver
) -> None:
    server = await suno_mock_factory(journal_limit=10)
    api = Api(http, server.url)
    ids = [
        await api.submit("/api/v1/generate", generate_body(callback_receiver.url)) for _ in range(7)
    ]
    clock = server.clock
    assert isinstance(clock, ManualClock)
    await clock.advance(150)
    kept = server.deliveries()
    assert 0 < len(kept) <= 10
    async with aiohttp.ClientSession() as session:
        summaries = (await get_json(session, f"{server.url}/__mock__/tasks"))["tasks"]
        for task_id, summary in zip(ids, summaries, strict=True):
            own = [d for d in kept if d.task_id == task_id]
            assert server.deliveries(task_id) == own
            assert summary["deliveries"] == len(own)
            url = f"{server.url}/__mock__/deliveries?taskId={task_id}"
            assert [d["id"] for d in (await get_json(session, url))["deliveries"]] == [
                d.id for d in own
            ]


async def test_reset_answers_at_once_and_frees_the_old_state_in_slices(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    for _ in range(3):
        await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    await suno_mock.clock.advance(150)
    old_tasks, old_requests = suno_mock.engine.music.store._order, suno_mock.requests
    assert (len(old_tasks), len(old_requests)) == (3, 3)

    await suno_mock.reset()
    assert (suno_mock.tasks(), suno_mock.requests, suno_mock.deliveries()) == ([], [], [])
    await asyncio.sleep(0)  # the old containers empty on the next turns of the loop
    await asyncio.sleep(0)
    assert (old_tasks, old_requests) == ([], [])
    task_id = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    assert [t.id for t in suno_mock.tasks()] == [task_id]


async def test_reclaim_frees_one_slice_per_loop_turn() -> None:
    big_list, big_dict = list(range(5000)), {i: i for i in range(1000)}
    reclaim(big_list, big_dict)
    assert (len(big_list), len(big_dict)) == (5000, 1000)  # nothing yet: the caller runs on
    sizes = []
    for _ in range(3):
        await asyncio.sleep(0)
        sizes.append((len(big_list), len(big_dict)))
    assert sizes == [(4000, 0), (2000, 0), (0, 0)]
