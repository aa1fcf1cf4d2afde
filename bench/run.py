"""Benchmarks of suno-mock-server. Run: `python3 dev.py bench`. Loopback only, bounded in time.

(a) submit throughput: accepted upload-extend requests per second against `suno-mock serve` in
    its own process, callbacks scheduled a day ahead (so only acceptance is measured). The load
    comes from a lean keep-alive HTTP/1.1 client in this process. For scale, the same client is
    pointed at a bare aiohttp "hello world" (the ceiling of server + client on this box) just
    before each run; runs alternate, and the median and range of each are reported.
(b) delivery: N tasks x 3 callbacks to a receiver in its own process, the mock in this one.
    Every delivery must succeed; lateness = (first attempt start - scheduled time) + the POST's
    round trip. Two load shapes: tasks submitted at a steady rate (default 1,000 tasks/s,
    ~500x the documented real limit of 20 requests / 10 s) and all submitted at once (burst).

(c) fixture cost: start + stop of the `suno_mock` fixture's server, median of 200 runs.
(d) soak: six kinds of receiver, 6,000 tasks (bench/soak.py); (d2) the same under an
    open-file limit of 1024 with 20 slow receivers (bench/limits.py).
(e) control plane at 1k / 10k / 100k tasks (bench/scale.py); (e2) byte-heavy inputs: RSS and
    control-plane latency (bench/limits.py); (e3) the control plane with 100k tasks pending,
    then a reset (bench/scale.py).
(f) fanout, (g) accept, (h) memory: side by side with a naive aiohttp reference in the same run
    (bench/sidebyside.py; (g) uses `wrk`: `apt-get install -y wrk`). (g) loads both with the
    upload-extend body at 32 and at 64 connections (`--accept-connections`) and reads each
    server's CPU seconds per 1,000 accepts.
(i) suite: 200 tests with the public fixtures next to the same tests against a hand-written
    stub, in rounds (the order reversed every other one), in pytest subprocesses
    (bench/suite.py): per-test wall and CPU time, the median of the rounds' ratios, and first
    use (the first test's setup: the imports a session pays once).
(j) instructions: (i)'s suites and (g)'s accept counted by valgrind (bench/instructions.py),
    the steady figure on a busy host; only when named (`python3 dev.py bench instructions`).

Targets on a 2-core machine: (a) >= 6,000 req/s; (b) all delivered, p99 lateness <= 100 ms;
(c) <= 15 ms; (d) every callback to the healthy receiver delivered on its first attempt; (e) no
control call holds up an API request for more than 50 ms at 100k tasks, finished or (e3)
pending; (d2) every callback delivered, none blamed on a receiver, no "Too many open files";
(e2) < 64 MiB left behind by the refused submits; (f) p99 <= 3x the reference + 10 ms, every
callback exactly once; (g) >= 1.0x the reference's req/s and <= 1.0x its CPU per accept, at
both connection counts; (h) <= 4 KiB per task; (i) mock / stub <= 1.25x, first use <= 0.15 s;
(j) suite <= 1.25x, accept <= 1.0x.

`python3 dev.py bench` runs them all but (j); `python3 dev.py bench soak scale` runs only those;
`python3 dev.py bench limited heavy pending` only (d2), (e2) and (e3).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import instructions, limits, scale, sidebyside, soak, suite
from bench.common import UPLOAD_EXTEND, percentile, start_process, stop_process
from mock_server import MockServer, ScaledClock, Settings, StageDelays
from mock_server.testing import SunoMock

PATH = "/api/v1/generate/upload-extend"
HELLO = (
    "import asyncio\n"
    "from aiohttp import web\n"
    "async def ok(request):\n"
    "    await request.read()\n"
    '    body = \'{"code":200,"msg":"success","data":{"taskId":"x"}}\'\n'
    "    return web.Response(text=body, content_type='application/json')\n"
    "async def main():\n"
    "    app = web.Application()\n"
    f"    app.router.add_post('{PATH}', ok)\n"
    "    runner = web.AppRunner(app, access_log=None)\n"
    "    await runner.setup()\n"
    "    await web.TCPSite(runner, '127.0.0.1', 0).start()\n"
    "    print(f'listening on http://127.0.0.1:{runner.addresses[0][1]}', flush=True)\n"
    "    await asyncio.Event().wait()\n"
    "asyncio.run(main())\n"
)
RECEIVER = (
    "import asyncio\n"
    "from mock_server.testing.receiver import CallbackReceiver\n"
    "async def main():\n"
    "    async with CallbackReceiver() as receiver:\n"
    "        print(f'listening on {receiver.url}', flush=True)\n"
    "        await asyncio.Event().wait()\n"
    "asyncio.run(main())\n"
)
CONTENT_LENGTH = re.compile(rb"(?i)content-length: *(\d+)")
CHOICES = (
    "submit", "delivery", "fixture", "soak", "scale", "fanout", "accept", "memory", "suite",
    "instructions",
)  # fmt: skip
OPT_IN = ("instructions",)
"""Run only when named: (j) needs valgrind and about fifteen minutes."""
PARTS = {"limited": "soak", "heavy": "scale", "pending": "scale"}
"""Parts of a benchmark that run alone when named (`bench limited` runs only (d2))."""


async def keep_alive_client(port: int, request: bytes, deadline: float, counts: list[int]) -> None:
    """Send `request` over one connection until `deadline`; count code-200 answers."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < deadline:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = CONTENT_LENGTH.search(head)
            if length is None:
                raise SystemExit(f"answer without Content-Length: {head!r}")
            body = await reader.readexactly(int(length.group(1)))
            counts[0 if b'"code":200' in body else 1] += 1
    finally:
        writer.close()


async def measure_rate(url: str, seconds: float, connections: int) -> dict[str, Any]:
    port = int(url.rsplit(":", 1)[1])
    body = json.dumps({**UPLOAD_EXTEND, "callBackUrl": "http://127.0.0.1:9/cb"}).encode()
    request = (
        f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer bench\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    warm = [0, 0]
    warm_until = time.perf_counter() + 0.5
    await asyncio.gather(
        *(keep_alive_client(port, request, warm_until, warm) for _ in range(connections))
    )
    counts = [0, 0]
    start = time.perf_counter()
    await asyncio.gather(
        *(keep_alive_client(port, request, start + seconds, counts) for _ in range(connections))
    )
    elapsed = time.perf_counter() - start
    return {"accepted": counts[0], "rejected": counts[1], "per_s": round(counts[0] / elapsed)}


async def bench_submit(
    seconds: float, connections: int, runs: int
) -> tuple[list[dict[str, Any]], list[int]]:
    """`runs` measurements of the mock, each right after one of the hello-world ceiling: a
    shared host's speed drifts by tens of percent within minutes, so one run tells little."""
    hello, hello_url = await start_process("-c", HELLO)
    mock, mock_url = await start_process(
        "-m", "mock_server", "serve", "--port", "0", "--log-level", "WARNING",
        "--rate-limit", "off", "--credits", "1000000000",
        "--stage-delays", "text=86400,first=86400,complete=86400",
    )  # fmt: skip
    results, ceilings = [], []
    try:
        for _ in range(runs):
            ceilings.append((await measure_rate(hello_url, seconds, connections))["per_s"])
            results.append(await measure_rate(mock_url.split()[0], seconds, connections))
    finally:
        await stop_process(hello)
        await stop_process(mock)
    return results, ceilings


def spread(values: list[int]) -> str:
    """Median and range, e.g. `4,512 req/s (3,970-6,461)`."""
    return f"{statistics.median(values):,.0f} req/s ({min(values):,}-{max(values):,})"


async def bench_deliveries(tasks: int, rate: float | None) -> dict[str, Any]:
    """Submit `tasks` (at `rate` per second, or all at once) and wait for 3 callbacks each."""
    receiver, url = await start_process("-c", RECEIVER)
    delays = StageDelays(text=3, first=4, complete=5)
    settings = Settings(stage_delays=delays, credits=10**9, rate_limit=None)
    server = MockServer(settings, clock=ScaledClock(1.0))
    await server.start()
    try:
        body = {**UPLOAD_EXTEND, "callBackUrl": url}
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=32), headers={"Authorization": "Bearer bench"}
        ) as http:

            async def submit(at: float) -> None:
                if at > time.perf_counter():
                    await asyncio.sleep(at - time.perf_counter())
                async with http.post(server.url + PATH, json=body) as resp:
                    envelope = await resp.json()
                    if envelope["code"] != 200:
                        raise SystemExit(f"submit rejected: {envelope}")

            start = time.perf_counter()
            step = 1 / rate if rate else 0.0
            await asyncio.gather(*(submit(start + i * step) for i in range(tasks)))
            submit_seconds = time.perf_counter() - start
        expected = tasks * 3
        deadline = time.perf_counter() + delays.complete + 30
        while time.perf_counter() < deadline:
            if sum(d.state != "pending" for d in server.deliveries()) >= expected:
                break
            await asyncio.sleep(0.1)
        deliveries = server.deliveries()
        lateness = sorted(
            (d.attempts[0].started_at - d.attempts[0].scheduled_at) * 1000
            + (d.attempts[0].latency_ms or 0.0)
            for d in deliveries
            if d.attempts
        )
    finally:
        await server.close()
        await stop_process(receiver)
    return {
        "submit_seconds": round(submit_seconds, 2),
        "expected": expected,
        "delivered": sum(d.state == "delivered" for d in deliveries),
        "p50": percentile(lateness, 0.50),
        "p99": percentile(lateness, 0.99),
        "max": round(lateness[-1], 1),
    }


async def bench_fixture(runs: int) -> dict[str, float]:
    """Start and stop the server the `suno_mock` fixture makes, `runs` times."""
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        mock = await SunoMock().start()
        await mock.close()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {"median": round(statistics.median(timings), 2), "p90": percentile(timings, 0.9)}


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="suno-mock-server benchmarks")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each run (a)")
    parser.add_argument("--runs", type=int, default=5, help="runs of (a)")
    parser.add_argument("--connections", type=int, default=32, help="connections of run (a)")
    parser.add_argument("--tasks", type=int, default=1000, help="tasks of run (b)")
    parser.add_argument("--rate", type=float, default=1000.0, help="tasks/s of paced run (b)")
    parser.add_argument("--fixture-runs", type=int, default=200, help="runs of (c)")
    parser.add_argument("--soak-tasks", type=int, default=1000, help="tasks per receiver (d)")
    parser.add_argument("--soak-timeout", type=float, default=1.0, help="callback_timeout (d)")
    parser.add_argument("--soak-rate", type=float, default=100.0, help="tasks/s submitted (d)")
    parser.add_argument("--limited-files", type=int, default=1024, help="open-file limit (d2)")
    parser.add_argument("--limited-tasks", type=int, default=2000, help="slow tasks of (d2)")
    parser.add_argument("--heavy-count", type=int, default=200, help="submits per step (e2)")
    parser.add_argument("--pending-tasks", type=int, default=100_000, help="tasks of (e3)")
    parser.add_argument(
        "--scale-sizes", default="1000,10000,100000", help="task counts of (e), comma-separated"
    )
    parser.add_argument("--fanout-tasks", type=int, default=1000, help="tasks of (f)")
    parser.add_argument("--fanout-runs", type=int, default=2, help="runs of (f)")
    parser.add_argument("--accept-runs", type=int, default=6, help="rounds of (g)")
    parser.add_argument("--accept-seconds", type=float, default=2.0, help="length of a (g) run")
    parser.add_argument(
        "--accept-connections", default="32,64", help="connection counts of (g), comma-separated"
    )
    parser.add_argument("--memory-tasks", type=int, default=20000, help="tasks of (h)")
    parser.add_argument("--suite-tests", type=int, default=200, help="tests per suite (i)")
    parser.add_argument(
        "--suite-runs", type=int, default=6, help="rounds, one run of each suite a round (i)"
    )
    parser.add_argument(
        "which", nargs="*", help=f"benchmarks to run: {', '.join(CHOICES)} (default: all)"
    )
    args = parser.parse_args(argv)
    which = set(args.which or set(CHOICES) - set(OPT_IN))
    if which - set(CHOICES) - set(PARTS):
        known = (*CHOICES, *PARTS)
        parser.error(f"unknown benchmark(s) {sorted(which - set(known))}; choose from {known}")
    if "submit" in which:
        await run_submit(args)
    if "delivery" in which:
        await run_deliveries(args)
    if "fixture" in which:
        await run_fixture(args)
    if "soak" in which:
        result = await soak.soak(args.soak_tasks, args.soak_timeout, args.soak_rate)
        print(soak.report(result, args.soak_tasks, args.soak_timeout), flush=True)
    if which & {"soak", "limited"}:
        limited = await limits.limited(args.limited_files, 20, args.limited_tasks)
        print(limits.limited_report(limited, 20, args.limited_tasks), flush=True)
    if "scale" in which:
        sizes = tuple(int(size) for size in args.scale_sizes.split(","))
        print(scale.report(await scale.scale(sizes)), flush=True)
    if which & {"scale", "pending"}:
        print(scale.pending_report(await scale.pending(args.pending_tasks)), flush=True)
    if which & {"scale", "heavy"}:
        print(limits.heavy_report(await limits.heavy(args.heavy_count)), flush=True)
    if "fanout" in which:
        fanned = await sidebyside.fanout(args.fanout_tasks, args.fanout_runs)
        print(sidebyside.fanout_report(fanned, args.fanout_tasks), flush=True)
    if "accept" in which:
        accepted = await sidebyside.accept(
            args.accept_seconds, args.accept_runs, counts_of(args.accept_connections)
        )
        print(sidebyside.accept_report(accepted, args.accept_seconds), flush=True)
    if "memory" in which:
        print(sidebyside.memory_report(await sidebyside.memory(args.memory_tasks)), flush=True)
    if "suite" in which:
        ran = await asyncio.to_thread(suite.suite, args.suite_tests, args.suite_runs)
        print(suite.report(ran), flush=True)
    if "instructions" in which:
        counted = await asyncio.to_thread(instructions.suite_counts)
        accepted = await instructions.accept_counts(counts_of(args.accept_connections))
        print(instructions.report(counted, accepted), flush=True)
    return 0


def counts_of(text: str) -> tuple[int, ...]:
    return tuple(int(count) for count in text.split(","))


async def run_submit(args: argparse.Namespace) -> None:
    submits, ceilings = await bench_submit(args.seconds, args.connections, args.runs)
    print(
        f"(a) upload-extend accepted: median {spread([r['per_s'] for r in submits])} over "
        f"{args.runs} runs of {args.seconds:g} s, {args.connections} connections "
        f"({sum(r['accepted'] for r in submits)} accepted, "
        f"{sum(r['rejected'] for r in submits)} rejected); bare aiohttp hello-world with the "
        f"same client: median {spread(ceilings)}. Target >= 6,000 req/s.",
        flush=True,
    )


async def run_deliveries(args: argparse.Namespace) -> None:
    for label, rate in (("paced", args.rate), ("burst", None)):
        result = await bench_deliveries(args.tasks, rate)
        print(
            f"(b) {label}: {args.tasks} tasks x 3 callbacks, submitted in "
            f"{result['submit_seconds']} s: {result['delivered']}/{result['expected']} "
            f"delivered; lateness p50 {result['p50']} ms, p99 {result['p99']} ms, "
            f"max {result['max']} ms. Target: all delivered, p99 <= 100 ms.",
            flush=True,
        )


async def run_fixture(args: argparse.Namespace) -> None:
    fixture = await bench_fixture(args.fixture_runs)
    print(
        f"(c) suno_mock fixture start + stop: median {fixture['median']} ms, "
        f"p90 {fixture['p90']} ms over {args.fixture_runs} runs. Target: median <= 15 ms.",
        flush=True,
    )


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main(sys.argv[1:])))
