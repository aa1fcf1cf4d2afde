"""A small 200 envelope is written in one go (docs/performance.md, "Answers written at once"):
on the wire it must be the bytes aiohttp's own preparation sends, and every request that needs
that preparation (HTTP/1.0, HEAD, `Connection: close`) must still get it."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Callable

import pytest
from aiohttp import web

from mock_server import create_app
from mock_server.core import answer
from mock_server.core import web as core_web
from mock_server.core.settings import Settings
from mock_server.testing import SunoMock
from tests.helpers import generate_body

CREDIT = "/api/v1/generate/credit"
DATE = re.compile(rb"\r\nDate: [^\r]+\r\n")
TASK_ID = re.compile(rb'"taskId":"[0-9a-f]+"')
CREDITS = re.compile(rb'"data":\d+}')


@pytest.fixture
def at_once(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """What `write_at_once` answered for each response (True: written in one go)."""
    seen: list[bool] = []
    real = answer.write_at_once

    def spy(response: web.Response, request: web.BaseRequest) -> bool:
        seen.append(real(response, request))
        return seen[-1]

    monkeypatch.setattr(core_web, "write_at_once", spy)
    return seen


def request_bytes(method: str, path: str, version: str = "1.1", **headers: str) -> bytes:
    body = b""
    if method == "POST":
        body = json.dumps(generate_body("http://127.0.0.1:9/cb")).encode()
        headers |= {"Content-Type": "application/json", "Content-Length": str(len(body))}
    lines = [f"{method} {path} HTTP/{version}", "Host: 127.0.0.1", "Authorization: Bearer test-key"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def exchange(port: int, data: bytes, answers: int = 1) -> bytes:
    """Send `data` on one connection; read `answers` answers (until EOF when the server closes
    the connection or answers HEAD)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    received = b""
    try:
        for _ in range(answers):
            head = await reader.readuntil(b"\r\n\r\n")
            size = re.search(rb"(?i)\r\ncontent-length: (\d+)", head)
            body = b""
            if size and not data.startswith(b"HEAD"):
                body = await reader.readexactly(int(size.group(1)))
            received += head + body
        closing = b"HTTP/1.0" in received and b"Connection: keep-alive" not in received
        if closing or b"Connection: close" in received:
            received += await asyncio.wait_for(reader.read(), 2)  # nothing more, then EOF
    finally:
        writer.close()
    return received


def comparable(answer: bytes) -> bytes:
    """The answer without what differs between two sends: the Date, a new task's id and the
    credits left (each submit spends some; as many digits either way here)."""
    answer = DATE.sub(b"\r\nDate: D\r\n", answer)
    return CREDITS.sub(b'"data":N}', TASK_ID.sub(b'"taskId":"ID"', answer))


async def both_ways(
    port: int, data: bytes, monkeypatch: pytest.MonkeyPatch, answers: int = 1
) -> tuple[bytes, bytes]:
    """The answer written at once where it may be, then with aiohttp's way only."""
    fast = await exchange(port, data, answers)
    monkeypatch.setattr(core_web, "READY", False)
    own = await exchange(port, data, answers)
    monkeypatch.setattr(core_web, "READY", True)
    return fast, own


@pytest.mark.parametrize(
    "data",
    [request_bytes("GET", CREDIT), request_bytes("POST", "/api/v1/generate")],
    ids=["credit", "submit"],
)
async def test_a_keep_alive_answer_is_written_at_once_as_aiohttp_writes_it(
    suno_mock: SunoMock, monkeypatch: pytest.MonkeyPatch, at_once: list[bool], data: bytes
) -> None:
    fast, own = await both_ways(suno_mock.port, data, monkeypatch)
    assert at_once == [True]  # (aiohttp's way only: not asked)
    assert fast.startswith(b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n")
    assert comparable(fast) == comparable(own)
    for header in (b"Content-Length: ", b"\r\nDate: ", b"\r\nServer: "):
        assert header in fast


@pytest.mark.parametrize(
    "data",
    [
        request_bytes("GET", CREDIT, "1.0"),
        request_bytes("GET", CREDIT, "1.0", Connection="keep-alive"),
        request_bytes("HEAD", CREDIT),
        request_bytes("GET", CREDIT, Connection="close"),
        request_bytes("POST", "/api/v1/generate", Connection="close"),
    ],
    ids=["http-1.0", "http-1.0-keep-alive", "head", "close", "submit-close"],
)
async def test_what_needs_aiohttps_preparation_gets_it(
    suno_mock: SunoMock, monkeypatch: pytest.MonkeyPatch, at_once: list[bool], data: bytes
) -> None:
    fast, own = await both_ways(suno_mock.port, data, monkeypatch)
    assert at_once == [False]
    assert comparable(fast) == comparable(own)


async def test_pipelined_requests_are_answered_in_order(
    suno_mock: SunoMock, monkeypatch: pytest.MonkeyPatch, at_once: list[bool]
) -> None:
    data = request_bytes("POST", "/api/v1/generate") + request_bytes("GET", CREDIT)
    fast, own = await both_ways(suno_mock.port, data, monkeypatch, answers=2)
    assert at_once == [True, True]
    assert comparable(fast) == comparable(own)
    assert fast.index(b'"taskId"') < fast.index(b"HTTP/1.1", 1)  # the submit's answer first


async def test_a_response_written_at_once_logs_as_aiohttps_would(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, at_once: list[bool]
) -> None:
    """An access log reads the response after it is sent: status, bytes sent, its headers."""
    runner = web.AppRunner(
        create_app(Settings()),
        access_log=logging.getLogger("answers.access"),
        access_log_format="%s %b %{Content-Length}o %{Content-Type}o %{Server}o",
    )
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        with caplog.at_level(logging.INFO, logger="answers.access"):
            await both_ways(port, request_bytes("GET", CREDIT), monkeypatch)
    finally:
        await runner.cleanup()
    lines = [r.getMessage() for r in caplog.records if r.name == "answers.access"]
    assert at_once == [True]
    assert len(lines) == 2
    assert lines[0] == lines[1]
    status, sent, length, kind, _ = lines[0].split(" ", 4)
    assert (status, kind) == ("200", "application/json;")
    assert int(sent) > int(length) > 0  # the headers are counted, as aiohttp counts them


def test_another_aiohttp_takes_its_own_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where a response lacks the state written here, nothing is written at once."""
    real: Callable[..., object] = web.Response.__init__

    def without_length(self: web.Response, *args: object, **kwargs: object) -> None:
        real(self, *args, **kwargs)
        del self._headers  # stands for an attribute another aiohttp does not keep

    monkeypatch.setattr(web.Response, "__init__", without_length)
    assert answer._ready() is False
