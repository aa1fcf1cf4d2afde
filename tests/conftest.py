"""Shared fixtures: a real mock server (manual clock), a real callback receiver, a client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from mock_server import ManualClock, MockServer, Settings
from mock_server.receiver import CallbackReceiver

pytest_plugins = ["pytester"]

ServerFactory = Callable[..., Awaitable[MockServer]]


@pytest.fixture
async def receiver() -> AsyncIterator[CallbackReceiver]:
    async with CallbackReceiver() as rcv:
        yield rcv


@pytest.fixture
async def make_server() -> AsyncIterator[ServerFactory]:
    servers: list[MockServer] = []

    async def make(**overrides: Any) -> MockServer:
        server = MockServer(Settings(**overrides))
        servers.append(await server.start())
        return server

    yield make
    for server in servers:
        await server.close()


@pytest.fixture
async def server(make_server: ServerFactory) -> MockServer:
    return await make_server()


@pytest.fixture
def clock(server: MockServer) -> ManualClock:
    assert isinstance(server.clock, ManualClock)
    return server.clock


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(headers={"Authorization": "Bearer test-key"}) as session:
        yield session


class Api:
    """A tiny client of the mock for tests: posts JSON, returns (HTTP status, envelope)."""

    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http = http
        self.base = base

    async def post(self, path: str, body: Any, **kwargs: Any) -> tuple[int, Any]:
        """POST `body` as JSON (or pass `data=`/`headers=` for a raw body)."""
        if "data" not in kwargs:
            kwargs["json"] = body
        async with self.http.post(self.base + path, **kwargs) as resp:
            return resp.status, await resp.json()

    async def get(self, path: str, **kwargs: Any) -> tuple[int, Any]:
        async with self.http.get(self.base + path, **kwargs) as resp:
            return resp.status, await resp.json()

    async def submit(self, path: str, body: Any) -> str:
        status, envelope = await self.post(path, body)
        assert (status, envelope["code"]) == (200, 200), envelope
        return str(envelope["data"]["taskId"])

    async def record_info(self, task_id: str) -> Any:
        status, envelope = await self.get(
            "/api/v1/generate/record-info", params={"taskId": task_id}
        )
        assert (status, envelope["code"]) == (200, 200), envelope
        return envelope["data"]


@pytest.fixture
def api(http: aiohttp.ClientSession, server: MockServer) -> Api:
    return Api(http, server.url)


def generate_body(callback_url: str, **overrides: Any) -> dict[str, Any]:
    """A valid custom-mode generate request."""
    body: dict[str, Any] = {
        "customMode": True,
        "instrumental": False,
        "model": "V4_5PLUS",
        "prompt": "[Verse]\nStreetlights hum a quiet tune",
        "style": "indie pop, dreamy synths",
        "title": "Silver Moon",
        "callBackUrl": callback_url,
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


DROP: Any = object()
"""In `edited()`: remove this field."""


def edited(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A copy of a request body with fields changed (or removed with DROP)."""
    body = dict(base)
    for key, value in changes.items():
        if value is DROP:
            body.pop(key, None)
        else:
            body[key] = value
    return body
