"""What the suite shares besides the plugin's own fixtures: an HTTP session and a tiny client.

The suite runs on the project's public fixtures (`suno_mock`, `suno_mock_factory`,
`callback_receiver`, settings by `@pytest.mark.suno_mock(...)`, the clock as
`suno_mock.clock`), as a user's suite would."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from mock_server.testing import SunoMock
from tests.helpers import Api

pytest_plugins = ["pytester"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that drives Chromium (the `browser` fixture) carries the `browser` marker, so
    `python3 dev.py test --fast` (`-m "not docker and not browser and not wheel"`) leaves it out."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(headers={"Authorization": "Bearer test-key"}) as session:
        yield session


@pytest.fixture
def api(http: aiohttp.ClientSession, suno_mock: SunoMock) -> Api:
    """A tiny client of this test's `suno_mock` server, with an API key."""
    return Api(http, suno_mock.url)
