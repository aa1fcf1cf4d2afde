"""Callback delivery under the mock's own limits: one socket budget across all receivers (the
process never runs out of descriptors, and waiting for a socket is never the receiver's
time), the mock's own failures neither blamed on a receiver nor spending its retries, and a
hung path of a receiver host not holding back its other paths."""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from mock_server import ManualClock, MockServer, StageDelays
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import Api, SunoMockFactory, generate_body

GENERATE = "/api/v1/generate"
EARLY_TEXT_ONLY = StageDelays(text=0, first=100_000, complete=100_000)
URL = re.compile(r"http://127\.0\.0\.1:\d+")


def manual(server: MockServer) -> ManualClock:
    assert isinstance(server.clock, ManualClock)
    return server.clock


async def test_a_hung_path_does_not_hold_back_another_path_of_the_same_host(
    suno_mock_factory: SunoMockFactory, http: Any
) -> None:
    # 200 callbacks to a path that never answers within the 5 s timeout, then three to a
    # healthy path of the same host and port: those go at once, not after the hung ones.
    release, all_healthy = asyncio.Event(), asyncio.Event()
    healthy: list[float] = []

    async def hang(request: web.Request) -> web.Response:
        await request.read()
        await release.wait()
        return web.json_response({})

    async def ok(request: web.Request) -> web.Response:
        await request.read()
        healthy.append(time.perf_counter())
        if len(healthy) == 3:
            all_healthy.set()
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/hang", hang)
    app.router.add_post("/ok", ok)
    receiver = TestServer(app, host="127.0.0.1", port=0)
    await receiver.start_server()
    base = f"http://127.0.0.1:{receiver.port}"
    try:
        server = await suno_mock_factory(
            stage_delays=EARLY_TEXT_ONLY, callback_timeout=5, rate_limit="off"
        )
        api = Api(http, server.url)
        for _ in range(200):
            await api.submit(GENERATE, generate_body(f"{base}/hang"))
        fine = [await api.submit(GENERATE, generate_body(f"{base}/ok?n={n}")) for n in range(3)]
        started = time.perf_counter()
        advancing = asyncio.create_task(manual(server).advance(0))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(all_healthy.wait(), 1.0)
        assert len(healthy) == 3, "the healthy path waited behind the hung one"
        assert max(healthy) - started < 1.0
        release.set()
        await asyncio.wait_for(advancing, 5)
        for task_id in fine:
            (delivery,) = server.deliveries(task_id)
            assert [(a.outcome, a.error) for a in delivery.attempts] == [("delivered", None)]
    finally:
        release.set()
        await receiver.close()


async def test_callbacks_over_the_socket_budget_wait_in_the_mock_not_on_the_receivers_time(
    suno_mock_factory: SunoMockFactory, http: Any
) -> None:
    # Four sockets for all receivers (two at most to one); three receivers answer in 0.1 s,
    # within a 0.25 s timeout. Twelve callbacks take ~0.3 s: the last ones wait ~0.2 s in the
    # mock, blamed on no one; and no more than four sockets are ever open, kept-alive included.
    server = await suno_mock_factory(
        stage_delays=EARLY_TEXT_ONLY, callback_timeout=0.25, callback_socket_budget=4
    )
    receivers = [CallbackReceiver() for _ in range(3)]
    for receiver in receivers:
        await receiver.start()
        receiver.respond_with(statuses=[200], delay=0.1)
    try:
        api = Api(http, server.url)
        ids = [
            await api.submit(GENERATE, generate_body(r.url)) for _ in range(4) for r in receivers
        ]
        advancing = asyncio.create_task(manual(server).advance(0))
        most = 0
        while not advancing.done():
            most = max(most, _sockets_to({r.port for r in receivers}))
            await asyncio.sleep(0.002)
        await advancing

        # The last ones were sent ~0.2 s after the first and answered 0.1 s later: had their
        # wait counted, they would have timed out.
        for task_id in ids:
            (delivery,) = server.deliveries(task_id)
            assert [(a.outcome, a.error) for a in delivery.attempts] == [("delivered", None)]
        arrived = sorted(r.arrived for receiver in receivers for r in receiver.requests)
        assert len(arrived) == 12
        assert arrived[4] - arrived[0] >= 0.09  # four at a time, across all receivers
        assert arrived[-1] - arrived[0] >= 0.19
        assert 2 <= most <= 4
    finally:
        for receiver in receivers:
            await receiver.close()


def _sockets_to(ports: set[int]) -> int:
    """This process's established TCP connections to `ports` (the mock's side of them), each
    counted once: the kernel's table, read while sockets open and close, may list one twice."""
    mine = set()
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):
            target = str(fd.readlink())
            if target.startswith("socket:["):
                mine.add(target[8:-1])
    found = set()
    for row in Path("/proc/self/net/tcp").read_text().splitlines()[1:]:
        fields = row.split()
        remote = int(fields[2].rsplit(":", 1)[1], 16)
        if fields[3] == "01" and fields[9] in mine and remote in ports:
            found.add(fields[9])
    return len(found)


LIMITED = (
    "import resource, runpy, sys\n"
    "soft, _, hard = sys.argv.pop(1).partition(':')\n"
    "resource.setrlimit(resource.RLIMIT_NOFILE, (int(soft), int(hard or soft)))\n"
    "sys.argv[0] = 'suno-mock'\n"
    "runpy.run_module('mock_server', run_name='__main__')\n"
)
"""Runs `python -m mock_server LIMIT ARGS` with its open-file limit set first (LIMIT: N for
soft and hard, or SOFT:HARD)."""


@pytest.fixture
async def receivers() -> AsyncIterator[list[CallbackReceiver]]:
    """Four receivers in this process (its descriptors are not the server's), each answering
    in 0.1 s."""
    started = [CallbackReceiver() for _ in range(4)]
    for receiver in started:
        await receiver.start()
        receiver.respond_with(statuses=[200], delay=0.1)
    yield started
    for receiver in started:
        await receiver.close()


async def _serve_with_open_files(
    limit: int | str, *args: str
) -> tuple[asyncio.subprocess.Process, str]:
    """`suno-mock serve` in a process whose open-file limit (soft and hard) is `limit`."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", LIMITED, str(limit), "serve", "--port", "0", "--rate-limit", "off",
        "--stage-delays", "text=0,first=100000,complete=100000", "--callback-timeout", "2",
        "--retry-delays", "0.2", "--log-level", "INFO", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None
    line = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
    match = URL.search(line)
    assert match, line
    return proc, match.group(0)


async def _deliver_burst(
    limit: int, receivers: list[CallbackReceiver], *args: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
    """64 callbacks to each receiver at once from a server limited to `limit` open files;
    the deliveries and tasks it journaled, and its log."""
    proc, base = await _serve_with_open_files(limit, *args)
    connector = aiohttp.TCPConnector(limit=4)
    try:
        async with aiohttp.ClientSession(
            connector=connector, headers={"Authorization": "Bearer k"}
        ) as http:
            api = Api(http, base)
            await api.post("/__mock__/clock", {"pause": True})  # then all due at once
            for _ in range(64):
                for receiver in receivers:
                    await api.submit(GENERATE, generate_body(receiver.url))
            await api.post("/__mock__/clock", {"pause": False})
            deadline = time.perf_counter() + 10
            while sum(len(r.requests) for r in receivers) < 256:
                assert time.perf_counter() < deadline, "not every callback arrived"
                await asyncio.sleep(0.05)
            deliveries = await _walk(api, "/__mock__/deliveries", "deliveries")
            tasks = await _walk(api, "/__mock__/tasks", "tasks")
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 10)
    return deliveries, tasks, err.decode()


async def _walk(api: Api, path: str, key: str) -> list[dict[str, Any]]:
    """Every item of a paged control-plane list."""
    items: list[dict[str, Any]] = []
    since, more = 0, True
    while more:
        _, page = await api.get(path, params={"since": since, "limit": 200})
        items += page[key]
        since, more = page["next"], page["more"]
    return items


async def test_a_low_open_file_limit_delays_callbacks_but_never_fails_them(
    receivers: list[CallbackReceiver],
) -> None:
    # 160 descriptors; four receivers could take 64 sockets each (256): the budget keeps the
    # process below its limit, so nothing fails and every callback goes on its first attempt.
    deliveries, tasks, log = await _deliver_burst(160, receivers)

    assert len(deliveries) == 256
    for delivery in deliveries:
        attempts = [(a["outcome"], a["error"]) for a in delivery["attempts"]]
        assert attempts == [("delivered", None)]
    assert {t["status"] for t in tasks} == {"TEXT_SUCCESS"}
    assert "Too many open files" not in log
    assert "Traceback" not in log


async def test_the_mocks_own_shortage_is_its_fault_retried_and_logged_once(
    receivers: list[CallbackReceiver],
) -> None:
    # A budget above what the process can open (160 descriptors): it really runs out. Those
    # attempts are journaled as the mock's fault, retried without spending the receivers'
    # retries (one, after 0.2 s), and all arrive; the log says so once, without tracebacks.
    deliveries, tasks, log = await _deliver_burst(
        160, receivers, "--callback-socket-budget", "1000"
    )

    assert len(deliveries) == 256
    outcomes = [a["outcome"] for d in deliveries for a in d["attempts"]]
    assert "mock_fault" in outcomes, "the process never ran out: the test proves nothing"
    assert set(outcomes) == {"delivered", "mock_fault"}
    assert [d["state"] for d in deliveries] == ["delivered"] * 256
    faults = [a for d in deliveries for a in d["attempts"] if a["outcome"] == "mock_fault"]
    assert all(a["error"].startswith("not sent: the mock could not open a socket") for a in faults)
    assert {t["status"] for t in tasks} == {"TEXT_SUCCESS"}
    assert log.count("the mock itself could not open a socket") == 1
    assert "Traceback" not in log


async def test_one_receiver_never_holds_the_whole_budget(
    suno_mock_factory: SunoMockFactory, http: Any, callback_receiver: CallbackReceiver
) -> None:
    # A receiver with a path per task, every one hanging, against a budget of 8: it holds at
    # most half, so another receiver's callbacks go at once, not after its timeouts.
    release = asyncio.Event()

    async def hang(request: web.Request) -> web.Response:
        await request.read()
        await release.wait()
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/hooks/{task}", hang)
    hanging = TestServer(app, host="127.0.0.1", port=0)
    await hanging.start_server()
    try:
        server = await suno_mock_factory(
            stage_delays=EARLY_TEXT_ONLY,
            callback_timeout=5,
            callback_socket_budget=8,
            rate_limit="off",
        )
        api = Api(http, server.url)
        for n in range(20):
            body = generate_body(f"http://127.0.0.1:{hanging.port}/hooks/{n}")
            await api.submit(GENERATE, body)
        fine = [await api.submit(GENERATE, generate_body(callback_receiver.url)) for _ in range(3)]
        advancing = asyncio.create_task(manual(server).advance(0))
        await callback_receiver.wait_for(3, timeout=1.0)
        assert server.engine.dispatcher.pools.budget.held <= 8
        release.set()
        await asyncio.wait_for(advancing, 5)
        for task_id in fine:
            (delivery,) = server.deliveries(task_id)
            assert [(a.outcome, a.error) for a in delivery.attempts] == [("delivered", None)]
    finally:
        release.set()
        await hanging.close()


def _open_file_limits(pid: int) -> list[str]:
    """The process's soft and hard open-file limits, as /proc shows them."""
    rows = Path(f"/proc/{pid}/limits").read_text().splitlines()
    (row,) = [line for line in rows if line.startswith("Max open files")]
    return row.split()[3:5]


async def test_the_server_raises_its_soft_open_file_limit_to_the_hard_one_and_says_so() -> None:
    proc, _ = await _serve_with_open_files("256:2048")
    try:
        assert _open_file_limits(proc.pid) == ["2048", "2048"]
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 10)
    assert err.decode().count("raised the open-file limit from 256 to 2048") == 1
