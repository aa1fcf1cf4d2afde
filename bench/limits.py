"""The mock at the process's limits (loopback only, bounded in count and time).

(d2) soak under an open-file limit of 1024 (soft and hard, set in the server process before
     it starts): 20 slow receivers (200 after 2 s, callback_timeout 5 s) get 2,000 tasks x 3
     callbacks (6,000); a fast receiver (200 at once) and a big one (a 1 MiB answer at once),
     each in its own process, get one task after every 20 (100 x 3 each).
     Every callback must be delivered, none on a retry blamed on a receiver, and the log must
     never say "Too many open files". Reported: the server's peak open descriptors, attempts
     that were the mock's own fault, the fast receiver's worst wait for a socket (mock time,
     which runs at wall-clock speed here).
(e2) byte-heavy inputs: the server's RSS after 200 refused ~1 MiB submits (prompt too long,
     each with its own 0.5 MB callBackUrl), after 200 accepted submits carrying a 256 KiB
     unknown field, and after POST /__mock__/reset; and the control plane's latency meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import IO, Any

import aiohttp

from bench.common import RawClient, stop_process

__all__ = ["heavy", "heavy_report", "limited", "limited_report"]

LIMITED = (
    "import resource, runpy, sys\n"
    "limit = int(sys.argv.pop(1))\n"
    "resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))\n"
    "sys.argv[0] = 'suno-mock'\n"
    "runpy.run_module('mock_server', run_name='__main__')\n"
)
"""`python -m mock_server ARGS` with its open-file limit (soft and hard) set first."""
RECEIVERS = """
import asyncio, resource, sys
from aiohttp import web
count, delay, size = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
BODY = b'{"ok": "' + b"x" * size + b'"}'

async def answer(request):
    await request.read()
    if delay:
        await asyncio.sleep(delay)
    return web.Response(body=BODY, content_type="application/json")

async def main():
    urls = []
    for _ in range(count):
        app = web.Application()
        app.router.add_post("/{tail:.*}", answer)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0, backlog=2048).start()
        urls.append(f"http://127.0.0.1:{runner.addresses[0][1]}/cb")
    print(" ".join(urls), flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""
"""COUNT receivers in one process answering after DELAY seconds with SIZE bytes."""
GENERATE = {
    "customMode": True,
    "instrumental": True,
    "model": "V4_5PLUS",
    "style": "limits",
    "title": "Limits",
}
URL = re.compile(r"http://127\.0\.0\.1:\d+")


async def _serve(open_files: int | None, log: IO[bytes], *flags: str) -> tuple[Any, str, int]:
    """`suno-mock serve` (under `open_files` when given), its log into `log`."""
    argv = ["-c", LIMITED, str(open_files)] if open_files else ["-m", "mock_server"]
    proc = await asyncio.create_subprocess_exec(
        sys.executable, *argv, "serve", "--port", "0", "--rate-limit", "off",
        "--credits", "1000000000", *flags,
        stdout=asyncio.subprocess.PIPE, stderr=log,
    )  # fmt: skip
    if proc.stdout is None:
        raise SystemExit("no stdout pipe")
    line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
    match = URL.search(line)
    if match is None:
        proc.kill()
        raise SystemExit(f"could not read a URL from {line!r}: {_text(log)[-500:]}")
    return proc, match.group(0), int(match.group(0).rsplit(":", 1)[1])


def _text(log: IO[bytes]) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")


def _descriptors(pid: int) -> int:
    try:
        return sum(1 for _ in Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return 0


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


async def _submit(port: int, urls: list[str], connections: int = 16) -> None:
    queue = list(reversed(urls))

    async def worker() -> None:
        client = RawClient(port)
        try:
            while queue:
                body = json.dumps({**GENERATE, "callBackUrl": queue.pop()}).encode()
                _, answer = await client.send(
                    RawClient.request(port, "POST", "/api/v1/generate", body)
                )
                if b'"code":200' not in answer:
                    raise SystemExit(f"submit rejected: {answer[:200]!r}")
        finally:
            client.close()

    await asyncio.gather(*(worker() for _ in range(connections)))


async def _walk(http: aiohttp.ClientSession, url: str, key: str) -> list[Any]:
    items: list[Any] = []
    since, more = 0, True
    while more:
        async with http.get(url, params={"since": since, "limit": 200}) as resp:
            page = await resp.json()
        items += page[key]
        since, more = page["next"], page["more"]
    return items


async def limited(
    open_files: int = 1024, receivers: int = 20, tasks: int = 2000, limit: float = 240.0
) -> dict[str, Any]:
    """Run (d2); return its figures."""
    with tempfile.TemporaryFile() as log:
        return await _limited(log, open_files, receivers, tasks, limit)


async def _limited(
    log: IO[bytes], open_files: int, receivers: int, tasks: int, limit: float
) -> dict[str, Any]:
    procs = []
    urls: list[list[str]] = []
    for count, delay, size in ((receivers, 2.0, 0), (1, 0.0, 0), (1, 0.0, 1 << 20)):
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", RECEIVERS, str(count), str(delay), str(size),
            stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        procs.append(proc)
        if proc.stdout is None:
            raise SystemExit("no stdout pipe")
        urls.append((await asyncio.wait_for(proc.stdout.readline(), 30)).decode().split())
    (slow, [fast], [big]) = urls
    mock = None
    peak = 0
    try:
        mock, base, port = await _serve(
            open_files, log, "--log-level", "WARNING", "--callback-timeout", "5",
            "--retry-delays", "60", "--stage-delays", "text=1,first=2,complete=3",
        )  # fmt: skip
        order = []
        for n in range(tasks):  # and one task of the fast and the big one after every 20
            order += [slow[n % len(slow)]] + ([fast, big] if n % 20 == 19 else [])
        started = time.perf_counter()
        await _submit(port, order)
        submitted = time.perf_counter() - started
        async with aiohttp.ClientSession() as http:
            while time.perf_counter() < started + limit:
                peak = max(peak, _descriptors(mock.pid))
                await asyncio.sleep(0.1)
                async with http.get(f"{base}/__mock__/health") as resp:
                    if (await resp.json())["pendingTimers"] <= 0:
                        break
            wall = time.perf_counter() - started
            deliveries = await _walk(http, f"{base}/__mock__/deliveries", "deliveries")
    finally:
        if mock is not None:
            await stop_process(mock)
        for proc in procs:
            await stop_process(proc)
    text = _text(log)
    return _limited_figures(deliveries, (fast, big), wall, submitted, peak, open_files, text)


def _limited_figures(
    deliveries: list[dict[str, Any]],
    light: tuple[str, str],
    wall: float,
    submitted: float,
    peak: int,
    open_files: int,
    log: str,
) -> dict[str, Any]:
    fast, big = light
    rows = {"slow": Counter[str](), "fast": Counter[str](), "big": Counter[str]()}
    fast_wait = 0.0
    for delivery in deliveries:
        url = delivery["url"]
        row = rows["fast" if url == fast else "big" if url == big else "slow"]
        row["callbacks"] += 1
        row[delivery["state"]] += 1
        for attempt in delivery["attempts"]:
            row["attempt " + attempt["outcome"]] += 1
            row["emfile"] += "Too many open files" in (attempt["error"] or "")
            if url == fast and attempt["number"] == 1:
                fast_wait = max(fast_wait, attempt["startedAt"] - attempt["scheduledAt"])
    return {
        "rows": rows,
        "wall": round(wall, 1),
        "submit": round(submitted, 1),
        "peak_fds": peak,
        "open_files": open_files,
        "emfile_lines": log.count("Too many open files"),
        "tracebacks": log.count("Traceback"),
        "log_bytes": len(log.encode()),
        "fast_wait_ms": round(fast_wait * 1000, 1),
    }


def limited_report(result: dict[str, Any], receivers: int, tasks: int) -> str:
    rows = result["rows"]
    ok = result["emfile_lines"] == 0 and all(
        row["delivered"] == row["callbacks"] > 0 and row["attempt failed"] == 0
        for row in rows.values()
    )
    counts = "; ".join(
        f"{kind}: {row['delivered']:,}/{row['callbacks']:,} delivered, "
        f"{row['attempt failed']:,} failed attempts ({row['emfile']:,} 'Too many open files'), "
        f"{row['attempt mock_fault']:,} mock_fault"
        for kind, row in rows.items()
    )
    return "\n".join(
        [
            f"(d2) soak under an open-file limit of {result['open_files']}: {receivers} slow "
            f"receivers (200 after 2 s, timeout 5 s) get {tasks:,} tasks x 3 callbacks; a fast "
            f"one (200 at once) and a big one (1 MiB answers at once) one task after every 20 "
            f"each; submitted in {result['submit']} s, settled in {result['wall']} s",
            f"    {counts}",
            f"    fast receiver's worst wait for a socket: {result['fast_wait_ms']} ms; peak open "
            f"descriptors {result['peak_fds']:,} of {result['open_files']:,}; log: "
            f"{result['log_bytes']:,} bytes, 'Too many open files' {result['emfile_lines']} "
            f"times, {result['tracebacks']} tracebacks. Target: all delivered, none blamed on "
            f"a receiver, no 'Too many open files': {'MET' if ok else 'NOT MET'}.",
        ]
    )


async def _timed(client: RawClient, port: int, method: str, path: str, body: bytes) -> float:
    took, _ = await client.send(RawClient.request(port, method, path, body))
    return round(took * 1000, 1)


async def heavy(count: int = 200) -> dict[str, Any]:
    """Run (e2); return RSS (MiB) at each step and control-plane latencies (ms)."""
    with tempfile.TemporaryFile() as log:
        return await _heavy(log, count)


async def _heavy(log: IO[bytes], count: int) -> dict[str, Any]:
    mock, _, port = await _serve(None, log, "--log-level", "ERROR")
    client = RawClient(port)
    rss: dict[str, float] = {"start": _rss_mib(mock.pid)}
    latency: dict[str, float] = {}
    try:
        for n in range(count):
            url = f"http://127.0.0.1:9/{n}/" + "u" * 500_000
            refused = {"customMode": False, "instrumental": False, "model": "V4"}
            text = json.dumps({**refused, "prompt": "p" * 500_000, "callBackUrl": url})
            await client.send(RawClient.request(port, "POST", "/api/v1/generate", text.encode()))
        rss["after refused ~1 MiB submits"] = _rss_mib(mock.pid)
        for _ in range(count):
            payload = {**GENERATE, "extra": "x" * 256 * 1024}
            payload["callBackUrl"] = "http://files.invalid/cb"
            body = json.dumps(payload).encode()
            await client.send(RawClient.request(port, "POST", "/api/v1/generate", body))
        rss["after accepted 256 KiB submits"] = _rss_mib(mock.pid)
        for name, path in (("requests", "/__mock__/requests"), ("tasks", "/__mock__/tasks")):
            latency[name] = await _timed(client, port, "GET", path, b"")
        latency["reset"] = await _timed(client, port, "POST", "/__mock__/reset", b"")
        await asyncio.sleep(1.0)  # a big store is freed a slice per loop turn
        rss["after reset"] = _rss_mib(mock.pid)
    finally:
        client.close()
        await stop_process(mock)
    return {"rss": rss, "latency": latency, "count": count}


def heavy_report(result: dict[str, Any]) -> str:
    rss = result["rss"]
    steps = ", ".join(f"{name} {mib:,.1f}" for name, mib in rss.items())
    left = rss["after refused ~1 MiB submits"] - rss["start"]
    latency = ", ".join(f"{name} {ms} ms" for name, ms in result["latency"].items())
    return (
        f"(e2) byte-heavy inputs, {result['count']} of each: RSS MiB: {steps}. Left behind by "
        f"the refused submits: {left:,.1f} MiB (target < 64: {'MET' if left < 64 else 'NOT MET'})."
        f" Control plane meanwhile: {latency}."
    )
