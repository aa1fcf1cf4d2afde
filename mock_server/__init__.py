"""suno-mock-server: an offline, faithful test double of the Suno music API (sunoapi.org api/v1).

Public API: `MockServer` (a started server), `create_app` (the bare aiohttp app), `Settings`,
the clocks, the journal records tests inspect, the test helpers behind the pytest fixtures
(`SunoMock`, `SunoMockThread`, `CallbackReceiver`, `CallbackReceiverThread`,
`ReceivedCallback`) and scenarios (`Scenario`, `load_scenario`).

Names are imported on first use (PEP 562): the pytest plugin is loaded by every pytest run in an
environment that has this package, and must not pay for aiohttp and pydantic up front.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from mock_server.version import __version__

if TYPE_CHECKING:
    from mock_server.app import create_app
    from mock_server.core.clock import Clock, ManualClock, ScaledClock
    from mock_server.core.errors import ScenarioError
    from mock_server.core.settings import Settings, StageDelays
    from mock_server.delivery.journal import Attempt, Delivery, RequestRecord
    from mock_server.families.music.store import Task
    from mock_server.scripting.scenario import Scenario, load_scenario
    from mock_server.server import MockServer
    from mock_server.testing import SunoMock, SunoMockThread
    from mock_server.testing.receiver import (
        CallbackReceiver,
        CallbackReceiverThread,
        ReceivedCallback,
    )

_WHERE = {
    "create_app": "mock_server.app",
    "Clock": "mock_server.core.clock",
    "ManualClock": "mock_server.core.clock",
    "ScaledClock": "mock_server.core.clock",
    "Attempt": "mock_server.delivery.journal",
    "Delivery": "mock_server.delivery.journal",
    "RequestRecord": "mock_server.delivery.journal",
    "CallbackReceiver": "mock_server.testing.receiver",
    "CallbackReceiverThread": "mock_server.testing.receiver",
    "ReceivedCallback": "mock_server.testing.receiver",
    "Scenario": "mock_server.scripting.scenario",
    "ScenarioError": "mock_server.core.errors",
    "load_scenario": "mock_server.scripting.scenario",
    "MockServer": "mock_server.server",
    "Settings": "mock_server.core.settings",
    "StageDelays": "mock_server.core.settings",
    "Task": "mock_server.families.music.store",
    "SunoMock": "mock_server.testing",
    "SunoMockThread": "mock_server.testing",
}

__all__ = [
    "Attempt",
    "CallbackReceiver",
    "CallbackReceiverThread",
    "Clock",
    "Delivery",
    "ManualClock",
    "MockServer",
    "ReceivedCallback",
    "RequestRecord",
    "ScaledClock",
    "Scenario",
    "ScenarioError",
    "Settings",
    "StageDelays",
    "SunoMock",
    "SunoMockThread",
    "Task",
    "__version__",
    "create_app",
    "load_scenario",
]


if not TYPE_CHECKING:
    # Hidden from type checkers, so that `from mock_server import Typo` stays an error there.

    def __getattr__(name: str) -> Any:
        module = _WHERE.get(name)
        if module is None:
            raise AttributeError(f"module 'mock_server' has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted(__all__)
