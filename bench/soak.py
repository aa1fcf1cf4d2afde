"""(d) Soak: six kinds of receiver, 1,000 tasks each, against `suno-mock serve` in its own
process. Does a healthy receiver get every callback on its first attempt whatever the others do?

Receivers (each in its own process, except the refusing one, a bound port nobody listens on):
healthy (200 at once), slow (200 after half the timeout), slower (200 after three times
the timeout), refusing (connection refused), resetting (TCP reset after the request), erroring
(HTTP 500 at once). The outcome is read back through the control plane's paged lists.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections import Counter
from typing import Any

import aiohttp

from bench.common import RawClient, percentile, start_process, stop_process

__all__ = ["KINDS", "soak"]

KINDS = ("healthy", "slow", "slower", "refusing", "resetting", "erroring")
RECEIVER = """
import asyncio, socket, struct, sys
from aiohttp import web
kind, delay = sys.argv[1], float(sys.argv[2])

async def reset(reader, writer):
    await reader.readuntil(b"\\r\\n\\r\\n")  # the request's head arrived: answer with a RST
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()

async def answer(request):
    await request.read()
    if delay:
        await asyncio.sleep(delay)
    return web.json_response({"ok": kind}, status=500 if kind == "erroring" else 200)

async def main():
    if kind == "resetting":
        server = await asyncio.start_server(reset, "127.0.0.1", 0, backlog=1024)
        port = server.sockets[0].getsockname()[1]
    else:
        app = web.Application()
        app.router.add_post("/{tail:.*}", answer)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        port = runner.addresses[0][1]
    print(f"listening on http://127.0.0.1:{port}/{kind}", flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""
GENERATE = {
    "customMode": True,
    "instrumental": True,
    "model": "V4_5PLUS",
    "style": "soak test",
    "title": "Soak",
}


async def _walk(http: aiohttp.ClientSession, url: str, key: str) -> list[Any]:
    """Every item of a paged control-plane list."""
    items: list[Any] = []
    since, more = 0, True
    while more:
        async with http.get(url, params={"since": since, "limit": 200}) as resp:
            page = await resp.json()
        items += page[key]
        since, more = page["next"], page["more"]
    return items


async def _submit_all(port: int, urls: list[str], rate: float, connections: int) -> float:
    """Submit one task per URL (in order, `rate` per second over `connections`)."""
    started = time.perf_counter()
    queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
    for item in enumerate(urls):
        queue.put_nowait(item)

    async def worker() -> None:
        client = RawClient(port)
        try:
            while not queue.empty():
                index, url = queue.get_nowait()
                due = started + index / rate
                if due > time.perf_counter():
                    await asyncio.sleep(due - time.perf_counter())
                body = json.dumps({**GENERATE, "callBackUrl": url}).encode()
                _, answer = await client.send(
                    RawClient.request(port, "POST", "/api/v1/generate", body)
                )
                if b'"code":200' not in answer:
                    raise SystemExit(f"submit rejected: {answer[:200]!r}")
        finally:
            client.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return time.perf_counter() - started


async def soak(
    tasks_per_kind: int = 1000,
    receiver_timeout: float = 0.5,
    rate: float = 1000.0,
    limit: float = 300.0,
) -> dict[str, Any]:
    """Run the soak; return per-kind figures and the wall time."""
    timeout = receiver_timeout
    delays = {"healthy": 0.0, "slow": timeout / 2, "slower": timeout * 3, "erroring": 0.0}
    procs, urls = [], {}
    refusing = socket.socket()
    refusing.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
    urls["refusing"] = f"http://127.0.0.1:{refusing.getsockname()[1]}/refusing"
    mock = None
    try:
        for kind in ("healthy", "slow", "slower", "resetting", "erroring"):
            proc, url = await start_process("-c", RECEIVER, kind, str(delays.get(kind, 0.0)))
            procs.append(proc)
            urls[kind] = url
        mock, mock_url = await start_process(
            "-m", "mock_server", "serve", "--port", "0", "--log-level", "ERROR",
            "--rate-limit", "off", "--credits", "1000000000",
            "--stage-delays", "text=1,first=2,complete=3",
            "--retry-delays", "1", "--callback-timeout", str(timeout),
        )  # fmt: skip
        base = mock_url.split()[0]
        port = int(base.rsplit(":", 1)[1])
        order = [urls[k] for _ in range(tasks_per_kind) for k in KINDS]
        started = time.perf_counter()
        submit_seconds = await _submit_all(port, order, rate, 32)
        async with aiohttp.ClientSession() as http:
            deadline = started + limit
            while time.perf_counter() < deadline:
                await asyncio.sleep(0.5)
                async with http.get(f"{base}/__mock__/health") as resp:
                    if (await resp.json())["pendingTimers"] == 0:
                        break
            wall = time.perf_counter() - started
            deliveries = await _walk(http, f"{base}/__mock__/deliveries", "deliveries")
            tasks = await _walk(http, f"{base}/__mock__/tasks", "tasks")
    finally:
        refusing.close()
        for proc in procs:
            await stop_process(proc)
        if mock is not None:
            await stop_process(mock)
    kind_of = {url: kind for kind, url in urls.items()}
    rows: dict[str, Counter[str]] = {kind: Counter() for kind in KINDS}
    healthy_latency: list[float] = []
    for delivery in deliveries:
        row = rows[kind_of[delivery["url"]]]
        row["callbacks"] += 1
        row[delivery["state"]] += 1
        attempts = delivery["attempts"]
        row["attempts"] += len(attempts)
        row["timed_out"] += sum((a["error"] or "").startswith("timed out") for a in attempts)
        row["held_up"] += sum(a["heldUpMs"] is not None for a in attempts)
        if attempts and attempts[0]["outcome"] == "delivered":
            row["first_attempt"] += 1
        if kind_of[delivery["url"]] == "healthy" and attempts:
            healthy_latency.append(attempts[0]["latencyMs"] or 0.0)
    for task in tasks:
        rows[kind_of[task["callBackUrl"]]]["callback_exception"] += (
            task["status"] == "CALLBACK_EXCEPTION"
        )
    healthy_latency.sort()
    return {
        "rows": rows,
        "wall": round(wall, 1),
        "submit": round(submit_seconds, 1),
        "tasks": len(tasks),
        "healthy_p99_ms": percentile(healthy_latency, 0.99) if healthy_latency else None,
        "healthy_max_ms": round(healthy_latency[-1], 1) if healthy_latency else None,
    }


def report(result: dict[str, Any], tasks_per_kind: int, timeout: float) -> str:
    lines = [
        f"(d) soak: {len(KINDS)} receiver kinds x {tasks_per_kind:,} tasks x 3 callbacks, "
        f"callback_timeout {timeout:g} s, one retry after 1 s; submitted in {result['submit']} s, "
        f"all settled in {result['wall']} s ({result['tasks']:,} tasks read back)",
        "    kind        callbacks  delivered  exhausted  1st-attempt  attempts  timed-out  "
        "held-up  CALLBACK_EXCEPTION tasks",
    ]
    for kind, row in result["rows"].items():
        lines.append(
            f"    {kind:<11} {row['callbacks']:>9,}  {row['delivered']:>9,}  {row['exhausted']:>9,}"
            f"  {row['first_attempt']:>11,}  {row['attempts']:>8,}  {row['timed_out']:>9,}  "
            f"{row['held_up']:>7,}  {row['callback_exception']:>8,}"
        )
    healthy = result["rows"]["healthy"]
    verdict = "MET" if healthy["first_attempt"] == healthy["callbacks"] > 0 else "NOT MET"
    lines.append(
        f"    healthy first-attempt latency p99 {result['healthy_p99_ms']} ms, max "
        f"{result['healthy_max_ms']} ms (held-up: attempts whose deadline was extended for the "
        f"mock's own event-loop lag). Target: every healthy callback delivered on its first "
        f"attempt: {verdict}."
    )
    return "\n".join(lines)
