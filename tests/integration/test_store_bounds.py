"""Every store is bounded: uploads by total bytes (oldest first) and retention, jobs by count;
a task or job store over its budget with nothing it may forget yet (every task still has
callbacks to come) looks again only after another tenth, so a submit's cost stays flat."""

from __future__ import annotations

import base64
from typing import Any

import aiohttp

from mock_server import ManualClock, MockServer, Settings
from mock_server.families.jobs.store import JobStore
from mock_server.families.music.store import TaskStore
from mock_server.families.music.tracks import TrackFactory
from mock_server.scripting.request import TrackRequest
from mock_server.scripting.script import compile_script
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import Api, SunoMockFactory

BASE64 = "/api/file-base64-upload"


class Visited(dict[str, Any]):
    """A store's table that counts the entries its scans go through."""

    visited = 0

    def values(self) -> Any:
        for value in super().values():
            self.visited += 1
            yield value


async def upload(api: Api, name: str, size: int) -> Any:
    body = {
        "base64Data": base64.b64encode(name.encode()[:1] * size).decode(),
        "uploadPath": "bounds",
        "fileName": name,
    }
    return await api.post(BASE64, body)


async def served(http: aiohttp.ClientSession, server: MockServer) -> list[str]:
    """Which of the files a..e the mock still serves."""
    kept = []
    for name in "abcde":
        async with http.get(f"{server.url}/files/tmp/bounds/{name}.bin") as resp:
            if resp.status == 200:
                kept.append(name)
    return kept


async def health(http: aiohttp.ClientSession, server: MockServer) -> Any:
    async with http.get(f"{server.url}/__mock__/health") as resp:
        return await resp.json()


async def test_uploads_are_bounded_by_total_bytes_oldest_first(
    suno_mock_factory: SunoMockFactory, http: aiohttp.ClientSession
) -> None:
    server = await suno_mock_factory(upload_store_bytes=3000)
    api = Api(http, server.url)
    for name in "abc":
        await upload(api, f"{name}.bin", 1000)
    assert await served(http, server) == ["a", "b", "c"]

    await upload(api, "a.bin", 1000)  # overwriting moves a file to the end of the line
    await upload(api, "d.bin", 1500)  # room for it: the two oldest (b, then c) go
    assert await served(http, server) == ["a", "d"]
    state = await health(http, server)
    assert (state["uploads"], state["uploadBytes"]) == (2, 2500)

    status, envelope = await upload(api, "e.bin", 3001)
    assert (status, envelope["code"], envelope["data"]) == (400, 400, None)
    assert envelope["msg"] == (
        "file: 3001 bytes is more than the upload store holds (3000 bytes, setting "
        "upload_store_bytes)"
    )
    assert await served(http, server) == ["a", "d"]


async def test_expired_uploads_are_swept_without_being_fetched(
    suno_mock_factory: SunoMockFactory, http: aiohttp.ClientSession
) -> None:
    server = await suno_mock_factory(upload_retention=3600)
    clock = server.clock
    assert isinstance(clock, ManualClock)
    api = Api(http, server.url)
    await upload(api, "a.bin", 1000)
    await clock.advance(1800)
    await upload(api, "b.bin", 2000)
    await clock.advance(1801)  # a is past its retention, b is not
    await upload(api, "c.bin", 10)  # any upload sweeps the expired files
    assert server.engine.uploads.store.total_bytes == 2010
    await clock.advance(1800)
    state = await health(http, server)  # so does any look at the store
    assert (state["uploads"], state["uploadBytes"]) == (1, 10)
    assert await served(http, server) == ["c"]


async def test_job_store_forgets_the_oldest_completed_jobs(
    suno_mock_factory: SunoMockFactory,
    http: aiohttp.ClientSession,
    callback_receiver: CallbackReceiver,
) -> None:
    server = await suno_mock_factory(job_limit=10)
    clock = server.clock
    assert isinstance(clock, ManualClock)
    api = Api(http, server.url)
    body = {"prompt": "rain on a tin roof", "callBackUrl": callback_receiver.url}
    done = [await api.submit("/api/v1/lyrics", body) for _ in range(10)]
    await clock.advance(30)  # all completed

    later = [await api.submit("/api/v1/lyrics", body) for _ in range(16)]

    kept = {job.id for job in server.engine.jobs.store.all()}
    assert set(later) <= kept  # jobs not completed yet are always kept
    assert len(kept) == len(later)  # every completed job went before an uncompleted one
    assert done[0] not in kept
    status, envelope = await api.get("/api/v1/lyrics/record-info", params={"taskId": done[0]})
    assert (status, envelope["code"]) == (200, 400)
    await clock.advance(30)
    for job_id in later:
        _, envelope = await api.get("/api/v1/lyrics/record-info", params={"taskId": job_id})
        assert envelope["data"]["status"] == "SUCCESS"


def test_a_task_store_over_its_bytes_with_only_pending_tasks_stays_flat() -> None:
    # Every task still pending (none may be forgotten): before, each submit over the byte
    # budget scanned the whole store, and a server holding 250k such tasks answered 27 req/s.
    store = TaskStore(TrackFactory(7), byte_limit=10_000)
    table = store._tasks = Visited()
    script = compile_script(None, Settings())
    submits = 2000
    for _ in range(submits):  # 200 bytes each: over the budget from the 51st
        store.create(
            operation="generate", request={"prompt": "a"}, tracks=TrackRequest(model="V5"),
            callback_url="", base_url="http://127.0.0.1", now=0.0, script=script, size=200,
        )  # fmt: skip
    assert len(store) == submits  # nothing pending is forgotten
    assert store.held_bytes == 200 * submits
    assert table.visited <= 12 * submits  # a scan per tenth more: ~11 visits a task, not ~1000


def test_a_job_store_over_its_bytes_with_only_pending_jobs_stays_flat() -> None:
    store = JobStore(7, byte_limit=10_000)
    table = store._jobs = Visited()
    submits = 2000
    for _ in range(submits):
        store.create(
            "lyrics", request={"prompt": "p" * 150}, callback_url="", base_url="", created_at=0.0
        )
    assert len(store) == submits
    assert table.visited <= 12 * submits
