"""The pytest plugin's `suno_mock` under `suno_mock_scope = session`: one server per distinct
settings for the whole session, restored to its start state after each test. The plugin
registers this module only when its ini option says so; the `suno_mock` here then overrides
the plugin's, which therefore depends on no session fixture (each one a test depends on costs
it). What it needs of the plugin comes as the plugin's `_suno_mock_kit` fixture: the plugin
imports this module, not the other way round."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

import pytest
import pytest_asyncio

if TYPE_CHECKING:
    from mock_server.core.settings import Settings
    from mock_server.testing import SunoMock

__all__ = ["suno_mock"]


class Pool(Protocol):
    loop: asyncio.AbstractEventLoop | None
    servers: dict[str, Any]


class Kit(Protocol):
    """The plugin's `_Kit`."""

    @property
    def async_test(self) -> Callable[[str, str], pytest.Item]: ...
    @property
    def new_pool(self) -> Callable[[asyncio.AbstractEventLoop], Pool]: ...
    @property
    def key(self) -> Callable[[Settings, dict[str, Any]], str]: ...
    @property
    def loop_needed(self) -> str: ...


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def _suno_mock_pool(_suno_mock_kit: Kit) -> AsyncIterator[Pool]:
    pool = _suno_mock_kit.new_pool(asyncio.get_running_loop())
    try:
        yield pool
    finally:
        for mock in pool.servers.values():
            await mock.close()


@pytest_asyncio.fixture
async def suno_mock(
    suno_mock_settings: Mapping[str, Any], _suno_mock_pool: Pool, _suno_mock_kit: Kit
) -> AsyncIterator[SunoMock]:
    """`suno_mock` kept for the session: one server per distinct settings, restored to its
    start state after each test (`SunoMock.restore`)."""
    from mock_server.testing import SunoMock
    from mock_server.testing.fixture_rules import resolve

    kit, pool = _suno_mock_kit, _suno_mock_pool
    test = kit.async_test("suno_mock", "suno_mock_threaded")
    settings, options = resolve(test, suno_mock_settings)
    if asyncio.get_running_loop() is not pool.loop:
        pytest.fail(kit.loop_needed, pytrace=False)
    key = kit.key(settings, options)
    mock: SunoMock = pool.servers.get(key) or await SunoMock(settings, **options).start()
    pool.servers[key] = mock
    try:
        yield mock
    finally:
        problems = mock.teardown_problems() if mock.check_teardown else []
        report = mock.describe() if problems else ""
        try:
            await mock.restore()
        except BaseException:
            del pool.servers[key]
            await mock.close()
            raise
        if problems:
            pytest.fail("suno_mock teardown:\n" + "\n".join([*problems, report]), pytrace=False)
