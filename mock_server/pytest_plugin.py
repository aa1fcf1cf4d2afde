"""pytest plugin of suno-mock-server (entry point `pytest11`): fixtures and a marker, no logic.

async def test_extend(suno_mock, callback_receiver): ...

@pytest.mark.suno_mock(scenario="copyright-violation", seed=7)
async def test_error_path(suno_mock): ...
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
from pydantic import ValidationError

from mock_server.receiver import CallbackReceiver
from mock_server.settings import Settings
from mock_server.testing import SunoMock, SunoMockThread

__all__ = [
    "callback_receiver",
    "suno_mock",
    "suno_mock_factory",
    "suno_mock_settings",
    "suno_mock_threaded",
]

PLUGIN_OPTIONS = ("check_teardown",)
MARKER_HELP = (
    "suno_mock(**settings): configure this test's suno_mock server. Keywords: any Settings field "
    "(seed, api_keys, credits, task_cost, stage_delays, callback_timeout, retry_delays, "
    "allow_callback_hosts, scenario, ...) and check_teardown=False."
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "suno_mock_settings",
        type="linelist",
        help="suite-wide suno_mock settings, one `name = JSON value` per line",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)


def _ini_settings(config: pytest.Config) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for line in config.getini("suno_mock_settings"):
        name, sep, raw = str(line).partition("=")
        if not sep:
            pytest.fail(
                f"suno_mock_settings ini line {line!r}: expected `name = JSON value`", pytrace=False
            )
        try:
            values[name.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            values[name.strip()] = raw.strip()
    return values


def _resolve(request: pytest.FixtureRequest, fixture: dict[str, Any]) -> tuple[Settings, bool]:
    # Precedence, lowest to highest: Settings defaults < ini `suno_mock_settings` <
    # the `suno_mock_settings` fixture < the test's `@pytest.mark.suno_mock(...)`.
    values = {**_ini_settings(request.config), **fixture}
    for marker in reversed(list(request.node.iter_markers("suno_mock"))):
        if marker.args:
            pytest.fail("@pytest.mark.suno_mock takes keywords only, e.g. seed=7", pytrace=False)
        values.update(marker.kwargs)
    valid = sorted([*Settings.model_fields, *PLUGIN_OPTIONS])
    unknown = sorted(set(values) - set(valid))
    if unknown:
        pytest.fail(
            f"suno_mock: unknown setting(s) {', '.join(unknown)}; valid: {', '.join(valid)}",
            pytrace=False,
        )
    check = bool(values.pop("check_teardown", True))
    try:
        return Settings.model_validate(values), check
    except ValidationError as err:
        pytest.fail(f"suno_mock: invalid settings: {err}", pytrace=False)


async def _closed(mock: SunoMock) -> None:
    problems = mock.teardown_problems() if mock.check_teardown else []
    await mock.close()
    if problems:
        pytest.fail(
            "suno_mock teardown:\n" + "\n".join(problems) + "\n" + mock.describe(), pytrace=False
        )


@pytest.fixture
def suno_mock_settings() -> dict[str, Any]:
    """Suite-wide settings for `suno_mock` servers: override this fixture in conftest.py
    (returns a dict of Settings fields; the test's `suno_mock` marker wins over it)."""
    return {}


@pytest.fixture
async def suno_mock(
    request: pytest.FixtureRequest, suno_mock_settings: dict[str, Any]
) -> AsyncIterator[SunoMock]:
    """A started suno-mock-server on 127.0.0.1 (free port) with a manual clock.

    `url`/`api_url` for clients; `clock.advance(seconds=, minutes=)`, `clock.run_until_idle()`;
    `tasks()`, `requests`, `deliveries(task_id)`, `reset()`; `wait_for_callback(task_id,
    "complete")`, `wait_for_status(task_id, "SUCCESS")`, `assert_callback_sequence(...)`,
    `assert_requested(path, times=)`; `use_scenario(name)`, `next_task(scenario=)`.
    Configure with `@pytest.mark.suno_mock(...)`. At teardown, a crashed handler or a callback
    still in flight fails the test (opt out: `check_teardown=False`)."""
    settings, check = _resolve(request, suno_mock_settings)
    mock = await SunoMock(settings, check_teardown=check).start()
    try:
        yield mock
    finally:
        await _closed(mock)


@pytest.fixture
async def suno_mock_factory(
    request: pytest.FixtureRequest, suno_mock_settings: dict[str, Any]
) -> AsyncIterator[Callable[..., Awaitable[SunoMock]]]:
    """Build more started servers: `await suno_mock_factory(seed=3, api_keys=("k",))`.
    Keywords override the suite settings; every server is closed at teardown."""
    servers: list[SunoMock] = []
    base, check = _resolve(request, suno_mock_settings)

    async def make(**overrides: Any) -> SunoMock:
        options = {"check_teardown": check, **overrides}
        keep = bool(options.pop("check_teardown"))
        settings = Settings.model_validate({**base.model_dump(), **options})
        mock = await SunoMock(settings, check_teardown=keep).start()
        servers.append(mock)
        return mock

    try:
        yield make
    finally:
        for mock in servers:
            await _closed(mock)


@pytest.fixture
async def callback_receiver() -> AsyncIterator[CallbackReceiver]:
    """A real loopback endpoint to hand out as `callBackUrl`: `url`, `requests` (with `.json`,
    `.headers`, `.arrived`), `respond_with(statuses=[500, 200], delay=0.1)`, `wait_for(n)`."""
    async with CallbackReceiver() as receiver:
        yield receiver


@pytest.fixture
def suno_mock_threaded(
    request: pytest.FixtureRequest, suno_mock_settings: dict[str, Any]
) -> Iterator[SunoMockThread]:
    """A suno_mock on its own event loop in a thread, for synchronous clients (requests):
    `url`, `advance(seconds)`, `wait_for_callback(...)`, `mock` (the SunoMock itself)."""
    settings, check = _resolve(request, suno_mock_settings)
    with SunoMockThread(settings, check_teardown=check) as thread:
        yield thread
