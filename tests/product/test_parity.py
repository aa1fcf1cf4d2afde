"""`SunoMock` (async, in the test's loop) and `SunoMockThread` (sync, its own thread) are one
mock: the same scenario gives the same ids, callbacks and bodies, and they offer the same
helpers, but for the differences listed here with their reason."""

from __future__ import annotations

import asyncio
import inspect
import json
import urllib.request
from typing import Any

import aiohttp

from mock_server.testing import SunoMock, SunoMockThread
from mock_server.testing.receiver import CallbackReceiver, CallbackReceiverThread, ReceivedCallback
from tests.helpers import Api, generate_body

GENERATE = "/api/v1/generate"
KEY = {"Authorization": "Bearer k"}

ASYNC_ONLY = {
    "build_app": "how a Listener makes its aiohttp app; the thread builds it inside start()",
    "close": "a coroutine; the thread's blocking counterpart is stop()",
    "control_token": "only set off loopback; the thread's mock binds loopback only",
    "engine": "the server's state, owned by its loop; the thread reaches it as mock.engine",
    "journal": "the server's journal, owned by its loop; read it with requests/deliveries",
    "app": "the aiohttp app; the thread's is mock.app, on the server's own thread",
    "exposure": "where the server listens (always loopback from the fixtures)",
    "keepalive_timeout": "an aiohttp server setting, taken from settings.header_read_timeout",
    "blocked_loop_timeout": "guards the test's own loop; the thread's loop runs only the server",
    "clock": "the ManualClock itself; the thread has now()/advance()/run_until_idle()",
    "host": "the bind address; the thread's url says where it listens",
    "port": "the bound port; the thread's url says where it listens",
}
THREAD_ONLY = {
    "mock": "the SunoMock the thread runs (state read through the blocking helpers)",
    "call": "runs a coroutine on the server's loop: what the async mock needs no help for",
    "now": "blocking form of suno_mock.clock.now()",
    "advance": "blocking form of await suno_mock.clock.advance(...)",
    "run_until_idle": "blocking form of await suno_mock.clock.run_until_idle()",
    "stop": "blocking form of await suno_mock.close()",
}


def public(obj: object) -> set[str]:
    return {name for name in dir(obj) if not name.startswith("_")}


async def test_both_offer_the_same_helpers(
    suno_mock: SunoMock, suno_mock_threaded: SunoMockThread
) -> None:
    """Adding a public helper to one and not the other fails here: add it to both, or list it
    above with the reason."""
    async_names, thread_names = public(suno_mock), public(suno_mock_threaded)
    assert async_names - thread_names == set(ASYNC_ONLY)
    assert thread_names - async_names == set(THREAD_ONLY)
    for name in sorted(async_names & thread_names):
        mine, theirs = getattr(SunoMock, name, None), getattr(SunoMockThread, name, None)
        if callable(mine) and callable(theirs):
            # The same arguments, by the same names: only `self` and awaiting differ.
            assert _parameters(mine) == _parameters(theirs), name


def _parameters(function: Any) -> list[tuple[str, Any, Any]]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]


def bodies(receiver_url: str) -> list[dict[str, Any]]:
    """Three submits: a plain task, one under a scenario, one whose first callback is refused
    (the receiver answers 500, then 200: the mock retries)."""
    return [
        generate_body(receiver_url),
        generate_body(receiver_url, title="Blocked"),
        generate_body(receiver_url, customMode=False, prompt="rain", title=None, style=None),
    ]


def normal(raw: bytes, *urls: str) -> bytes:
    """Bytes with this run's own URLs (ports differ between the two servers) named instead."""
    for number, url in enumerate(urls):
        raw = raw.replace(url.encode(), f"<url{number}>".encode())
    return raw


def observed(
    mock: SunoMock | SunoMockThread, ids: list[str], received: list[ReceivedCallback], url: str
) -> dict[str, Any]:
    """What a test can see of a run, this run's URLs named instead."""
    urls = (mock.url, url)
    return {
        "ids": ids,
        "tasks": [t.id for t in mock.tasks()],
        "statuses": [mock.task(i).status for i in ids],
        "sequences": [[d.callback_type for d in mock.deliveries(i)] for i in ids],
        "attempts": [
            [(a.number, a.outcome, a.status, a.started_at) for a in d.attempts]
            for d in mock.deliveries()
        ],
        "callbacks": sorted(normal(r.raw, *urls) for r in received),
        "answered": sorted(r.answered for r in received),
        "requests": [(r.method, r.path, r.http_status) for r in mock.requests],
    }


async def run_async(mock: SunoMock, receiver: CallbackReceiver) -> dict[str, Any]:
    async with aiohttp.ClientSession(headers=KEY) as http:
        api = Api(http, mock.url)
        first, second, third = bodies(receiver.url)
        ids = [await api.submit(GENERATE, first)]
        mock.next_task(scenario="copyright-violation")
        ids.append(await api.submit(GENERATE, second))
        await mock.wait_for_callback(ids[0], "complete")
        await mock.wait_for_status(ids[1], "GENERATE_AUDIO_FAILED")
        mock.assert_callback_sequence(ids[0], ["text", "first", "complete"])
        # Alone in flight, so which callback gets the 500 is not up to concurrency.
        receiver.respond_with(statuses=[500, 200])
        ids.append(await api.submit(GENERATE, third))
        await mock.wait_for_callback(ids[2], "text")
        await mock.clock.run_until_idle()
        infos = [await api.record_info(i) for i in ids]
    seen = observed(mock, ids, receiver.requests, receiver.url)
    seen["record_info"] = normal(json.dumps(infos).encode(), mock.url, receiver.url)
    seen["now"] = mock.clock.now()
    return seen


def _post(url: str, body: Any) -> Any:
    request = urllib.request.Request(  # noqa: S310 - a loopback URL of the test's own server
        url, data=json.dumps(body).encode(), headers={**KEY, "Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as resp:  # noqa: S310 - loopback
        return json.loads(resp.read())


def _get(url: str) -> Any:
    request = urllib.request.Request(url, headers=KEY)  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=10) as resp:  # noqa: S310 - loopback
        return json.loads(resp.read())


def run_sync(mock: SunoMockThread, receiver: CallbackReceiverThread) -> dict[str, Any]:
    first, second, third = bodies(receiver.url)
    ids = [_post(mock.url + GENERATE, first)["data"]["taskId"]]
    mock.next_task(scenario="copyright-violation")
    ids.append(_post(mock.url + GENERATE, second)["data"]["taskId"])
    mock.wait_for_callback(ids[0], "complete")
    mock.wait_for_status(ids[1], "GENERATE_AUDIO_FAILED")
    mock.assert_callback_sequence(ids[0], ["text", "first", "complete"])
    receiver.respond_with(statuses=[500, 200])
    ids.append(_post(mock.url + GENERATE, third)["data"]["taskId"])
    mock.wait_for_callback(ids[2], "text")
    mock.run_until_idle()
    infos = [_get(f"{mock.url}{GENERATE}/record-info?taskId={i}")["data"] for i in ids]
    seen = observed(mock, ids, receiver.requests, receiver.url)
    seen["record_info"] = normal(json.dumps(infos).encode(), mock.url, receiver.url)
    seen["now"] = mock.now()
    return seen


async def test_the_same_scenario_gives_the_same_results(
    suno_mock: SunoMock,
    callback_receiver: CallbackReceiver,
    suno_mock_threaded: SunoMockThread,
    callback_receiver_threaded: CallbackReceiverThread,
) -> None:
    in_loop = await run_async(suno_mock, callback_receiver)
    # The thread's helpers block: off the test's loop, as a sync test would call them.
    threaded = await asyncio.to_thread(run_sync, suno_mock_threaded, callback_receiver_threaded)
    assert in_loop == threaded
    # The scenario did what it says, so the comparison is not of two empty runs.
    assert in_loop["sequences"][0] == ["text", "first", "complete"]
    assert in_loop["sequences"][1] == ["text", "error"]
    assert in_loop["statuses"][1] == "GENERATE_AUDIO_FAILED"
    assert in_loop["answered"].count(500) == 1
    assert in_loop["sequences"][2] == ["text", "first", "complete"]
    assert len(set(in_loop["ids"])) == 3
