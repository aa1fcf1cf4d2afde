"""(i) suite: what a test with the mock costs a user, next to a hand-written stub, in one run.

Two generated suites of N tests each (default 200), run by pytest in subprocesses, in rounds
of one run each, the order reversed every other round:

* **mock**: written as a user would, in pytest-asyncio's strict mode with the public fixtures:
  `suno_mock` + `callback_receiver` (function scope), one upload-extend submit through an
  aiohttp client, `wait_for_callback(task_id, "complete")` on the manual clock, three callbacks
  asserted at the receiver.
* **stub**: the same test against what a team writes by hand: per test, an aiohttp server that
  parses the submit, answers a task id and posts three callbacks through one client session,
  and an aiohttp receiver that counts them; real sockets both ways.

Per-test cost is the mean of setup + call + teardown over every test but the first, from
pytest's own phase durations; the first test's setup of the mock suite is reported apart
("first use": the imports a session pays once). The CPU time of each test (the pytest process's,
server and receiver included) is reported next to it: it moves less than wall time when the
host is busy. The ratio reported is the median of the rounds' own ratios (the ratio of the
medians beside it). Goals: mock / stub <= 1.25x; first use <= 0.15 s. Loopback only; each
suite is bounded by pytest's run and a 300 s timeout.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

from bench.common import UPLOAD_EXTEND

__all__ = ["PYTEST", "report", "run_env", "suite"]


CONFTEST = """
import json, os, time, pytest

_phases: dict[str, float] = {}
_order: list[str] = []
_cpu: list[float] = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    started = time.process_time()
    try:
        return (yield)
    finally:
        _cpu.append(time.process_time() - started)


@pytest.hookimpl(trylast=True)
def pytest_runtest_logreport(report):
    if report.nodeid not in _phases:
        _phases[report.nodeid] = 0.0
        _order.append(report.nodeid)
    _phases[report.nodeid] += report.duration
    if report.failed:
        _phases["failed"] = _phases.get("failed", 0) + 1
    if report.when == "setup" and len(_order) == 1:
        _phases["first_setup"] = report.duration


def pytest_sessionfinish(session):
    tests = [_phases[node] for node in _order]
    with open(os.environ["SUITE_OUT"], "w") as out:
        json.dump({"tests": tests, "cpu": _cpu, "failed": _phases.get("failed", 0),
                   "first_setup": _phases.get("first_setup", 0.0)}, out)
"""

MOCK_SUITE = """
import aiohttp, pytest

BODY = {body}


@pytest.mark.asyncio
@pytest.mark.parametrize("n", range({count}))
async def test_upload_extend_delivers_complete(n, suno_mock, callback_receiver):
    async with aiohttp.ClientSession(headers={{"Authorization": "Bearer k"}}) as http:
        url = suno_mock.api_url + "/api/v1/generate/upload-extend"
        async with http.post(url, json={{**BODY, "callBackUrl": callback_receiver.url}}) as resp:
            task_id = (await resp.json())["data"]["taskId"]
    delivered = await suno_mock.wait_for_callback(task_id, "complete")
    assert delivered.response_status == 200
    assert len(callback_receiver.requests) == 3
"""

STUB_SUITE = """
import asyncio, json, uuid
import aiohttp, pytest, pytest_asyncio
from aiohttp import web

BODY = {body}


@pytest_asyncio.fixture
async def receiver():
    got, done = [], asyncio.Event()

    async def callback(request):
        got.append(await request.json())
        if len(got) == 3:
            done.set()
        return web.json_response({{"status": "received"}})

    app = web.Application()
    app.router.add_post("/cb", callback)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{{port}}/cb", got, done
    await runner.cleanup()


@pytest_asyncio.fixture
async def stub():
    session = aiohttp.ClientSession()
    pending = set()

    async def send(url, task_id):
        for stage in ("text", "first", "complete"):
            body = {{"code": 200, "msg": "ok", "data": {{"callbackType": stage,
                    "task_id": task_id, "data": []}}}}
            async with session.post(url, json=body) as resp:
                await resp.read()

    async def submit(request):
        body = await request.json()
        task_id = uuid.uuid4().hex
        job = asyncio.ensure_future(send(body["callBackUrl"], task_id))
        pending.add(job)
        job.add_done_callback(pending.discard)
        return web.json_response({{"code": 200, "msg": "success", "data": {{"taskId": task_id}}}})

    app = web.Application()
    app.router.add_post("/api/v1/generate/upload-extend", submit)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    yield f"http://127.0.0.1:{{runner.addresses[0][1]}}"
    for job in list(pending):
        await job
    await session.close()
    await runner.cleanup()


@pytest.mark.asyncio
@pytest.mark.parametrize("n", range({count}))
async def test_upload_extend_delivers_complete(n, stub, receiver):
    url, got, done = receiver
    async with aiohttp.ClientSession(headers={{"Authorization": "Bearer k"}}) as http:
        async with http.post(stub + "/api/v1/generate/upload-extend",
                             json={{**BODY, "callBackUrl": url}}) as resp:
            task_id = (await resp.json())["data"]["taskId"]
    await asyncio.wait_for(done.wait(), 10)
    assert [c["data"]["callbackType"] for c in got] == ["text", "first", "complete"]
    assert task_id
"""

INI = """[pytest]
asyncio_mode = strict
asyncio_default_fixture_loop_scope = function
"""


def _write(folder: Path, name: str, source: str, count: int) -> Path:
    suite = folder / name
    suite.mkdir()
    (suite / "pytest.ini").write_text(INI)
    (suite / "conftest.py").write_text(textwrap.dedent(CONFTEST))
    text = source.format(body=repr(UPLOAD_EXTEND), count=count)
    (suite / "test_suite.py").write_text(text)
    return suite


PYTEST = (sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly")
"""How a generated suite is run (here, and under valgrind by bench/instructions.py)."""


def run_env(suite: Path) -> dict[str, str]:
    """The environment a generated suite runs in; it writes its result to `suite/result.json`."""
    # An installed package has its bytecode compiled (pip does it); a run that may not write
    # bytecode would compile the package's sources at each first use and time that instead.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["SUITE_OUT"] = str(suite / "result.json")
    return env


def _run(suite: Path) -> dict[str, Any]:
    out = suite / "result.json"
    done = subprocess.run(
        PYTEST, cwd=suite, env=run_env(suite), capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    if done.returncode != 0 or not out.exists():
        raise SystemExit(f"suite {suite.name} failed:\n{done.stdout[-3000:]}{done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(out.read_text())
    tests = result["tests"]
    result["per_test_ms"] = statistics.fmean(tests[1:]) * 1000
    result["cpu_ms"] = statistics.fmean(result["cpu"][1:]) * 1000
    return result


def suite(count: int, runs: int) -> dict[str, Any]:
    """Run both suites `runs` times, in rounds of one run each (the stub first in even rounds,
    the mock first in odd ones, so drift within a round favours neither); per-test
    milliseconds and first use."""
    with tempfile.TemporaryDirectory(prefix="suno-mock-bench-suite-") as tmp:
        folder = Path(tmp)
        suites = (("stub", _write(folder, "stub", STUB_SUITE, count)),
                  ("mock", _write(folder, "mock", MOCK_SUITE, count)))  # fmt: skip
        done: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in suites}
        for round_ in range(runs):
            for name, path in suites if round_ % 2 == 0 else suites[::-1]:
                done[name].append(_run(path))
    return {**done, "count": count}


def report(result: dict[str, Any]) -> str:
    mock = [r["per_test_ms"] for r in result["mock"]]
    stub = [r["per_test_ms"] for r in result["stub"]]
    first = [r["first_setup"] * 1000 for r in result["mock"]]
    # Each round's own ratio, then their median: a round's two runs are minutes closer than
    # the medians of all runs are, and this host's speed drifts 2x within minutes.
    rounds = [m / s for m, s in zip(mock, stub, strict=True)]
    ratio = statistics.median(rounds)
    of_medians = statistics.median(mock) / statistics.median(stub)
    cpu_rounds = [
        m["cpu_ms"] / s["cpu_ms"] for m, s in zip(result["mock"], result["stub"], strict=True)
    ]
    first_ms = statistics.median(first)
    first_cpu = statistics.median(r["cpu"][0] * 1000 for r in result["mock"])
    # The whole first test over a later one: what the session's first test waits, the first
    # submit's imports included (a family is imported when a request first reaches it).
    first_test = statistics.median(r["tests"][0] * 1000 - r["per_test_ms"] for r in result["mock"])
    stub_first = statistics.median(r["first_setup"] * 1000 for r in result["stub"])
    cpu_mock = statistics.median(r["cpu_ms"] for r in result["mock"])
    cpu_stub = statistics.median(r["cpu_ms"] for r in result["stub"])
    return (
        f"(i) suite: {result['count']} tests x {len(mock)} rounds of one run each, the order "
        f"reversed every other round; per test (setup + call + teardown, first test left "
        f"out):\n"
        f"    stub {statistics.median(stub):.1f} ms ({min(stub):.1f}-{max(stub):.1f}); "
        f"mock {statistics.median(mock):.1f} ms ({min(mock):.1f}-{max(mock):.1f})\n"
        f"    mock / stub = {ratio:.2f}x, the median of the rounds' ratios "
        f"({', '.join(f'{r:.2f}' for r in rounds)}); the ratio of the medians: "
        f"{of_medians:.2f}x. Goal: <= 1.25x ({'met' if ratio <= 1.25 else 'not met'}).\n"
        f"    CPU per test (this process's, less sensitive to a busy host): stub "
        f"{cpu_stub:.1f} ms, mock {cpu_mock:.1f} ms; the rounds' median "
        f"{statistics.median(cpu_rounds):.2f}x ({min(cpu_rounds):.2f}-{max(cpu_rounds):.2f}).\n"
        f"    first use (the mock suite's first setup, imports included): {first_ms:.0f} ms "
        f"(runs: {', '.join(f'{f:.0f}' for f in first)}; CPU of the whole first test "
        f"{first_cpu:.0f} ms). Goal: <= 150 ms ({'met' if first_ms <= 150 else 'not met'}).\n"
        f"    the whole first test over a later one: {first_test:.0f} ms; the stub suite's first "
        f"setup (other plugins' session fixtures, no mock): {stub_first:.0f} ms."
    )
