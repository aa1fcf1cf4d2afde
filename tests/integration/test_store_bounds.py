"""Every store is bounded: uploads by total bytes (oldest first) and retention, jobs by count."""

from __future__ import annotations

import base64
from typing import Any

import aiohttp

from mock_server import ManualClock, MockServer
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import Api, SunoMockFactory

BASE64 = "/api/file-base64-upload"


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
