"""Shared fixtures: a real mock server (manual clock), a real callback receiver, a client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from mock_server import ManualClock, MockServer, Settings
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import Api, ServerFactory

pytest_plugins = ["pytester"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that drives Chromium (the `browser` fixture) carries the `browser` marker, so
    `python3 dev.py test --fast` (`-m "not docker and not browser and not wheel"`) leaves it out."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


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


@pytest.fixture
def api(http: aiohttp.ClientSession, server: MockServer) -> Api:
    return Api(http, server.url)
