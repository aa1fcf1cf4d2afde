"""The pytest plugin's `suno_mock` under `suno_mock_scope = session`: one server per distinct
settings for the whole session, restored to its start state after each test. The plugin
registers this module only when its ini option says so; the `suno_mock` here then overrides
the plugin's, which therefore depends on no session fixture (each one a test depends on costs
it). The running test comes from the plugin's `_suno_mock_async_test` fixture: the plugin imports
this module, not the other way round."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from typing import TYPE_CHECKING, Any

import pytest
import pytest_asyncio

if TYPE_CHECKING:
    from mock_server.testing import SunoMock
    from mock_server.testing.fixture_rules import Pool

__all__ = ["SESSION_LOOP_NEEDED", "suno_mock"]

SESSION_LOOP_NEEDED = (
    "suno_mock_scope = session keeps one in-loop server for the whole session, but this test "
    "runs on an event loop of its own. Put tests and fixtures on one loop: "
    "asyncio_default_test_loop_scope = session and asyncio_default_fixture_loop_scope = session "
    "(or use suno_mock_threaded, which any loop can share)."
)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def _suno_mock_pool() -> AsyncIterator[Pool[SunoMock]]:
    from mock_server.testing.fixture_rules import Pool

    pool: Pool[SunoMock] = Pool(asyncio.get_running_loop())
    try:
        yield pool
    finally:
        for mock in pool.servers.values():
            await mock.close()


@pytest_asyncio.fixture
async def suno_mock(
    suno_mock_settings: Mapping[str, Any],
    _suno_mock_pool: Pool[SunoMock],
    _suno_mock_async_test: Callable[[str, str], pytest.Item],
) -> AsyncIterator[SunoMock]:
    """`suno_mock` kept for the session: one server per distinct settings, restored to its
    start state after each test (`SunoMock.restore`)."""
    from mock_server.testing import SunoMock
    from mock_server.testing.fixture_rules import pool_key, resolve

    pool = _suno_mock_pool
    test = _suno_mock_async_test("suno_mock", "suno_mock_threaded")
    settings, options = resolve(test, suno_mock_settings)
    if asyncio.get_running_loop() is not pool.loop:
        pytest.fail(SESSION_LOOP_NEEDED, pytrace=False)
    key = pool_key(settings, options)
    mock = pool.servers.get(key) or await SunoMock(settings, **options).start()
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
