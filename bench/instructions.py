"""(j) instructions: the suite's and the accept's work counted by `valgrind --tool=callgrind`.

Time on a shared host drifts 2x within minutes; an instruction count does not move with the
neighbours (repeats on the same code agree within about 2%), so it decides a change that
time cannot see.

* suite: the generated suites of (i) (bench/suite.py), the mock's and the hand-written stub's,
  each run by pytest under callgrind with 5 and with 205 tests; the difference divided by 200
  is the work of one test, full garbage collections included (one such collection more or
  less in a run moves the figure by about 0.3 M a test: the 200 tests average it).
* accept: the server (`suno-mock serve --rate-limit off`, on uvloop as by default and on
  asyncio's own loop, or the naive reference of (g), on asyncio's) under
  callgrind with counting off; 320 upload-extend submits to warm it up, then counting on for
  2,048 more, sent from this process in waves (one request on every connection, then every
  answer: a client sending freely moved the count more).

Needs `valgrind` (apt-get install -y valgrind); about fifteen minutes on two cores.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import suite
from bench.common import UPLOAD_EXTEND, RawClient
from bench.sidebyside import ACCEPT_PATH, mock_argv, reference_argv

__all__ = ["accept_counts", "report", "suite_counts"]

WARM, COUNTED = 320, 2048
COLLECTED = re.compile(r"Collected : (\d+)")
FAR = "86400,86400,86400"
"""Stage delays of the accept runs: a day ahead, so that nothing is delivered."""


def _valgrind() -> str:
    found = shutil.which("valgrind")
    if found is None:
        raise SystemExit("(j) needs valgrind: apt-get install -y valgrind")
    return found


def _suite_run(folder: Path, name: str, tests: int) -> int:
    """Instructions of one pytest run of suite `name` with `tests` tests."""
    source = suite.STUB_SUITE if name == "stub" else suite.MOCK_SUITE
    path = suite._write(folder, f"{name}-{tests}", source, tests)
    env = suite.run_env(path) | {"PYTHONHASHSEED": "0"}
    subprocess.run(suite.PYTEST, cwd=path, env=env, capture_output=True, timeout=300, check=False)
    done = subprocess.run(
        [_valgrind(), "--tool=callgrind", "--callgrind-out-file=/dev/null", *suite.PYTEST],
        cwd=path, env=env, capture_output=True, text=True, timeout=1800, check=False,
    )  # fmt: skip
    count = COLLECTED.search(done.stderr)
    if done.returncode != 0 or count is None:
        raise SystemExit(f"suite {name} under valgrind failed:\n{done.stdout[-2000:]}")
    return int(count.group(1))


def suite_counts(low: int = 5, high: int = 205) -> dict[str, float]:
    """Instructions per test of the stub's and the mock's suite (two runs at once)."""
    with tempfile.TemporaryDirectory(prefix="suno-mock-bench-instructions-") as tmp:
        jobs = [(name, tests) for name in ("stub", "mock") for tests in (low, high)]
        with ThreadPoolExecutor(2) as pool:
            ran = pool.map(lambda job: _suite_run(Path(tmp), *job), jobs)
            counts = dict(zip(jobs, ran, strict=True))
    return {n: (counts[(n, high)] - counts[(n, low)]) / (high - low) for n in ("stub", "mock")}


async def _waves(clients: list[RawClient], request: bytes, total: int) -> None:
    for _ in range(total // len(clients)):
        for _, body in await asyncio.gather(*(c.send(request) for c in clients)):
            if b"taskId" not in body:
                raise SystemExit(f"a submit was not accepted: {body[:300]!r}")


async def _counting(pid: int, state: str) -> None:
    """Switch callgrind's counting in process `pid` on or off."""
    control = await asyncio.create_subprocess_exec(
        "callgrind_control", "-i", state, str(pid),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    if await control.wait() != 0:
        raise SystemExit(f"callgrind_control -i {state} {pid} failed")


async def _accept_run(kind: str, connections: int, out: Path) -> float:
    """Instructions per accept of `kind` at `connections`: "reference", "mock" (on uvloop, its
    default) or "asyncio" (the mock on asyncio's own loop)."""
    argv = (
        reference_argv(FAR, ACCEPT_PATH)
        if kind == "reference"
        else mock_argv(FAR, "asyncio" if kind == "asyncio" else "auto")
    )
    valgrind = [
        _valgrind(),
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={out}",
    ]
    proc = await asyncio.create_subprocess_exec(
        *valgrind, sys.executable, *argv,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    if proc.stdout is None:
        raise SystemExit("no stdout pipe")
    try:
        line = (await asyncio.wait_for(proc.stdout.readline(), 120)).decode()
        port = re.search(r"127\.0\.0\.1:(\d+)", line)
        if port is None:
            raise SystemExit(f"(j) {kind}: no address in {line!r}")
        body = json.dumps({**UPLOAD_EXTEND, "callBackUrl": "http://127.0.0.1:9/cb"}).encode()
        request = RawClient.request(int(port.group(1)), "POST", ACCEPT_PATH, body)
        clients = [RawClient(int(port.group(1))) for _ in range(connections)]
        await _waves(clients, request, WARM)
        await _counting(proc.pid, "on")
        await _waves(clients, request, COUNTED)
        await _counting(proc.pid, "off")
        for client in clients:
            client.close()
    finally:
        proc.terminate()
        await proc.wait()
    totals = [
        int(line.split()[1])
        for dump in out.parent.glob(out.name + "*")
        for line in dump.read_text().splitlines()
        if line.startswith(("summary:", "totals:"))
    ]
    return max(totals) / (COUNTED // connections * connections)


async def accept_counts(connections: tuple[int, ...] = (32, 64)) -> dict[str, float]:
    """Instructions per accept, `kind@connections` -> count."""
    result: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="suno-mock-bench-instructions-") as tmp:
        for count in connections:
            for kind in ("reference", "mock", "asyncio"):
                out = Path(tmp) / f"{kind}-{count}.out"
                result[f"{kind}@{count}"] = await _accept_run(kind, count, out)
    return result


def report(suite_ran: dict[str, float], accepted: dict[str, float]) -> str:
    stub, mock = suite_ran["stub"], suite_ran["mock"]
    ratio = mock / stub
    lines = [
        "(j) instructions (valgrind --tool=callgrind):",
        f"    suite, per test: stub {stub / 1e6:.2f} M, mock {mock / 1e6:.2f} M = {ratio:.2f}x. "
        f"Goal: <= 1.25x ({'met' if ratio <= 1.25 else 'not met'}).",
    ]
    for key in [k for k in accepted if k.startswith("mock@")]:
        count = key.partition("@")[2]
        own, ref = accepted[key], accepted[f"reference@{count}"]
        met = "met" if own <= ref else "not met"
        lines.append(
            f"    accept, {count} connections: mock {own / 1e3:,.1f}k, reference {ref / 1e3:,.1f}k "
            f"instructions per accept = {own / ref:.2f}x. Goal: <= 1.0x ({met})."
        )
        plain = accepted.get(f"asyncio@{count}")
        if plain is not None:
            lines.append(
                f"        the mock on asyncio's own loop (--event-loop asyncio): "
                f"{plain / 1e3:,.1f}k = {plain / ref:.2f}x"
            )
    return "\n".join(lines)
