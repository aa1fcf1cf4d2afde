"""suno-mock-server: an offline, faithful test double of the Suno music API (sunoapi.org api/v1).

Public API: `MockServer` (a started server), `create_app` (the bare aiohttp app), `Settings`,
the clocks, and the journal records tests inspect.
"""

from __future__ import annotations

__version__ = "0.1.0"

from mock_server.app import create_app
from mock_server.clock import Clock, ManualClock, ScaledClock
from mock_server.journal import Attempt, Delivery, RequestRecord
from mock_server.server import MockServer
from mock_server.settings import Settings, StageDelays
from mock_server.tasks import Task

__all__ = [
    "Attempt",
    "Clock",
    "Delivery",
    "ManualClock",
    "MockServer",
    "RequestRecord",
    "ScaledClock",
    "Settings",
    "StageDelays",
    "Task",
    "__version__",
    "create_app",
]
