"""(e) Control plane at scale: `suno-mock serve` in its own process holding 1k, 10k and 100k
tasks (3 journaled deliveries each, to a blocked host: never contacted). For each control
endpoint: its latency, and the longest an API request (GET credit, sent back to back on its own
connection) took while that endpoint was being called, against the same measure with no
control call running (the reference). Target: no control call stalls the API > 50 ms at 100k.

(e3) The same with 100k tasks still pending (callbacks a day away: three timers each, none
fired), then a reset that cancels them all. Same target.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from typing import Any

from bench.common import UPLOAD_EXTEND, RawClient, start_process, stop_process

__all__ = ["pending", "pending_report", "report", "scale"]

CALLS = 5


class Prober:
    """Sends GET credit back to back; remembers when each request ran and how long it took."""

    def __init__(self, port: int) -> None:
        self._client = RawClient(port)
        self._request = RawClient.request(port, "GET", "/api/v1/generate/credit")
        self.samples: list[tuple[float, float]] = []
        self._running = True

    async def run(self) -> None:
        try:
            while self._running:
                started = time.perf_counter()
                took, _ = await self._client.send(self._request)
                self.samples.append((started, took))
        finally:
            self._client.close()

    def worst(self, start: float, end: float) -> float:
        """Longest request (ms) that overlapped [start, end]."""
        return max(
            (took * 1000 for at, took in self.samples if at <= end and at + took >= start),
            default=0.0,
        )

    def stop(self) -> None:
        self._running = False


async def _populate(port: int, count: int, connections: int = 16) -> None:
    body = json.dumps({**UPLOAD_EXTEND, "callBackUrl": "http://files.invalid/cb"}).encode()
    request = RawClient.request(port, "POST", "/api/v1/generate/upload-extend", body)
    left = [count]

    async def worker() -> None:
        client = RawClient(port)
        try:
            while left[0] > 0:
                left[0] -= 1
                _, answer = await client.send(request)
                if b'"code":200' not in answer:
                    raise SystemExit(f"submit rejected: {answer[:200]!r}")
        finally:
            client.close()

    await asyncio.gather(*(worker() for _ in range(connections)))


async def _get(client: RawClient, port: int, path: str, method: str = "GET") -> tuple[float, Any]:
    """Call the control plane; return the seconds it took and its JSON (None for YAML)."""
    took, body = await client.send(RawClient.request(port, method, path))
    return took, None if path.endswith("/scenario") else json.loads(body)


async def _settle(client: RawClient, port: int) -> dict[str, Any]:
    while True:
        _, health = await _get(client, port, "/__mock__/health")
        if health["pendingTimers"] == 0:
            return dict(health)
        await asyncio.sleep(0.2)


async def _measure(
    client: RawClient, prober: Prober, port: int, path: str, method: str = "GET", calls: int = CALLS
) -> dict[str, float]:
    latencies, stalls = [], []
    for _ in range(calls):
        await asyncio.sleep(0.02)  # let the prober get a request in between
        start = time.perf_counter()
        took, _ = await _get(client, port, path, method)
        await asyncio.sleep(0.01)  # the probe that was waiting behind this call finishes
        stalls.append(prober.worst(start, start + took))
        latencies.append(took * 1000)
    return {
        "p50": statistics.median(latencies),
        "max": max(latencies),
        "stall": max(stalls),
    }


async def _serve(delay: int) -> tuple[asyncio.subprocess.Process, int]:
    """`suno-mock serve` with every stage `delay` seconds after the last; it and its port."""
    mock, url = await start_process(
        "-m", "mock_server", "serve", "--port", "0", "--log-level", "ERROR", "--rate-limit", "off",
        "--credits", "1000000000000",
        "--stage-delays", f"text={delay},first={delay},complete={delay}",
    )  # fmt: skip
    return mock, int(url.split()[0].rsplit(":", 1)[1])


async def _row(
    client: RawClient, prober: Prober, port: int, paths: dict[str, str], reset: bool
) -> dict[str, dict[str, float]]:
    """With `prober` running: after a second of it alone (the reference), each of `paths`
    measured, then a reset if asked."""
    await asyncio.sleep(1.0)
    reference = prober.worst(time.perf_counter() - 1.0, time.perf_counter())
    row = {"(reference: no control call)": {"p50": 0.0, "max": 0.0, "stall": reference}}
    for name, path in paths.items():
        row[name] = await _measure(client, prober, port, path)
    if reset:
        row["POST reset"] = await _measure(client, prober, port, "/__mock__/reset", "POST", calls=1)
    return row


async def scale(sizes: tuple[int, ...] = (1_000, 10_000, 100_000)) -> dict[str, Any]:
    mock, port = await _serve(0)
    client = RawClient(port)
    prober = Prober(port)
    results: dict[int, dict[str, dict[str, float]]] = {}
    held: dict[int, dict[str, Any]] = {}
    probing: asyncio.Task[None] | None = None
    try:
        have = 0
        for size in sizes:
            started = time.perf_counter()
            await _populate(port, size - have)
            have = size
            health = await _settle(client, port)
            health["fill_seconds"] = round(time.perf_counter() - started, 1)
            held[size] = health
            _, newest = await _get(client, port, "/__mock__/tasks?limit=100")
            ids = [t["taskId"] for t in newest["tasks"]]
            _, oldest = await _get(client, port, "/__mock__/tasks?since=0&limit=1")
            first, last = oldest["tasks"][0]["taskId"], ids[-1]
            paths = {
                "health": "/__mock__/health",
                "tasks (newest 100)": "/__mock__/tasks",
                "tasks?since=0&limit=200": "/__mock__/tasks?since=0&limit=200",
                "tasks?ids=<100 ids>": f"/__mock__/tasks?ids={','.join(ids)}",
                "tasks/{id} (oldest)": f"/__mock__/tasks/{first}",
                "tasks/{id}/scenario (newest)": f"/__mock__/tasks/{last}/scenario",
                "deliveries (newest 100)": "/__mock__/deliveries",
                "deliveries?since=0&limit=200": "/__mock__/deliveries?since=0&limit=200",
                "deliveries?taskId=": f"/__mock__/deliveries?taskId={last}",
                "requests (newest 100)": "/__mock__/requests",
                "requests?since=0&limit=200": "/__mock__/requests?since=0&limit=200",
                "scenarios": "/__mock__/scenarios",
                "clock": "/__mock__/clock",
            }
            probing = asyncio.create_task(prober.run())
            results[size] = await _row(client, prober, port, paths, size == sizes[-1])
            prober.stop()
            await probing
            prober = Prober(port)
    finally:
        client.close()
        prober.stop()
        if probing is not None and not probing.done():
            probing.cancel()
        await stop_process(mock)
    return {"rows": results, "held": held}


PENDING_PATHS = {
    "health": "/__mock__/health",
    "tasks (newest 100)": "/__mock__/tasks",
    "tasks?since=0&limit=200": "/__mock__/tasks?since=0&limit=200",
    "requests (newest 100)": "/__mock__/requests",
    "clock": "/__mock__/clock",
}


async def pending(count: int = 100_000) -> dict[str, Any]:
    """(e3): the control plane with `count` tasks pending, then a reset; `scale`'s result."""
    mock, port = await _serve(86400)
    client, prober = RawClient(port), Prober(port)
    probing: asyncio.Task[None] | None = None
    try:
        started = time.perf_counter()
        await _populate(port, count)
        _, health = await _get(client, port, "/__mock__/health")
        health["fill_seconds"] = round(time.perf_counter() - started, 1)
        probing = asyncio.create_task(prober.run())
        row = await _row(client, prober, port, PENDING_PATHS, True)
    finally:
        client.close()
        prober.stop()
        if probing is not None:
            await asyncio.wait_for(probing, 10)
        await stop_process(mock)
    return {"rows": {count: row}, "held": {count: health}}


def pending_report(result: dict[str, Any]) -> str:
    ((count, health),) = result["held"].items()
    return _table(
        result,
        f"(e3) control plane with {count:,} tasks pending ({health['pendingTimers']:,} timers, "
        f"filled in {health['fill_seconds']} s), then a reset",
    )


def report(result: dict[str, Any]) -> str:
    held = result["held"]
    return _table(
        result,
        "(e) control plane at "
        + " / ".join(
            f"{s:,} tasks ({held[s]['deliveriesMade']:,} deliveries made, filled in "
            f"{held[s]['fill_seconds']} s)"
            for s in result["rows"]
        ),
    )


def _table(result: dict[str, Any], heading: str) -> str:
    sizes = list(result["rows"])
    lines = [
        heading + "; per endpoint: latency median / max ms [longest API request meanwhile, ms]"
    ]
    names: list[str] = []
    for size in sizes:
        names += [n for n in result["rows"][size] if n not in names]
    width = max(len(n) for n in names)
    lines.append("    " + "endpoint".ljust(width) + "".join(f"{s:>26,}" for s in sizes))
    worst = 0.0
    for name in names:
        cells = []
        for size in sizes:
            cell = result["rows"][size].get(name)
            if cell is None:
                cells.append(f"{'-':>26}")
                continue
            text = f"{cell['p50']:.1f} / {cell['max']:.1f} [{cell['stall']:.1f}]"
            if name.startswith("(reference"):
                text = f"[{cell['stall']:.1f}]"
            elif size == sizes[-1]:
                worst = max(worst, cell["stall"])
            cells.append(f"{text:>26}")
        lines.append("    " + name.ljust(width) + "".join(cells))
    verdict = "MET" if worst <= 50 else "NOT MET"
    lines.append(
        f"    Longest API request during a control call at {sizes[-1]:,} tasks: {worst:.1f} ms. "
        f"Target <= 50 ms: {verdict}."
    )
    return "\n".join(lines)
