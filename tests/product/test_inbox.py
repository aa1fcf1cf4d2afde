"""The inbox: the mock is its own callback receiver (`/__mock__/inbox/NAME`), over a real
connection, with the real payloads; the control plane lists what arrived."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp

from mock_server.delivery.inbox import Inbox
from mock_server.testing import SunoMock
from tests.helpers import Api, SunoMockFactory, generate_body

TOKEN = "s3cret"  # noqa: S105 - a test's made-up token


async def test_callbacks_to_the_inbox_are_delivered_and_listed(
    suno_mock: SunoMock, api: Api
) -> None:
    first = await api.submit("/api/v1/generate", generate_body(f"{suno_mock.url}/__mock__/inbox/a"))
    other = await api.submit("/api/v1/generate", generate_body(f"{suno_mock.url}/__mock__/inbox/b"))
    await suno_mock.clock.advance(minutes=3)

    assert [d.response_status for d in suno_mock.deliveries()] == [200] * 6
    status, listed = await api.get("/__mock__/inbox/a")
    assert status == 200
    assert [(c["taskId"], c["callbackType"]) for c in listed["callbacks"]] == [
        (first, "text"),
        (first, "first"),
        (first, "complete"),
    ]
    assert listed["callbacks"][-1]["body"]["data"]["data"][0]["audio_url"].startswith("http")
    assert (listed["total"], listed["more"]) == (3, False)
    _, everything = await api.get("/__mock__/inbox")
    assert sorted(c["name"] for c in everything["callbacks"]) == ["a"] * 3 + ["b"] * 3
    assert {c["taskId"] for c in everything["callbacks"]} == {first, other}
    _, page = await api.get("/__mock__/inbox", params={"since": "3", "limit": "2"})
    assert [c["seq"] for c in page["callbacks"]] == [4, 5]
    assert (page["next"], page["more"], page["total"]) == (5, True, 6)

    assert (await api.post("/__mock__/reset", {}))[0] == 200
    assert (await api.get("/__mock__/inbox"))[1]["total"] == 0


async def test_a_malformed_callback_is_kept_as_text(suno_mock: SunoMock, api: Api) -> None:
    headers = {"Content-Type": "application/json"}
    status, answer = await api.post("/__mock__/inbox/x", None, data=b'{"code": 2', headers=headers)
    assert (status, answer) == (200, {"status": "received"})
    (kept,) = (await api.get("/__mock__/inbox/x"))[1]["callbacks"]
    assert (kept["body"], kept["callbackType"], kept["taskId"]) == ('{"code": 2', None, None)


async def test_an_exposed_mock_takes_callbacks_without_its_token_but_lists_only_with_it(
    suno_mock_factory: SunoMockFactory,
) -> None:
    server = await suno_mock_factory(control_token=TOKEN)
    url = f"{server.url}/__mock__/inbox/exposed"
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json={"data": {"callbackType": "text"}}) as resp:
            assert resp.status == 200
        async with http.post(url, data=b"{}", headers={"Content-Type": "text/plain"}) as resp:
            assert resp.status == 415  # JSON only: a cross-site form cannot fill it
        evil = {"Origin": "http://evil.invalid"}
        async with http.post(url, json={}, headers=evil) as resp:
            assert resp.status == 403
        async with http.get(url) as resp:
            assert resp.status == 401
        async with http.get(url, headers={"X-Suno-Mock-Token": TOKEN}) as resp:
            listed: Any = await resp.json()
    assert [c["callbackType"] for c in listed["callbacks"]] == ["text"]


async def test_the_inbox_takes_a_body_as_large_as_the_api_allows(
    suno_mock_factory: SunoMockFactory,
) -> None:
    server = await suno_mock_factory(control_max_body_bytes=1024, max_body_bytes=4096)
    url = f"{server.url}/__mock__/inbox/big"
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json={"lyrics": "x" * 3000}) as resp:
            assert resp.status == 200
        async with http.post(url, json={"lyrics": "x" * 5000}) as resp:
            assert resp.status == 413
            assert "max_body_bytes" in (await resp.json())["msg"]


async def test_a_long_name_is_refused(suno_mock: SunoMock, api: Api) -> None:
    status, answer = await api.post("/__mock__/inbox/" + "n" * 101, {})
    assert status == 400
    assert "at most 100 characters" in answer["msg"]


def test_the_inbox_is_bounded_in_count_and_bytes() -> None:
    inbox = Inbox(max_items=3, max_bytes=10)
    for n in range(5):
        inbox.add("a", b"12", float(n))
    assert [r.seq for r in inbox.page(None, None, 10).items] == [3, 4, 5]
    inbox.add("b", b"123456789", 9.0)
    assert [r.seq for r in inbox.page(None, None, 10).items] == [6]  # 11 bytes: the old go
    assert inbox.count("a") == 0


async def test_a_reader_can_wait_for_callbacks_still_on_their_way(
    suno_mock: SunoMock, api: Api, http: aiohttp.ClientSession
) -> None:
    url = f"{suno_mock.url}/__mock__/inbox/w"
    waiting = asyncio.ensure_future(api.get("/__mock__/inbox/w", params={"count": "2"}))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    for kind in ("text", "first"):
        async with http.post(url, json={"data": {"callbackType": kind}}) as resp:
            assert resp.status == 200
    status, listed = await asyncio.wait_for(waiting, 5)
    assert status == 200
    assert [c["callbackType"] for c in listed["callbacks"]] == ["text", "first"]


async def test_a_wait_ends_at_its_timeout_with_what_arrived(suno_mock: SunoMock, api: Api) -> None:
    started = time.perf_counter()
    status, listed = await api.get("/__mock__/inbox", params={"count": "1", "timeout": "0.1"})
    assert (status, listed["callbacks"]) == (200, [])
    assert 0.1 <= time.perf_counter() - started < 2


async def test_a_wait_is_bounded(suno_mock: SunoMock, api: Api) -> None:
    for bad in ("61", "-1", "nan", "soon"):
        status, answer = await api.get("/__mock__/inbox", params={"count": "1", "timeout": bad})
        assert status == 400, bad
        assert answer["msg"].startswith("timeout: real seconds from 0 to 60"), answer
