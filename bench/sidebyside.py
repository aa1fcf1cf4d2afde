"""Side by side with a naive aiohttp reference (docs/benchmarks.md), in one run, same load
client for both.

The reference is the least a callback server can do: parse the JSON body, answer a task id,
schedule three `call_later`s that POST a small prebuilt-shape body through one shared client
session. The mock runs as `suno-mock serve --rate-limit off` in its own process. Figures are
ratios measured in the same run, since this host's speed drifts 2x within minutes.

(f) fanout: N tasks (default 1,000) submitted at once, 3 callbacks each at 3 / 4 / 5 s, to one
    receiver process that notes when each arrives. Lateness = arrival - (the moment the
    submit was sent + the stage's delay), per stage (p50/p99/max); every callback must arrive
    exactly once. Goal: mock p99 <= 3x reference + 10 ms in every stage.
(g) accept: accept + schedule 3 callbacks (a day ahead) of the upload-extend body, req/s with
    `wrk` (Debian package `wrk`) at 32 and at 64 connections, and the server process's CPU
    seconds per 1,000 accepts (/proc); without wrk, the Python keep-alive client (which tops
    out near the server's rate, so the ratio reads closer to 1 than it is). Runs alternate;
    medians. Goals: req/s >= 1.0x and CPU per accept <= 1.0x at both connection counts. The
    mock runs as `serve` does by default (on uvloop), and once more on asyncio's own loop
    (`--event-loop asyncio`, the reference's), reported beside it.
(h) memory: RSS per finished task (3 delivered callbacks, journal included) of the mock at
    N tasks (default 20,000; the journal keeps 100,000 requests and deliveries by default, so
    the per-task figure holds to ~33k tasks without trimming). Goal: <= 4 KiB at 100k.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench.common import UPLOAD_EXTEND, RawClient, percentile, start_process, stop_process

__all__ = ["accept", "fanout", "memory"]

PATH = "/api/v1/generate"
ACCEPT_PATH = "/api/v1/generate/upload-extend"
BODY = {  # non-custom, with vocals: title, tags and lyrics are all generated (the costly case)
    "customMode": False,
    "instrumental": False,
    "prompt": "a calm song about rivers",
    "model": "V4",
}
STAGES = ("text", "first", "complete")
REFERENCE = """
import asyncio, json, sys, uuid
from aiohttp import ClientSession, web
delays = [float(d) for d in sys.argv[1].split(",")]
stages = ("text", "first", "complete")

async def main():
    session = ClientSession()
    loop = asyncio.get_running_loop()

    async def send(url, body):
        async with session.post(url, data=body, headers={"Content-Type": "application/json"}) as r:
            await r.read()

    def fire(url, task_id, stage):
        body = json.dumps({"code": 200, "msg": "ok", "data": {
            "callbackType": stage, "task_id": task_id, "data": []}}).encode()
        loop.create_task(send(url, body))

    async def submit(request):
        body = await request.json()
        task_id = uuid.uuid4().hex
        for stage, delay in zip(stages, delays):
            loop.call_later(delay, fire, body["callBackUrl"], task_id, stage)
        return web.json_response({"code": 200, "msg": "success", "data": {"taskId": task_id}})

    app = web.Application()
    app.router.add_post(sys.argv[2], submit)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0, backlog=1024).start()
    print(f"listening on http://127.0.0.1:{runner.addresses[0][1]}", flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""
RECEIVER = """
import asyncio, json, re, time
LENGTH = re.compile(rb"(?i)content-length: *(\\d+)")
TASK = re.compile(rb'"task_id": ?"([^"]*)"')
KIND = re.compile(rb'"callbackType": ?"([^"]*)"')
seen = []

class Receiver(asyncio.Protocol):
    # A lean HTTP/1.1 receiver (keep-alive), so the receiver is not what is measured.
    def connection_made(self, transport):
        self.transport, self.buffer = transport, b""

    def data_received(self, data):
        self.buffer += data
        while True:
            end = self.buffer.find(b"\\r\\n\\r\\n")
            if end < 0:
                return
            head = self.buffer[:end]
            match = LENGTH.search(head)
            size = int(match.group(1)) if match else 0
            if len(self.buffer) < end + 4 + size:
                return
            body, self.buffer = self.buffer[end + 4:end + 4 + size], self.buffer[end + 4 + size:]
            if head.startswith(b"POST"):
                seen.append((time.time(), TASK.search(body).group(1).decode(),
                             KIND.search(body).group(1).decode()))
                answer = b"{}"
            elif b"/results" in head.split(b"\\r\\n", 1)[0]:
                answer = json.dumps(seen).encode()
            else:
                answer = str(len(seen)).encode()
            self.transport.write(b"HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\n"
                                 b"Content-Length: %d\\r\\n\\r\\n" % len(answer) + answer)

async def main():
    server = await asyncio.get_running_loop().create_server(Receiver, "127.0.0.1", 0, backlog=4096)
    print(f"listening on http://127.0.0.1:{server.sockets[0].getsockname()[1]}/cb", flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""
TASK_ID = re.compile(rb'"taskId": ?"([0-9a-f]+)"')


def _delays(text: str) -> str:
    return ",".join(f"{k}={v}" for k, v in zip(STAGES, text.split(","), strict=True))


def mock_argv(delays: str, loop: str = "auto") -> tuple[str, ...]:
    """`python` arguments of `suno-mock serve` as the side-by-side runs start it (`loop`: its
    `--event-loop`; `auto` is uvloop, a dependency here)."""
    return (
        "-m", "mock_server", "serve", "--port", "0", "--log-level", "WARNING",
        "--rate-limit", "off", "--credits", "1000000000000", "--stage-delays", _delays(delays),
        "--event-loop", loop,
    )  # fmt: skip


def reference_argv(delays: str, path: str) -> tuple[str, ...]:
    """`python` arguments of the naive reference answering `path`."""
    return ("-c", REFERENCE, delays, path)


async def start_mock(delays: str, loop: str = "auto") -> tuple[asyncio.subprocess.Process, str]:
    proc, url = await start_process(*mock_argv(delays, loop))
    return proc, url.split()[0]


async def start_reference(delays: str) -> tuple[asyncio.subprocess.Process, str]:
    return await start_process(*reference_argv(delays, PATH))


async def submit_all(
    url: str, callback: str, tasks: int, connections: int = 32
) -> dict[str, float]:
    """Submit `tasks` over `connections` keep-alive connections; {task id: when it was sent}."""
    port = int(url.rsplit(":", 1)[1])
    request = RawClient.request(
        port, "POST", PATH, json.dumps({**BODY, "callBackUrl": callback}).encode()
    )
    sent: dict[str, float] = {}
    left = [tasks]

    async def worker() -> None:
        client = RawClient(port)
        try:
            while left[0] > 0:
                left[0] -= 1
                at = time.time()
                _, body = await client.send(request)
                match = TASK_ID.search(body)
                if match is None:
                    raise SystemExit(f"submit rejected: {body[:200]!r}")
                sent[match.group(1).decode()] = at
        finally:
            client.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return sent


async def _get(url: str) -> Any:
    async with aiohttp.ClientSession() as http, http.get(url) as resp:
        return await resp.json()


async def _wait_count(receiver: str, expected: int, within: float) -> int:
    base = receiver.rsplit("/", 1)[0]
    deadline = time.monotonic() + within
    count = 0
    while time.monotonic() < deadline:
        count = await _get(base + "/count")
        if count >= expected:
            break
        await asyncio.sleep(0.2)
    return int(count)


async def fanout_once(kind: str, tasks: int, delays: str) -> dict[str, Any]:
    """One fan-out run against a fresh server of `kind` ("reference" or "mock")."""
    receiver, callback = await start_process("-c", RECEIVER)
    server, url = await (start_reference if kind == "reference" else start_mock)(delays)
    try:
        sent = await submit_all(url, callback, tasks)
        stage_delay = dict(zip(STAGES, (float(d) for d in delays.split(",")), strict=True))
        await _wait_count(callback, tasks * 3, max(stage_delay.values()) + 60)
        await asyncio.sleep(0.5)  # a duplicate would arrive now
        seen = await _get(callback.rsplit("/", 1)[0] + "/results")
    finally:
        await stop_process(server)
        await stop_process(receiver)
    late: dict[str, list[float]] = {stage: [] for stage in STAGES}
    keys = set()
    for at, task_id, stage in seen:
        keys.add((task_id, stage))
        if task_id in sent:
            late[stage].append((at - sent[task_id] - stage_delay[stage]) * 1000)
    expected = {(task_id, stage) for task_id in sent for stage in STAGES}
    result: dict[str, Any] = {
        "received": len(seen),
        "expected": len(expected),
        "once": len(seen) == len(keys) and keys == expected,
    }
    for stage, values in late.items():
        values.sort()
        result[stage] = (
            {
                "p50": percentile(values, 0.5),
                "p99": percentile(values, 0.99),
                "max": round(values[-1], 1),
            }
            if values
            else {"p50": float("nan"), "p99": float("nan"), "max": float("nan")}
        )
    return result


async def fanout(tasks: int, runs: int, delays: str = "3,4,5") -> dict[str, list[dict[str, Any]]]:
    results: dict[str, list[dict[str, Any]]] = {"reference": [], "mock": []}
    for _ in range(runs):
        for kind in results:
            results[kind].append(await fanout_once(kind, tasks, delays))
    return results


def fanout_report(results: dict[str, list[dict[str, Any]]], tasks: int) -> str:
    lines = [
        f"(f) fan-out: {tasks} tasks x 3 callbacks submitted at once, median of "
        f"{len(results['mock'])} runs; lateness ms (p50 / p99 / max):"
    ]
    for kind, runs in results.items():
        ok = all(r["once"] for r in runs)
        parts = []
        for stage in STAGES:
            p = {m: statistics.median(r[stage][m] for r in runs) for m in ("p50", "p99", "max")}
            parts.append(f"{stage} {p['p50']:.1f} / {p['p99']:.1f} / {p['max']:.1f}")
        received = "+".join(str(r["received"]) for r in runs)
        lines.append(
            f"    {kind:9} {'; '.join(parts)}  (received {received}, "
            f"each exactly once: {'yes' if ok else 'NO'})"
        )
    verdicts = []
    for stage in STAGES:
        ref = statistics.median(r[stage]["p99"] for r in results["reference"])
        mock = statistics.median(r[stage]["p99"] for r in results["mock"])
        goal = 3 * ref + 10
        verdicts.append(
            f"{stage} {mock / ref if ref > 0 else float('inf'):.1f}x "
            f"({'met' if mock <= goal else 'NOT met'}: {mock:.1f} <= {goal:.1f})"
        )
    lines.append(
        "    mock p99 / reference p99: "
        + "; ".join(verdicts)
        + ". Goal: <= 3x reference + 10 ms in every stage."
    )
    return "\n".join(lines)


WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench"
"""


async def _wrk(
    url: str, seconds: float, connections: int, script: Path, cpus: Pinning
) -> tuple[int, int]:
    """wrk's rate (req/s) and its count of requests answered, on the load's CPUs."""
    proc = await asyncio.create_subprocess_exec(
        "wrk", f"-t{cpus.threads}", f"-c{connections}", f"-d{seconds:g}s", "-s", str(script),
        url + ACCEPT_PATH, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        preexec_fn=cpus.pin_load,
    )  # fmt: skip
    out = (await proc.communicate())[0].decode()
    if "Non-2xx" in out:
        raise SystemExit(f"wrk saw errors:\n{out}")
    rate = re.search(r"Requests/sec:\s*([\d.]+)", out)
    count = re.search(r"(\d+) requests in", out)
    if rate is None or count is None:
        raise SystemExit(f"could not read wrk's output:\n{out}")
    return round(float(rate.group(1))), int(count.group(1))


class Pinning:
    """Which CPUs (g)'s servers and its load client run on: with two or more, the server under
    measure has the last CPU to itself and wrk the others (one wrk thread each), so a run
    measures the server, not how the scheduler shares two cores between it and the client.
    With one CPU (or no affinity calls), nothing is pinned and wrk runs two threads."""

    def __init__(self) -> None:
        cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
        pinned = len(cpus) >= 2
        self.server: set[int] = {cpus[-1]} if pinned else set()
        self.load: set[int] = set(cpus[:-1]) if pinned else set()
        self.threads = len(self.load) or 2
        """wrk's threads: one a CPU of its own, else two."""

    def describe(self) -> str:
        if not self.server:
            return f"not pinned (one CPU), wrk with {self.threads} threads"
        load = ",".join(map(str, sorted(self.load)))
        return f"each server pinned to CPU {min(self.server)}, wrk to CPU {load}"

    def pin_server(self, pid: int) -> None:
        """Every thread of process `pid` onto the server's CPU (threads made later inherit)."""
        if self.server:
            for task in Path(f"/proc/{pid}/task").iterdir():
                os.sched_setaffinity(int(task.name), self.server)

    def pin_load(self) -> None:
        """In the load client's process, before it runs (`preexec_fn`)."""
        if self.load:
            os.sched_setaffinity(0, self.load)


async def _python_rate(url: str, seconds: float, connections: int) -> tuple[int, int]:
    from bench.run import measure_rate

    measured = await measure_rate(url, seconds, connections)
    return int(measured["per_s"]), int(measured["accepted"])


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used (/proc/PID/stat, fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _check_accepts(url: str) -> None:
    """The mock still accepts (a run of refused submits would read as a fast server)."""
    port = int(url.rsplit(":", 1)[1])
    body = json.dumps({**UPLOAD_EXTEND, "callBackUrl": "http://127.0.0.1:9/cb"}).encode()
    client = RawClient(port)
    try:
        _, answer = await client.send(RawClient.request(port, "POST", ACCEPT_PATH, body))
    finally:
        client.close()
    if TASK_ID.search(answer) is None:
        raise SystemExit(f"the server refused a submit after the run: {answer[:200]!r}")


async def _accept_run(
    proc: asyncio.subprocess.Process,
    url: str,
    seconds: float,
    connections: int,
    script: Path,
    cpus: Pinning,
) -> tuple[int, float]:
    """One run: req/s and the server's CPU seconds per 1,000 accepts."""
    cpu = _cpu_seconds(proc.pid)
    if shutil.which("wrk"):
        rate, count = await _wrk(url, seconds, connections, script, cpus)
    else:
        rate, count = await _python_rate(url, seconds, connections)
    used = _cpu_seconds(proc.pid) - cpu
    await _check_accepts(url)
    return rate, used * 1000 / max(count, 1)


async def accept(seconds: float, runs: int, connections: tuple[int, ...]) -> dict[str, Any]:
    """Per connection count, `runs` rounds of the reference, the mock (on uvloop, its default)
    and the mock on asyncio's own loop, the order reversed every other round (a host that
    speeds up or slows down during a round favours neither); req/s and CPU/1,000 per run."""
    far = "86400,86400,86400"
    cpus = Pinning()
    reference, ref_url = await start_process(*reference_argv(far, ACCEPT_PATH))
    mock, mock_url = await start_mock(far)
    plain, plain_url = await start_mock(far, "asyncio")
    tool = "wrk" if shutil.which("wrk") else "python"
    result: dict[str, Any] = {"tool": tool, "pinning": cpus.describe(), "runs": {}}
    servers = (
        ("reference", reference, ref_url), ("mock", mock, mock_url),
        ("asyncio", plain, plain_url),
    )  # fmt: skip
    try:
        for _, proc, _ in servers:
            cpus.pin_server(proc.pid)
        with tempfile.TemporaryDirectory() as folder:
            script = Path(folder) / "post.lua"
            body = json.dumps({**UPLOAD_EXTEND, "callBackUrl": "http://127.0.0.1:9/cb"})
            script.write_text(WRK_SCRIPT.format(body=json.dumps(body)))
            for count in connections:
                rows: dict[str, list[tuple[int, float]]] = {kind: [] for kind, _, _ in servers}
                for round_ in range(runs):
                    for kind, proc, url in servers if round_ % 2 == 0 else servers[::-1]:
                        run = await _accept_run(proc, url, seconds, count, script, cpus)
                        rows[kind].append(run)
                result["runs"][count] = rows
    finally:
        for _, proc, _ in servers:
            await stop_process(proc)
    return result


def accept_report(result: dict[str, Any], seconds: float) -> str:
    note = (
        ""
        if result["tool"] == "wrk"
        else (
            " wrk NOT found (install: apt-get install -y wrk); the Python client was used, it tops "
            "out near the server's rate."
        )
    )
    lines = [
        f"(g) accept + schedule 3 callbacks, upload-extend body ({result['tool']}; runs of "
        f"{seconds:g} s, {result['pinning']}; the order reversed every other round). Each "
        "ratio is the median of the rounds' own (each run against the reference run of its "
        "round). Goals: req/s >= 1.0x, server CPU per accept <= 1.0x." + note
    ]
    for count, rows in result["runs"].items():
        reference = rows["reference"]
        ref_rate = statistics.median(r for r, _ in reference)
        ref_cpu = statistics.median(c for _, c in reference)
        for kind in ("mock", "asyncio"):
            runs = rows.get(kind)
            if not runs:
                continue
            rates = sorted(m[0] / r[0] for m, r in zip(runs, reference, strict=True))
            cpus = sorted(m[1] / r[1] for m, r in zip(runs, reference, strict=True))
            rate, cpu = statistics.median(r for r, _ in runs), statistics.median(c for _, c in runs)
            if kind == "mock":
                head = f"    {count} connections: mock / reference = "
            else:
                head = "        the mock on asyncio's own loop (--event-loop asyncio): "
            lines.append(
                f"{head}{statistics.median(rates):.2f}x req/s (rounds {rates[0]:.2f}-"
                f"{rates[-1]:.2f}; medians {rate:,.0f} / {ref_rate:,.0f} req/s), CPU per accept "
                f"{statistics.median(cpus):.2f}x (rounds {cpus[0]:.2f}-{cpus[-1]:.2f}; "
                f"{cpu * 1000:.0f} / {ref_cpu * 1000:.0f} us)"
            )
    return "\n".join(lines)


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise SystemExit("no VmRSS in /proc")


async def memory(tasks: int, warm: int = 1000) -> dict[str, Any]:
    """RSS growth of the mock per finished task (3 delivered callbacks each, journal kept)."""
    receiver, callback = await start_process("-c", RECEIVER)
    mock, url = await start_mock("0.02,0.04,0.06")
    try:
        await submit_all(url, callback, warm)
        await _wait_count(callback, warm * 3, 60)
        await asyncio.sleep(0.5)
        before = _rss_kib(mock.pid)
        started = time.monotonic()
        await submit_all(url, callback, tasks)
        got = await _wait_count(callback, (warm + tasks) * 3, 600)
        await asyncio.sleep(1.0)
        after = _rss_kib(mock.pid)
        seconds = time.monotonic() - started
        deliveries = await _get(url + "/__mock__/deliveries?limit=1")
    finally:
        await stop_process(mock)
        await stop_process(receiver)
    return {
        "tasks": tasks,
        "delivered": got - warm * 3,
        "per_task_kib": (after - before) / tasks,
        "before_mib": before / 1024,
        "after_mib": after / 1024,
        "seconds": seconds,
        "journal_sample": bool(deliveries),
    }


def memory_report(result: dict[str, Any]) -> str:
    per = result["per_task_kib"]
    return (
        f"(h) memory: {result['tasks']:,} tasks x 3 callbacks ({result['delivered']:,} "
        f"delivered) in {result['seconds']:.0f} s: RSS {result['before_mib']:.0f} -> "
        f"{result['after_mib']:.0f} MiB, {per:.1f} KiB per finished task (journal included); "
        f"at 100k tasks about {per * 100_000 / 1024**2:.2f} GiB (extrapolated). "
        f"Goal: <= 4 KiB per task ({'met' if per <= 4 else 'NOT met'})."
    )
