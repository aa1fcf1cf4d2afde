"""What big requests leave behind in a real `suno-mock serve` process (its RSS, read from
/proc): refused bodies with long, distinct callBackUrls, and accepted big tasks once reset.
The server runs in its own process so that this one's heap and caches do not blur the figure."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from yarl import URL

from mock_server.core.net import SHORT_URL_CHARS, parse_url
from tests.helpers import Api

MIB = 1024 * 1024
BASE = re.compile(r"http://127\.0\.0\.1:\d+")
JSON = {"Content-Type": "application/json", "Authorization": "Bearer k"}
GENERATE = {
    "customMode": True,
    "instrumental": True,
    "model": "V4_5PLUS",
    "style": "rss",
    "title": "Rss",
    "callBackUrl": "http://files.invalid/cb",
}


@pytest.fixture
async def served() -> AsyncIterator[tuple[int, Api]]:
    """`suno-mock serve` in its own process: its pid and a client for it."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mock_server", "serve", "--port", "0", "--rate-limit", "off",
        "--credits", "1000000", "--log-level", "ERROR",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.stdout is not None
    try:
        line = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
        match = BASE.search(line)
        assert match, line
        async with aiohttp.ClientSession() as http:
            yield proc.pid, Api(http, match.group(0))
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.communicate(), 10)


def rss(pid: int) -> int:
    resident = Path(f"/proc/{pid}/statm").read_text().split()[1]
    return int(resident) * os.sysconf("SC_PAGE_SIZE")


async def send(api: Api, body: dict[str, object]) -> int:
    _, envelope = await api.post("/api/v1/generate", None, data=json.dumps(body), headers=JSON)
    code: int = envelope["code"]
    return code


async def refuse_long_urls(api: Api, count: int) -> None:
    """`count` refused ~1 MiB submits (prompt too long), each checked with its own 0.5 MB
    callBackUrl."""
    for n in range(count):
        url = f"http://127.0.0.1:9/{n}/" + "u" * 500_000
        body = {"customMode": False, "model": "V4", "prompt": "p" * 500_000, "callBackUrl": url}
        assert await send(api, body) == 400


async def test_200_refused_1_mib_requests_with_distinct_urls_leave_little_behind(
    served: tuple[int, Api],
) -> None:
    pid, api = served
    start = rss(pid)
    await refuse_long_urls(api, 200)
    grown = rss(pid) - start
    assert grown < 64 * MIB, f"RSS grew by {grown / MIB:.1f} MiB"


async def test_a_reset_hands_the_memory_of_big_tasks_back(served: tuple[int, Api]) -> None:
    pid, api = served
    start = rss(pid)
    await refuse_long_urls(api, 50)  # a 1 MiB body read and freed: glibc raises its threshold
    for _ in range(200):  # 50 MiB of unknown fields, kept with their tasks
        assert await send(api, {**GENERATE, "extra": "x" * 256 * 1024}) == 200
    held = rss(pid) - start
    assert held > 40 * MIB, f"only {held / MIB:.1f} MiB held"
    status, _ = await api.post("/__mock__/reset", {})
    assert status == 200
    await asyncio.sleep(0.5)  # a big store is freed a slice per loop turn
    left = rss(pid) - start
    assert left < 16 * MIB, f"{left / MIB:.1f} MiB of {held / MIB:.1f} left after the reset"


@pytest.mark.parametrize(
    "path",
    [
        "/p/{pad}",
        "/p/{pad}?q={pad}#f{pad}",
        "/{pad}/../x?a=1",
        "?{pad}",
        "#{pad}",
        "/bücher/{pad} é",
    ],
)
@pytest.mark.parametrize(
    "authority", ["127.0.0.1:9", "user:pw@a.b:8080", "[::1]:80", "xn--bcher-kva.example"]
)
def test_a_long_url_is_parsed_as_yarl_would(authority: str, path: str) -> None:
    for scheme in ("http", "HTTPS"):
        value = f" {scheme}://{authority}{path.format(pad='x' * SHORT_URL_CHARS)}"
        ours, theirs = parse_url(value), URL(value)
        assert str(ours) == str(theirs)
        assert (ours.scheme, ours.host, ours.port, ours.path) == (
            theirs.scheme,
            theirs.host,
            theirs.port,
            theirs.path,
        )
