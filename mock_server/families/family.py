"""What a family of the API declares, and how its handlers reach its backend.

A family (music, jobs, recovery, sync ops, voice, uploads, account) is one folder with the same
file names: `wire.py` (request models), `store.py` (its state), `backend.py` (its rules, its
`build` and its `BackendKey`), `payloads.py` and `schema.py` (the bodies it sends and answers,
and their models), `probe.py` (its probe cases), `handlers.py` (one call each). Its `family.py`
declares a `Family`: the route rows (`Endpoint`: model, example body, callback schema), the
callback types it journals, how its backend is built from the shared services (`Parts`) and its
probe cases. `mock_server.families.registry.FAMILIES` lists them: the route table,
/openapi.json, the composition root, the waits and the probe read that one registry.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from aiohttp import web
from pydantic import BaseModel

from mock_server.core.clock import Clock
from mock_server.core.events import EventHub
from mock_server.core.settings import Settings
from mock_server.delivery.dispatcher import Dispatcher
from mock_server.delivery.journal import Journal
from mock_server.media.sources import SourceFetcher
from mock_server.scripting.script import ScenarioLibrary

if TYPE_CHECKING:
    from mock_server.families.probe import Case, ProbeKit

__all__ = [
    "AUDIO",
    "BACKENDS",
    "CB_URL",
    "TASK",
    "Backend",
    "BackendKey",
    "Endpoint",
    "Family",
    "Parts",
    "probe_cases",
    "services",
]

B = TypeVar("B")

CB_URL = "https://client.example/suno/callback"
"""The callback URL of the documented example bodies."""
TASK = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
AUDIO = "e3225e2d-16ec-4f5c-9dcc-16fd548631e1"


@dataclass(frozen=True)
class Endpoint:
    """One route of the mocked API, with what the document says about it."""

    method: str
    path: str
    handler: Callable[..., Any]
    summary: str
    request: type[BaseModel] | None = None
    example: dict[str, Any] | None = None
    callback: type[BaseModel] | None = None
    query: tuple[str, ...] = ()
    form: dict[str, Any] | None = None
    """A multipart/form-data body schema (file uploads)."""
    data: type[BaseModel] | dict[str, Any] | None = None
    """The schema of the success envelope's `data` (a model, or a plain JSON schema)."""
    tag: str = "music"


class Backend:
    """What the composition root asks of every family's backend at shutdown and reset; these
    defaults fit a backend with no work of its own outside the clock's timers and no numbered
    tasks (the music backend has both)."""

    def stop(self) -> None:
        """Stop the work it does outside the clock's timers (shutdown, reset)."""

    def discard(self) -> None:
        """Free the state of a backend a reset replaced."""

    @property
    def last_number(self) -> int:
        """The newest task's number: a reset's new backend numbers its tasks after it."""
        return 0


@dataclass(frozen=True)
class Parts:
    """The services a backend is built from: they live as long as the server, while the
    backends are built anew after every reset. `backends` builds the one a build asks for
    (`ACCOUNT.among(parts.backends)`) if it is not built yet (a family lists it in `needs`)."""

    settings: Settings
    clock: Clock
    journal: Journal
    dispatcher: Dispatcher
    events: EventHub
    """How the parts tell each other, and the dashboard, what happened (for a backend: its
    scope of the server's hub, dropped when a reset builds its successor)."""
    scenarios: ScenarioLibrary
    sources: SourceFetcher
    backends: dict[str, Backend] = field(default_factory=dict)
    numbers_after: int = 0
    """Task numbers go on after this one (a reset does not restart them)."""


def services(settings: Settings, clock: Clock) -> Parts:
    """The services of a new server, with no backend built yet."""
    events = EventHub()
    journal = Journal(
        settings.journal_limit,
        body_bytes=settings.journal_body_bytes,
        total_bytes=settings.journal_bytes,
        events=events,
    )
    scenarios = ScenarioLibrary(
        [Path(d) for d in settings.scenario_dirs],
        default=settings.scenario,
        max_bytes=settings.scenario_max_bytes,
    )
    dispatcher, sources = Dispatcher(clock, settings, journal), SourceFetcher(settings)
    return Parts(settings, clock, journal, dispatcher, events, scenarios, sources)


def probe_cases(name: str) -> Callable[[ProbeKit], list[Case]]:
    """`mock_server.families.<name>.probe.cases`, imported when the probe battery first runs
    it: the probe's kit makes music tasks and jobs, and importing it with the family would
    import the job families into every server (see docs/performance.md, "Families imported
    when first reached")."""

    def cases(kit: ProbeKit) -> list[Case]:
        found: list[Case] = importlib.import_module(f"mock_server.families.{name}.probe").cases(kit)
        return found

    return cases


BACKENDS = web.AppKey("backends", dict[str, Backend])
"""Every family's backend by family name, built when first asked for; the engine empties the
same dict on reset."""


class BackendKey(Generic[B]):
    """How a family's handlers reach its backend (and nothing else of the server)."""

    def __init__(self, name: str, kind: type[B]) -> None:
        """`kind`, the backend's class, only types the key: `of` and `among` return a `kind`."""
        self.name = name

    def of(self, request: web.Request) -> B:
        """The backend of this family on the server the request reached."""
        # No `cast` here or in `among`: a function call, and both run on every request.
        return request.app[BACKENDS][self.name]  # type: ignore[return-value]

    def among(self, backends: dict[str, Backend]) -> B:
        """The backend of this family among `backends` (built now if it was not yet)."""
        return backends[self.name]  # type: ignore[return-value]


@dataclass(frozen=True)
class Family:
    """A family of the API, as it is registered in `mock_server.families.registry.FAMILIES`."""

    name: str
    endpoints: tuple[Endpoint, ...]
    """Its routes, in the order /openapi.json lists them."""
    callback_types: tuple[str, ...] = ()
    """The callback types its deliveries are journaled as (what the waits accept)."""
    backend: BackendKey[Any] | None = None
    """The backend its handlers reach."""
    build: Callable[[Parts], Backend] | None = None
    """That backend, with nothing in it; None when another family builds it."""
    needs: tuple[str, ...] = ()
    """The backends `build` reads from `Parts.backends` (built before it)."""
    probe: Callable[[ProbeKit], list[Case]] | None = None
    """Its cases in the probe battery (`suno-mock probe`): every callback type it sends."""
    counters: Callable[[Any], dict[str, int | float]] | None = None
    """Its view in the control plane's health (`GET /__mock__/health`): its backend's numbers."""
