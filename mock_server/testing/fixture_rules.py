"""What the pytest plugin's fixtures decide about the test they serve: its settings (ini lines,
the `suno_mock_settings` fixture, markers, in that order of precedence), the plugin's own
options among them, and whether an in-loop fixture can run in it. Each mistake fails the test
with the fix, without a traceback. Imported by the plugin when a fixture is first used."""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import pytest
from pydantic import ValidationError

from mock_server.core.errors import ScenarioError
from mock_server.core.hints import mistake
from mock_server.core.settings import Settings, settings_of, settings_problems
from mock_server.scripting.script import ScenarioLibrary

__all__ = [
    "PLUGIN_OPTIONS",
    "Pool",
    "check_names",
    "check_scenario",
    "overridden",
    "pool_key",
    "require_async_test",
    "resolve",
]

PLUGIN_OPTIONS = ("check_teardown", "blocked_loop_timeout")
"""Keywords of the marker (and the other places settings come from) that are not settings."""
S = TypeVar("S")


@dataclass
class Pool(Generic[S]):
    """Servers kept for the session (`suno_mock_scope = session`), one per settings."""

    loop: asyncio.AbstractEventLoop | None = None
    servers: dict[str, S] = field(default_factory=dict)


def pool_key(settings: Settings, options: dict[str, Any]) -> str:
    """Which of a pool's servers a test's settings and plugin options get."""
    return settings.model_dump_json() + json.dumps(options, sort_keys=True)


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


def resolve(test: pytest.Item, fixture: Mapping[str, Any]) -> tuple[Settings, dict[str, Any]]:
    """The test's Settings and plugin options (check_teardown, blocked_loop_timeout)."""
    # Precedence, lowest to highest: Settings defaults < ini `suno_mock_settings` <
    # the `suno_mock_settings` fixture < the test's `@pytest.mark.suno_mock(...)`.
    values = {**_ini_settings(test.config), **fixture}
    for marker in reversed(list(test.iter_markers("suno_mock"))):
        if marker.args:
            pytest.fail("@pytest.mark.suno_mock takes keywords only, e.g. seed=7", pytrace=False)
        values.update(marker.kwargs)
    check_names(values)
    options = {"check_teardown": bool(values.pop("check_teardown", True))}
    if "blocked_loop_timeout" in values:
        options["blocked_loop_timeout"] = values.pop("blocked_loop_timeout")
    return _checked(lambda: settings_of(values)), options


def overridden(
    base: Settings, base_options: dict[str, Any], overrides: dict[str, Any]
) -> tuple[Settings, dict[str, Any]]:
    """A `suno_mock_factory` server's Settings and plugin options: the test's (`base`,
    `base_options`) with the factory call's keywords over them (its plugin options are taken
    out of `overrides`)."""
    options = {**base_options}
    for name in PLUGIN_OPTIONS:
        if name in overrides:
            options[name] = overrides.pop(name)
    check_names(overrides)
    return _checked(lambda: Settings.model_validate({**base.model_dump(), **overrides})), options


def _checked(make: Callable[[], Settings]) -> Settings:
    """The Settings `make` validates, with their scenario checked; each problem fails the test
    with the fix."""
    try:
        settings = make()
    except ValidationError as err:
        pytest.fail("suno_mock: invalid settings\n" + settings_problems(err), pytrace=False)
    check_scenario(settings)
    return settings


def check_names(values: dict[str, Any]) -> None:
    if not values or not values.keys() - Settings.model_fields.keys() - set(PLUGIN_OPTIONS):
        return
    valid = sorted([*Settings.model_fields, *PLUGIN_OPTIONS])
    for name in sorted(set(values) - set(valid)):
        pytest.fail(
            mistake(
                f"suno_mock: unknown setting {name!r}",
                got=name,
                choices=valid,
                fix="a Settings field name, in @pytest.mark.suno_mock(...), the "
                "suno_mock_settings fixture or the suno_mock_settings ini option",
            ),
            pytrace=False,
        )


def check_scenario(settings: Settings) -> None:
    """Fail with the name's problem alone, before a server is built on it."""
    if settings.scenario is None:
        return
    dirs = [Path(d) for d in settings.scenario_dirs]
    try:
        ScenarioLibrary(dirs, default=settings.scenario, max_bytes=settings.scenario_max_bytes)
    except ScenarioError as err:
        pytest.fail(f"suno_mock: scenario: {err}", pytrace=False)


def require_async_test(item: pytest.Item, name: str, sync_alternative: str) -> None:
    """Fail at once, with the fix, where an in-loop fixture could only hang or misbehave."""
    function = getattr(item, "function", None)
    if function is None:  # not requested by a test function (doctest, ...): let it be
        return
    test = item.name
    if not inspect.iscoroutinefunction(function):
        pytest.fail(
            f"{test} is a plain (sync) test, but {name} serves on an asyncio event loop that "
            f"does not run during a sync test. Use {sync_alternative} (it runs in its own "
            f"thread), or make the test `async def`.",
            pytrace=False,
        )
    if item.get_closest_marker("asyncio") is None:
        pytest.fail(
            f"{test} is an async test without @pytest.mark.asyncio, so pytest-asyncio (in its "
            f"default strict mode) will not run it. Mark it (or the module: `pytestmark = "
            f"pytest.mark.asyncio`), or set `asyncio_mode = auto` in your pytest configuration.",
            pytrace=False,
        )
