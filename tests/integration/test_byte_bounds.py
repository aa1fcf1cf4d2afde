"""Memory is bounded in bytes, not entries: JSON bodies are read no further than their limit,
journaled bodies are cut (their size noted), the journal and the task store are held to a byte
total (a store over it with pending tasks comes back once they finish), caches hold only short
entries and are emptied by reset; event streams are capped, clients that never read are cut
off, and paging cursors go on rising across a reset."""

from __future__ import annotations

import asyncio
import base64
import gc
import io
import json
import logging
import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from mock_server import ManualClock
from mock_server.core import wire as common
from mock_server.core.errors import InvalidParameters
from mock_server.core.settings import Settings
from mock_server.core.wire import parse
from mock_server.families.music.wire import GenerateRequest
from mock_server.media.sources import SourceFetcher
from mock_server.testing import SunoMock
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import Api, SunoMockFactory, generate_body

GENERATE = "/api/v1/generate"
MIB = 1024 * 1024
JSON = {"Content-Type": "application/json", "Authorization": "Bearer k"}


def refused_body(size: int) -> bytes:
    """A generate body of about `size` bytes that is refused (no callBackUrl)."""
    return b'{"customMode": false, "model": "V4", "prompt": "' + b"x" * (size - 60) + b'"}'


async def budgeted(
    factory: SunoMockFactory, http: aiohttp.ClientSession, **bytes_: int
) -> tuple[SunoMock, Api]:
    """A server with a byte budget (`task_store_bytes=`, `job_store_bytes=`), no rate limit, a
    manual clock; and an Api on it."""
    server = await factory(rate_limit="off", **bytes_)
    assert isinstance(server.clock, ManualClock)
    return server, Api(http, server.url)


async def raw_exchange(port: int, head: bytes, within: float = 5.0) -> bytes:
    """Send `head` (request line and headers, no body) and read the answer's first bytes."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head)
        await writer.drain()
        return await asyncio.wait_for(reader.read(4096), within)
    finally:
        writer.close()


async def test_a_declared_content_length_over_the_limit_is_refused_before_reading(
    suno_mock: SunoMock,
) -> None:
    head = (
        b"POST /api/v1/generate HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer k\r\n"
        b"Content-Type: application/json\r\nContent-Length: 200000000\r\n\r\n"
    )
    answer = await raw_exchange(suno_mock.port, head)  # not one byte of the body is sent
    assert answer.startswith(b"HTTP/1.1 200"), answer[:100]
    assert b'"code":413' in answer
    assert b"larger than 1048576 bytes (setting max_body_bytes)" in answer
    [record] = suno_mock.journal.requests
    assert record.body == "<body of 200000000 bytes over 1048576, not read>"


async def test_a_chunked_body_is_stopped_at_the_limit_while_read(suno_mock: SunoMock) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(8):
            yield b"x" * (512 * 1024)

    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{suno_mock.url}{GENERATE}", data=chunks(), headers=JSON) as resp,
    ):
        assert (await resp.json())["code"] == 413
    [record] = suno_mock.journal.requests
    assert record.body == "<body over 1048576 bytes, not read>"


async def test_journaled_bodies_are_cut_with_their_size(suno_mock: SunoMock, api: Api) -> None:
    body = refused_body(600_000)
    status, envelope = await api.post(GENERATE, None, data=body, headers=JSON)
    assert (status, envelope["code"]) == (200, 400)
    [record] = suno_mock.journal.requests
    assert len(record.raw_body or b"") == 65536
    assert record.body.startswith(
        f"<{len(body)} bytes, the first 65536 kept (setting journal_body_bytes)> "
        '{"customMode": false'
    )
    async with api.http.get(f"{suno_mock.url}/__mock__/requests") as resp:
        listed = (await resp.json())["requests"][0]
    assert listed["bodyBytes"] == len(body)
    assert listed["code"] == 400  # the answer is short: kept whole


async def test_the_journal_is_held_to_a_byte_total(
    suno_mock_factory: SunoMockFactory, http: aiohttp.ClientSession
) -> None:
    server = await suno_mock_factory(journal_bytes=MIB, journal_body_bytes=64 * 1024)
    api = Api(http, server.url)
    for _ in range(40):
        await api.post(GENERATE, None, data=refused_body(100_000), headers=JSON)
    journal = server.journal
    assert journal.requests_seen == 40
    assert journal.held_bytes <= MIB
    assert journal.held_bytes == sum(r.held for r in journal.requests)
    assert 10 <= len(journal.requests) < 40  # the oldest went first
    assert journal.requests[-1].seq == 40


async def test_the_task_store_is_held_to_a_byte_total(
    suno_mock_factory: SunoMockFactory,
    http: aiohttp.ClientSession,
    callback_receiver: CallbackReceiver,
) -> None:
    server, api = await budgeted(suno_mock_factory, http, task_store_bytes=MIB)
    ids = []
    for _ in range(12):  # each keeps an unknown field of 300 kB
        ids.append(
            await api.submit(GENERATE, generate_body(callback_receiver.url, extra="y" * 300_000))
        )
        await server.clock.advance(150)  # finished: it may be forgotten
    store = server.engine.music.store
    assert store.held_bytes <= MIB + 310_000  # the budget, plus the task just accepted
    kept = [t.id for t in server.tasks()]
    assert kept == ids[-len(kept) :]  # the oldest finished went first
    assert len(kept) < 12
    assert server.task(ids[-1]).request["extra"] == "y" * 300_000  # kept as received


async def test_a_store_over_its_bytes_with_pending_tasks_comes_back_once_they_finish(
    suno_mock_factory: SunoMockFactory,
    http: aiohttp.ClientSession,
    callback_receiver: CallbackReceiver,
) -> None:
    # Looking again only after another tenth must not stop the store from coming back down.
    server, api = await budgeted(suno_mock_factory, http, task_store_bytes=MIB)
    body = generate_body(callback_receiver.url, extra="y" * 150_000)
    pending = [await api.submit(GENERATE, body) for _ in range(12)]
    store = server.engine.music.store
    assert store.held_bytes > 1.7 * MIB  # over the budget: every task still pending is kept
    assert [t.id for t in server.tasks()] == pending
    await server.clock.advance(150)  # all finished: they may be forgotten now
    later = [await api.submit(GENERATE, body) for _ in range(2)]  # over a tenth more
    assert store.held_bytes <= MIB + 160_000  # the budget, plus the task just accepted
    kept = [t.id for t in server.tasks()]
    assert kept == (pending + later)[-len(kept) :]  # the oldest finished went first
    assert later[-1] in kept


async def test_caches_keep_short_urls_only_and_reset_empties_them(
    suno_mock: SunoMock, api: Api, http: aiohttp.ClientSession
) -> None:
    common.forget_urls()
    long_url = "http://127.0.0.1:9/" + "a" * 500_000
    for index in range(3):  # refused (no prompt), after the callBackUrl was checked
        body = {"customMode": False, "model": "V4", "callBackUrl": f"{long_url}{index}"}
        _, envelope = await api.post(GENERATE, body)
        assert envelope["code"] == 400
    await api.post(GENERATE, {"customMode": False, "model": "V4", "callBackUrl": "http://a.b/"})
    assert list(common._CHECKED_URLS) == ["http://a.b/"]  # the short one only
    fetcher: SourceFetcher = suno_mock.engine.sources
    await fetcher.inspect("https://files.invalid/" + "b" * 500_000)
    await fetcher.inspect("https://files.invalid/short.mp3")
    assert list(fetcher._not_fetched) == ["https://files.invalid/short.mp3"]
    async with http.post(f"{suno_mock.url}/__mock__/reset", json={}) as resp:
        assert resp.status == 200
    assert len(common._CHECKED_URLS) == 0
    assert fetcher._not_fetched == {}


def test_the_cache_of_checked_urls_keeps_at_most_1024() -> None:
    common.forget_urls()
    settings = Settings()
    for index in range(1100):
        body = {"customMode": False, "model": "V4", "prompt": "p", "instrumental": False}
        parse(GenerateRequest, {**body, "callBackUrl": f"http://a.b/{index}"}, settings)
    assert len(common._CHECKED_URLS) == 1024
    with pytest.raises(InvalidParameters, match="callBackUrl: must be an absolute http"):
        parse(GenerateRequest, {**body, "callBackUrl": "ftp://a.b/"}, settings)
    common.forget_urls()


def rss_bytes() -> int:
    resident = Path("/proc/self/statm").read_text().split()[1]
    return int(resident) * os.sysconf("SC_PAGE_SIZE")


async def test_200_refused_1_mib_requests_leave_little_memory_behind(
    suno_mock_factory: SunoMockFactory, http: aiohttp.ClientSession
) -> None:
    server = await suno_mock_factory(rate_limit="off")
    api = Api(http, server.url)
    body = refused_body(MIB - 100)  # just within max_body_bytes: read, refused, journaled
    await api.post(GENERATE, None, data=body, headers=JSON)  # warm up
    gc.collect()
    before = rss_bytes()
    for _ in range(200):
        _, envelope = await api.post(GENERATE, None, data=body, headers=JSON)
        assert envelope["code"] == 400
    gc.collect()
    grown = rss_bytes() - before
    assert server.journal.held_bytes <= 201 * (64 * 1024 + 1024)
    assert grown < 64 * MIB, f"RSS grew by {grown / MIB:.1f} MiB"


async def test_event_streams_are_capped_with_a_clear_answer(
    suno_mock_factory: SunoMockFactory,
) -> None:
    server = await suno_mock_factory(event_streams=2)
    url = f"{server.url}/__mock__/events"
    async with aiohttp.ClientSession() as http:
        first, second = await http.get(url), await http.get(url)
        assert (first.status, second.status) == (200, 200)
        async with http.get(url) as third:
            assert third.status == 503
            assert (await third.json())["msg"] == (
                "events: 2 event streams are open, the most allowed (setting event_streams); "
                "close a dashboard tab or raise the setting"
            )
        first.close()
        second.close()


async def test_a_client_that_never_reads_is_cut_off(
    suno_mock_factory: SunoMockFactory, caplog: pytest.LogCaptureFixture
) -> None:
    server = await suno_mock_factory(write_timeout=0.3)
    data = base64.b64encode(b"z" * (8 * MIB)).decode()
    body = {"base64Data": data, "uploadPath": "slow", "fileName": "big.bin"}
    raw = io.BytesIO(json.dumps(body).encode())
    async with aiohttp.ClientSession() as http:
        _, envelope = await Api(http, server.url).post(
            "/api/file-base64-upload", None, data=raw, headers=JSON
        )
        assert envelope["code"] == 200, envelope
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    await loop.sock_connect(sock, ("127.0.0.1", server.port))
    await loop.sock_sendall(sock, b"GET /files/tmp/slow/big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
    with caplog.at_level(logging.WARNING, logger="mock_server.http.guard"):
        for _ in range(300):
            if "not taken within 0.3 s (setting write_timeout)" in caplog.text:
                break
            await asyncio.sleep(0.01)
    sock.close()
    assert "GET /files/tmp/slow/big.bin: answer not taken within 0.3 s" in caplog.text


async def test_a_malformed_request_is_logged_in_one_line(
    suno_mock: SunoMock, caplog: pytest.LogCaptureFixture
) -> None:
    head = b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"
    with caplog.at_level(logging.DEBUG, logger="aiohttp.server"):
        answer = await raw_exchange(suno_mock.port, head)
        await asyncio.sleep(0.05)
    assert answer.startswith(b"HTTP/1.0 400")
    records = [r for r in caplog.records if r.name == "aiohttp.server"]
    assert len(records) == 1
    assert records[0].exc_info is None
    assert records[0].levelname == "WARNING"
    assert "malformed HTTP request (BadHttpMessage: Invalid character in Content-Length" in (
        records[0].getMessage()
    )


async def test_paging_cursors_go_on_rising_across_a_reset(
    suno_mock_factory: SunoMockFactory,
    http: aiohttp.ClientSession,
    callback_receiver: CallbackReceiver,
) -> None:
    server = await suno_mock_factory(rate_limit="off")
    api = Api(http, server.url)

    async def listing(kind: str, since: int) -> Any:
        async with http.get(f"{server.url}/__mock__/{kind}", params={"since": since}) as resp:
            return await resp.json()

    first_ids = [await api.submit(GENERATE, generate_body(callback_receiver.url)) for _ in range(3)]
    tasks_before, requests_before = await listing("tasks", 0), await listing("requests", 0)
    async with http.post(f"{server.url}/__mock__/reset", json={}) as resp:
        assert resp.status == 200
    new = [await api.submit(GENERATE, generate_body(callback_receiver.url)) for _ in range(2)]
    assert new == first_ids[:2]  # same seed, same requests: same ids after a reset
    tasks = await listing("tasks", tasks_before["next"])
    assert [t["taskId"] for t in tasks["tasks"]] == new
    assert [t["number"] for t in tasks["tasks"]] == [4, 5]
    requests = await listing("requests", requests_before["next"])
    assert [r["seq"] for r in requests["requests"]] == [4, 5]
    async with http.get(f"{server.url}/__mock__/health") as resp:
        assert (await resp.json())["requestsSeen"] == 2  # counted since the reset


async def test_the_job_store_is_held_to_a_byte_total(
    suno_mock_factory: SunoMockFactory,
    http: aiohttp.ClientSession,
    callback_receiver: CallbackReceiver,
) -> None:
    server, api = await budgeted(suno_mock_factory, http, job_store_bytes=MIB)
    ids = []
    for _ in range(12):  # each keeps an unknown field of 300 kB
        body = {"prompt": "a song", "callBackUrl": callback_receiver.url, "extra": "y" * 300_000}
        ids.append(await api.submit("/api/v1/lyrics", body))
        await server.clock.advance(60)  # completed: it may be forgotten
    store = server.engine.jobs.store
    assert store.held_bytes <= MIB + 310_000  # the budget, plus the job just accepted
    kept = [job.id for job in store.all()]
    assert kept == ids[-len(kept) :]  # the oldest completed went first
    assert len(kept) < 12
    assert store.get(ids[-1]) is not None
    assert store.held_bytes == sum(job.size for job in store.all())


async def test_receivers_answers_are_cut_and_held_to_the_journal_bytes(
    suno_mock_factory: SunoMockFactory, http: aiohttp.ClientSession
) -> None:
    """A receiver that answers every callback with 60 kB: each answer is kept cut to
    journal_body_bytes, and all of them to journal_bytes (the oldest become a note)."""

    async def chatty(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(text="z" * 60_000)

    app = web.Application()
    app.router.add_post("/cb", chatty)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/cb"
        server = await suno_mock_factory(
            journal_bytes=MIB, journal_body_bytes=50_000, rate_limit="off"
        )
        assert isinstance(server.clock, ManualClock)
        api = Api(http, server.url)
        for _ in range(10):  # 30 answers of 50 kB kept: 1.5 MB, over the 1 MiB
            await api.submit(GENERATE, generate_body(url))
        await server.clock.advance(150)
    finally:
        await runner.cleanup()
    journal = server.journal
    answers = [d.attempts[0].response_body or "" for d in server.deliveries()]
    assert len(answers) == 30
    assert answers[-1].startswith(
        "<60000 bytes, the first 50000 kept (setting journal_body_bytes)>"
    )
    assert answers[0].startswith("<50")
    assert answers[0].endswith("let go (setting journal_bytes)>")
    assert journal.answer_bytes <= MIB
    assert journal.answer_bytes == sum(len(a) for a in answers if "let go" not in a)
