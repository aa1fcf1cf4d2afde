"""A body that has all arrived is taken in one go, and a small 200 envelope written in one go
(docs/performance.md, "Bodies read at once", "Answers written at once"): on the wire the
answer must be the bytes aiohttp's own preparation sends, a body the bytes aiohttp would read,
and every request that needs aiohttp's way (HTTP/1.0, HEAD, `Connection: close`, a body in
pieces or chunked) must still get it."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Callable

import pytest
from aiohttp import web

from mock_server import create_app
from mock_server.core import at_once
from mock_server.core import web as core_web
from mock_server.core.settings import Settings
from mock_server.testing import SunoMock
from tests.helpers import SunoMockFactory, generate_body

CREDIT = "/api/v1/generate/credit"
DATE = re.compile(rb"\r\nDate: [^\r]+\r\n")
TASK_ID = re.compile(rb'"taskId":"[0-9a-f]+"')
CREDITS = re.compile(rb'"data":\d+}')


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """What `write_at_once` answered for each response (True: written in one go)."""
    seen: list[bool] = []
    real = at_once.write_at_once

    def spy(response: web.Response, request: web.BaseRequest) -> bool:
        seen.append(real(response, request))
        return seen[-1]

    monkeypatch.setattr(core_web, "write_at_once", spy)
    return seen


def head(method: str, path: str, version: str = "1.1", **headers: str) -> bytes:
    """A request's line and headers (`Content_Type=...` names `Content-Type`)."""
    lines = [f"{method} {path} HTTP/{version}", "Host: 127.0.0.1", "Authorization: Bearer test-key"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def request_bytes(method: str, path: str, version: str = "1.1", **headers: str) -> bytes:
    if method != "POST":
        return head(method, path, version, **headers)
    body = json.dumps(generate_body("http://127.0.0.1:9/cb")).encode()
    typed = {"Content_Type": "application/json", "Content_Length": str(len(body))}
    return head(method, path, version, **headers, **typed) + body


async def read_answer(reader: asyncio.StreamReader, with_body: bool = True) -> bytes:
    """One answer's head and, unless `with_body` is False (HEAD), its Content-Length body."""
    answer = await reader.readuntil(b"\r\n\r\n")
    size = re.search(rb"(?i)\r\ncontent-length: (\d+)", answer)
    if size and with_body:
        answer += await reader.readexactly(int(size.group(1)))
    return answer


async def exchange(port: int, data: bytes, answers: int = 1) -> bytes:
    """Send `data` on one connection; read `answers` answers (until EOF when the server closes
    the connection or answers HEAD)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    received = b""
    try:
        for _ in range(answers):
            received += await read_answer(reader, not data.startswith(b"HEAD"))
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
    suno_mock: SunoMock, monkeypatch: pytest.MonkeyPatch, written: list[bool], data: bytes
) -> None:
    fast, own = await both_ways(suno_mock.port, data, monkeypatch)
    assert written == [True]  # (aiohttp's way only: not asked)
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
    suno_mock: SunoMock, monkeypatch: pytest.MonkeyPatch, written: list[bool], data: bytes
) -> None:
    fast, own = await both_ways(suno_mock.port, data, monkeypatch)
    assert written == [False]
    assert comparable(fast) == comparable(own)


async def test_pipelined_requests_are_answered_in_order(
    suno_mock: SunoMock, monkeypatch: pytest.MonkeyPatch, written: list[bool]
) -> None:
    data = request_bytes("POST", "/api/v1/generate") + request_bytes("GET", CREDIT)
    fast, own = await both_ways(suno_mock.port, data, monkeypatch, answers=2)
    assert written == [True, True]
    assert comparable(fast) == comparable(own)
    assert fast.index(b'"taskId"') < fast.index(b"HTTP/1.1", 1)  # the submit's answer first


async def test_a_response_written_at_once_logs_as_aiohttps_would(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, written: list[bool]
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
    assert written == [True]
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
    assert at_once._ready() is False


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """For each submit's body: whether `read_at_once` took it (False: aiohttp read it)."""
    seen: list[bool] = []
    real = at_once.read_at_once

    def spy(request: web.BaseRequest) -> bytes | None:
        first = request._read_bytes is None  # the API middleware's read, not the handler's
        body = real(request)
        if first and request.path.endswith("/generate") and request.method == "POST":
            seen.append(body is not None)
        return body

    monkeypatch.setattr(at_once, "read_at_once", spy)
    return seen


def submit_head(**headers: str) -> bytes:
    return head("POST", "/api/v1/generate", Content_Type="application/json", **headers)


async def send_in_parts(port: int, *parts: bytes) -> bytes:
    """Send `parts` one after another on one connection (a pause between them); the answer."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for part in parts:
            writer.write(part)
            await writer.drain()
            await asyncio.sleep(0.02)
        head, _, body = (await read_answer(reader)).partition(b"\r\n\r\n")
        assert re.search(rb"(?i)\r\ncontent-length: \d+", head), head
        return body
    finally:
        writer.close()


def chunked(body: bytes, size: int) -> bytes:
    pieces = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"


async def test_a_body_is_read_at_once_or_by_aiohttp_and_journaled_the_same(
    suno_mock: SunoMock, taken: list[bool]
) -> None:
    body = json.dumps(generate_body("http://127.0.0.1:9/cb", prompt="x" * 500)).encode()
    whole = submit_head(Content_Length=str(len(body))) + body
    halves = (submit_head(Content_Length=str(len(body))) + body[:300], body[300:])
    chunks = (submit_head(Transfer_Encoding="chunked") + chunked(body, 200),)
    answers = [
        await send_in_parts(suno_mock.port, whole),
        await send_in_parts(suno_mock.port, *halves),
        await send_in_parts(suno_mock.port, *chunks),
    ]
    assert taken == [True, False, False]
    for answer in answers:
        assert json.loads(answer)["code"] == 200
    journaled = [r for r in suno_mock.requests if r.path == "/api/v1/generate"]
    assert [r.raw_body for r in journaled] == [body, body, body]
    assert [t.request for t in suno_mock.tasks()] == [json.loads(body)] * 3


async def test_a_chunked_body_over_the_limit_is_refused_as_before(
    suno_mock_factory: SunoMockFactory, taken: list[bool]
) -> None:
    server = await suno_mock_factory(max_body_bytes=2000)
    body = json.dumps(generate_body("http://127.0.0.1:9/cb", prompt="x" * 3000)).encode()
    answer = await send_in_parts(
        server.port, submit_head(Transfer_Encoding="chunked") + chunked(body, 1000)
    )
    assert taken == [False]
    assert json.loads(answer)["code"] == 413
    assert server.tasks() == []
