"""What the benchmarks share: server processes and a lean keep-alive HTTP/1.1 client."""

from __future__ import annotations

import asyncio
import re
import sys
import time

__all__ = ["UPLOAD_EXTEND", "RawClient", "percentile", "start_process", "stop_process"]

CONTENT_LENGTH = re.compile(rb"(?i)content-length: *(\d+)")
UPLOAD_EXTEND = {
    "uploadUrl": "https://files.invalid/demo.mp3",
    "defaultParamFlag": True,
    "instrumental": True,
    "continueAt": 42,
    "style": "lofi hip hop",
    "title": "Demo Continued",
    "model": "V4",
}
"""The submit the benchmarks load the mock with (each adds its callBackUrl)."""


async def start_process(*argv: str) -> tuple[asyncio.subprocess.Process, str]:
    """Start a server process; return it and the URL from its first line."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
    )
    if proc.stdout is None:
        raise SystemExit("no stdout pipe")
    line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
    match = re.search(r"http://127\.0\.0\.1:\d+\S*", line)
    if not match:
        proc.kill()
        raise SystemExit(f"could not read a URL from {line!r}")
    return proc, match.group(0)


async def stop_process(proc: asyncio.subprocess.Process) -> None:
    proc.terminate()
    await asyncio.wait_for(proc.wait(), 30)


def percentile(values: list[float], p: float) -> float:
    """The p-quantile of sorted `values`."""
    return round(values[min(len(values) - 1, int(p * len(values)))], 1)


class RawClient:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1:`port` sending prepared requests."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    @staticmethod
    def request(port: int, method: str, path: str, body: bytes = b"") -> bytes:
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Authorization: Bearer bench\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body

    async def send(self, request: bytes) -> tuple[float, bytes]:
        """Send one request; return (seconds until the whole answer was read, body)."""
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection("127.0.0.1", self.port)
        if self._reader is None:
            raise AssertionError("connection without a reader")
        started = time.perf_counter()
        self._writer.write(request)
        head = await self._reader.readuntil(b"\r\n\r\n")
        length = CONTENT_LENGTH.search(head)
        if length is None:
            raise SystemExit(f"answer without Content-Length: {head!r}")
        body = await self._reader.readexactly(int(length.group(1)))
        return time.perf_counter() - started, body

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
