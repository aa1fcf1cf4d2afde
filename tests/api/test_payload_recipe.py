"""Delivered callbacks keep a recipe instead of their bytes; the journal still gives the bytes
that were sent (docs/performance.md, "Payloads kept as recipes")."""

from __future__ import annotations

import asyncio
import sys

import aiohttp
import pytest

from mock_server import ManualClock, MockServer, ScaledClock, Settings
from mock_server.core.catalog import Stage
from mock_server.core.encoding import encode
from mock_server.core.memo import forget_memos
from mock_server.core.settings import StageDelays
from mock_server.delivery import dispatcher as callbacks
from mock_server.families.music import payloads
from mock_server.families.music.store import Task, TaskStore
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import SunoMockFactory, generate_body


async def test_rebuilt_payloads_are_the_bytes_sent(
    suno_mock_factory: SunoMockFactory, callback_receiver: CallbackReceiver
) -> None:
    server = await suno_mock_factory(rate_limit=None, text_callback_tracks=True)
    receiver = callback_receiver
    async with aiohttp.ClientSession(headers={"Authorization": "Bearer k"}) as http:
        assert isinstance(server.clock, ManualClock)
        bodies = [
            generate_body(receiver.url),
            generate_body(
                receiver.url, customMode=False, prompt="a song about rain", title=None, style=None
            ),
        ]
        for body in bodies:
            async with http.post(server.url + "/api/v1/generate", json=body) as resp:
                assert (await resp.json())["code"] == 200
        await server.clock.advance(150)
        received = await receiver.wait_for(6)
        deliveries = server.deliveries()
        assert len(deliveries) == 6
        assert all(d.state == "delivered" for d in deliveries)
        assert all(not isinstance(d._payload, bytes) for d in deliveries)  # kept as recipes
        assert sorted(d.payload for d in deliveries) == sorted(r.raw for r in received)
        async with http.get(server.url + "/__mock__/deliveries") as resp:
            listed = await resp.json()
        assert sorted(str(i["payload"]) for i in listed["deliveries"]) == sorted(
            str(r.json) for r in received
        )


async def test_undelivered_payload_keeps_its_bytes(
    suno_mock_factory: SunoMockFactory, callback_receiver: CallbackReceiver
) -> None:
    server = await suno_mock_factory(rate_limit=None)
    receiver = callback_receiver
    async with aiohttp.ClientSession(headers={"Authorization": "Bearer k"}) as http:
        receiver.respond_with([500])
        async with http.post(server.url + "/api/v1/generate", json=generate_body(receiver.url)):
            pass
        await server.clock.advance(30)
        (text,) = server.deliveries()
        assert text.state == "pending"
        assert isinstance(text._payload, bytes)
        assert text.payload == (await receiver.wait_for(1))[0].raw


async def test_callbacks_waiting_in_a_long_line_send_the_same_bytes(
    monkeypatch: pytest.MonkeyPatch,
    suno_mock_factory: SunoMockFactory,
    callback_receiver: CallbackReceiver,
) -> None:
    # One connection per receiver and no payload kept ready in line: every waiting callback
    # keeps only its recipe while it waits, then sends exactly the bytes it was built with.
    monkeypatch.setattr(callbacks, "KEEP_READY", 0)
    server = await suno_mock_factory(
        rate_limit=None, text_callback_tracks=True, callback_connections_per_host=1
    )
    receiver = callback_receiver
    async with aiohttp.ClientSession(headers={"Authorization": "Bearer k"}) as http:
        assert isinstance(server.clock, ManualClock)
        receiver.respond_with(statuses=[200], delay=0.02)
        for _ in range(4):
            async with http.post(
                server.url + "/api/v1/generate", json=generate_body(receiver.url)
            ) as resp:
                assert (await resp.json())["code"] == 200
        await server.clock.advance(150)
        received = await receiver.wait_for(12)
        deliveries = server.deliveries()
        assert [d.state for d in deliveries] == ["delivered"] * 12
        assert [r.raw for r in received] == [d.payload for d in deliveries]  # in line order
        assert len({r.raw for r in received}) == 12
        assert server.clock.pending() == 0


async def _let_go(task: Task) -> None:
    """Wait (real time, bounded) for the store's sweep to let `task`'s tracks go."""
    for _ in range(100):
        if not task.tracks_built:
            return
        await asyncio.sleep(0.01)


async def test_finished_tasks_let_their_tracks_go_and_rebuild_the_same(
    monkeypatch: pytest.MonkeyPatch,
    suno_mock_factory: SunoMockFactory,
    callback_receiver: CallbackReceiver,
) -> None:
    monkeypatch.setattr(TaskStore, "LINGER", 0.02)
    server = await suno_mock_factory(rate_limit=None)
    receiver = callback_receiver
    async with aiohttp.ClientSession(headers={"Authorization": "Bearer k"}) as http:
        assert isinstance(server.clock, ManualClock)

        async def submit() -> str:
            async with http.post(
                server.url + "/api/v1/generate", json=generate_body(receiver.url)
            ) as resp:
                return str((await resp.json())["data"]["taskId"])

        async def record(task_id: str) -> bytes:
            url = server.url + "/api/v1/generate/record-info?taskId=" + task_id
            async with http.get(url) as resp:
                return await resp.read()

        task_id = await submit()
        await server.clock.advance(150)
        task = server.engine.music.store.get(task_id)
        assert task is not None
        assert task.status == "SUCCESS"
        before, tracks = await record(task_id), task.tracks
        assert task.tracks_built  # kept for LINGER after its last event
        await _let_go(task)
        assert not task.tracks_built  # then let go
        forget_memos()  # made again, not found again
        assert await record(task_id) == before  # `param` from the kept text, the same
        assert task.request == generate_body(receiver.url)
        source = server.engine.music.store.track(tracks[1].id)
        assert source is not None
        assert (source.task, source.track) == (task, tracks[1])
        assert task.tracks == tracks


async def test_tracks_made_again_for_a_finished_task_are_let_go_again(
    monkeypatch: pytest.MonkeyPatch,
    suno_mock_factory: SunoMockFactory,
    callback_receiver: CallbackReceiver,
) -> None:
    monkeypatch.setattr(TaskStore, "LINGER", 0.01)
    server = await suno_mock_factory(rate_limit=None)
    receiver = callback_receiver
    async with aiohttp.ClientSession(headers={"Authorization": "Bearer k"}) as http:
        assert isinstance(server.clock, ManualClock)
        async with http.post(
            server.url + "/api/v1/generate", json=generate_body(receiver.url)
        ) as resp:
            task_id = str((await resp.json())["data"]["taskId"])
        task = server.engine.music.store.get(task_id)
        assert task is not None
        await server.clock.advance(150)
        tracks = task.tracks
        await _let_go(task)
        assert not task.tracks_built
        forget_memos()  # made again, not found again
        assert task.tracks == tracks  # made again (a poll, a file URL, an extend)
        await _let_go(task)
        assert not task.tracks_built
        forget_memos()
        assert task.tracks == tracks


async def test_bodies_encoded_ahead_in_idle_time_are_the_bytes_built_on_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Under a real-time clock the first and complete bodies are encoded halfway to their
    stage (tasks due together do not queue each other's encoding: docs/performance.md, "Tracks
    built early"); what is sent is
    what building it on time gives."""
    built: list[tuple[str, str]] = []
    original = payloads.stage_callback

    def recording(task: Task, stage: Stage) -> bytes:
        built.append((stage, sys._getframe(1).f_code.co_name))
        return payloads.stage_bytes(task, stage)

    monkeypatch.setattr("mock_server.families.music.backend.stage_bytes", recording)
    settings = Settings(rate_limit=None, stage_delays=StageDelays(text=1, first=2, complete=4))
    async with (
        CallbackReceiver() as receiver,
        MockServer(settings, clock=ScaledClock(0.02)) as server,  # 20, 40 and 80 ms
        aiohttp.ClientSession(headers={"Authorization": "Bearer k"}) as http,
    ):
        async with http.post(
            server.url + "/api/v1/generate", json=generate_body(receiver.url)
        ) as resp:
            task_id = str((await resp.json())["data"]["taskId"])
        received = await receiver.wait_for(3, timeout=5)
        task = server.engine.music.store.get(task_id)
        assert task is not None
        assert [r.json["data"]["callbackType"] for r in received] == ["text", "first", "complete"]
        assert sorted(built) == [
            ("complete", "_prepare"),
            ("first", "_prepare"),
            ("text", "_fire_event"),  # no tracks: nothing to do ahead
        ]
        assert task.ready is None  # used, not kept
        for sent in received[1:]:
            stage = sent.json["data"]["callbackType"]
            assert sent.raw == encode(original(task, stage, task.script.settings))
