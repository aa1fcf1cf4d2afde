"""What a scenario does to one task, compiled once at submit time: the scenario module's
runtime half (`scenario.py` is the file format).

`ScenarioLibrary` picks the scenario a submit runs under (queued, a match rule, the default) and
uses a queued one up exactly once. `compile_script` turns the pick into a `Script`: the task's
events in order (typed: a stage, or the failure that ends it), the settings its payloads are
built with, how its tracks look, and the delivery policy with its faults. The dispatcher only
sends, times out and retries; the task asks its script what to send (`Script.route`).

Every plain task shares one script; a scripted task gets its own (a swap holds callbacks).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from mock_server.core.catalog import STAGES, Stage
from mock_server.core.clock import real_delay
from mock_server.core.errors import DropConnection, ScenarioError, error_for_code
from mock_server.core.hints import mistake
from mock_server.core.settings import SCENARIO_MAX_BYTES, Settings
from mock_server.delivery.dispatcher import PLAIN_POLICY, DeliveryPolicy
from mock_server.scripting.request import TrackRequest

if TYPE_CHECKING:
    from mock_server.scripting.scenario import ApiBehaviour, CallbackKind, ErrorOutcome, Scenario

__all__ = [
    "NO_PICK",
    "Event",
    "FailAt",
    "Outgoing",
    "Pick",
    "ScenarioLibrary",
    "Script",
    "StageAt",
    "compile_script",
    "with_looks",
]


@dataclass(frozen=True, slots=True)
class StageAt:
    """The task reaches `stage` `at` seconds after submission."""

    at: float
    stage: Stage


@dataclass(frozen=True, slots=True)
class FailAt:
    """The task fails `at` seconds after submission (always its last event)."""

    at: float
    error: ErrorOutcome


Event = StageAt | FailAt


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One callback to hand to the dispatcher (or to journal as dropped)."""

    kind: str
    body: bytes
    delay: float = 0.0
    copies: int = 1
    dropped: bool = False


class Script:
    """One task's compiled scenario (the plain one has no scenario)."""

    __slots__ = ("_held", "events", "first_tracks_at", "policy", "scenario", "settings")

    def __init__(
        self,
        scenario: Scenario | None,
        events: tuple[Event, ...],
        settings: Settings,
        policy: DeliveryPolicy = PLAIN_POLICY,
    ) -> None:
        self.scenario = scenario
        self.events = events
        self.settings = settings
        """The settings the task's payloads are built with (the scenario's looks applied)."""
        self.policy = policy
        first = self.next_with_tracks(0)[1]
        self.first_tracks_at = None if first is None else first.at
        """When the first event that sends the tracks happens (None: none does)."""
        self._held: list[tuple[str, bytes]] = []

    def next_with_tracks(self, step: int) -> tuple[int, StageAt | None]:
        """The first event from index `step` on that sends the tracks (a stage other than
        text), and its index; (len(events), None) when none is left."""
        events = self.events
        for index in range(step, len(events)):
            event = events[index]
            if isinstance(event, StageAt) and event.stage != "text":
                return index, event
        return len(events), None

    def looks(self, tracks: TrackRequest) -> TrackRequest:
        """The tracks the request asked for, as the scenario wants them to look."""
        return tracks if self.scenario is None else with_looks(tracks, self.scenario)

    def route(self, kind: str, body: bytes, *, last: bool) -> list[Outgoing]:
        """What to send for callback `kind` (its payload `body`); `last`: the task has no
        events left. Applies drops, truncation, lateness, copies and the swap."""
        if self.scenario is None:
            return [Outgoing(kind, body)]
        faults = self.scenario.delivery
        out: list[Outgoing] = []
        if kind in faults.drop:
            out.append(Outgoing(kind, body, dropped=True))
        else:
            if kind in faults.malformed:
                body = body[: len(body) // 2]
            if faults.swap and kind == min(faults.swap, key=STAGES.index):
                self._held.append((kind, body))  # sent right after the later stage of the pair
                return []
            delay = faults.late.get(cast("CallbackKind", kind), 0.0)
            out.append(Outgoing(kind, body, delay, 2 if kind in faults.duplicate else 1))
        # Held callbacks follow the later stage of the swap, or the last event at the latest.
        if self._held and (kind in (faults.swap or ()) or last):
            held, self._held = self._held, []
            out.extend(Outgoing(k, b) for k, b in held)
        return out


def with_looks(tracks: TrackRequest, scenario: Scenario) -> TrackRequest:
    """The tracks a request asked for, with the scenario's payload overrides applied."""
    looks = scenario.payload
    if looks.lyrics is not None:
        tracks = replace(tracks, lyrics=looks.lyrics or None, instrumental=looks.lyrics == "")
    return replace(
        tracks,
        title=looks.title or tracks.title,
        style=looks.tags or tracks.style,
        count=looks.tracks or tracks.count,
        durations=tuple(looks.durations) if looks.durations else tracks.durations,
    )


def events_of(scenario: Scenario | None, settings: Settings) -> tuple[Event, ...]:
    """A task's events in the order they happen: stages, then the failure (if any)."""
    delays = settings.stage_delays
    if scenario is None:
        return _plain_events(tuple(getattr(delays, s) for s in STAGES))
    defaults: dict[str, float] = {s: getattr(delays, s) for s in STAGES}
    stages = sorted(
        (at, STAGES.index(stage), stage) for stage, at in scenario.stage_times(defaults).items()
    )
    events: list[Event] = [StageAt(at, stage) for at, _, stage in stages]
    if scenario.error is not None:
        events.append(FailAt(scenario.error.after, scenario.error))
    return tuple(events)


@functools.lru_cache(maxsize=64)
def _plain_events(delays: tuple[float, ...]) -> tuple[Event, ...]:
    """The stages at these delays (every server starts with them: made once per delays)."""
    return tuple(StageAt(at, stage) for at, stage in zip(delays, STAGES, strict=True))


def _payload_settings(scenario: Scenario, settings: Settings) -> Settings:
    looks = scenario.payload
    update: dict[str, Any] = {}
    if looks.text_tracks is not None:
        update["text_callback_tracks"] = looks.text_tracks
    if looks.create_time is not None:
        update["create_time_format"] = looks.create_time
    return settings.model_copy(update=update) if update else settings


def compile_script(scenario: Scenario | None, settings: Settings) -> Script:
    """The script of a task submitted under `scenario` (None: plain)."""
    if scenario is None:
        return Script(None, events_of(None, settings), settings)
    delivery = scenario.delivery
    policy = DeliveryPolicy(
        retry_delays=None if delivery.retry_delays is None else tuple(delivery.retry_delays),
        timeout=delivery.timeout,
        bad_signature=frozenset(delivery.bad_signature),
        simulate=delivery.receiver,
    )
    return Script(
        scenario, events_of(scenario, settings), _payload_settings(scenario, settings), policy
    )


def failing(scenario: Scenario | None, failure: tuple[int, str], after: float) -> Scenario:
    """`scenario` changed so the task fails with `failure` (an upload that could not be used)
    `after` seconds, and reaches no stage."""
    from mock_server.scripting.scenario import ErrorOutcome, Scenario

    error = ErrorOutcome(after=after, code=failure[0], status="CREATE_TASK_FAILED", msg=failure[1])
    base = scenario or Scenario(version=1, name="upload-failed")
    return base.model_copy(update={"stages": {}, "error": error})


async def apply_api_fault(fault: ApiBehaviour) -> None:
    """Latency, a dropped connection or a business code instead of a task (scenarios)."""
    if fault.latency:
        await real_delay(fault.latency)
    if fault.drop_connection:
        raise DropConnection
    if fault.respond is not None:
        raise error_for_code(fault.respond, fault.msg)


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
"""A scenario name: a file name without its .yaml, no path (control plane)."""


@functools.cache
def _plain_api() -> ApiBehaviour:
    """`ApiBehaviour()`, its defaults as they are (nothing to validate): made without building the
    model's validator, which a server that runs no scenario never needs (and asked for only
    once a scenario is picked, when the scenario format is loaded)."""
    from mock_server.scripting.scenario import ApiBehaviour

    return ApiBehaviour.model_construct()


class Pick:
    """The scenario one submit runs under; `use()` spends a queued one, once."""

    __slots__ = ("_entry", "_queue", "scenario")

    def __init__(self, scenario: Scenario | None, entry: object, queue: list[Any]) -> None:
        self.scenario = scenario
        self._entry = entry
        self._queue = queue

    def use(self) -> None:
        """The submit made a task or was answered by the scenario: a queued scenario is spent
        (a request refused by validation does not spend it). Calling again does nothing."""
        if self._entry is None:
            return
        for i, queued in enumerate(self._queue):
            if queued is self._entry:
                del self._queue[i]
                break
        self._entry = None


NO_PICK = Pick(None, None, [])
"""A submit that runs under no scenario (its body is not even a JSON object)."""


class _Queued:
    """One place in the queue (the same scenario may be queued twice)."""

    __slots__ = ("scenario",)

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario


class ScenarioLibrary:
    """Resolves scenario names (bundled or in a user's folder) and paths; picks per request."""

    def __init__(
        self,
        folders: Iterable[Path] = (),
        default: str | None = None,
        *,
        max_bytes: int = SCENARIO_MAX_BYTES,
    ) -> None:
        self.folders = [Path(f) for f in folders]
        self.max_bytes = max_bytes
        self._cache: dict[str, Scenario] = {}
        self.default: Scenario | None = self.resolve(default) if default else None
        self.rules: list[Scenario] = [
            s for s in (self.resolve(n) for n in self._folder_names()) if s.match is not None
        ]
        self._queue: list[_Queued] = []
        self._api_uses: dict[str, int] = {}

    def _folder_names(self) -> list[str]:
        return sorted(str(p) for folder in self.folders for p in folder.glob("*.yaml"))

    def resolve(self, name_or_path: str, *, names_only: bool = False) -> Scenario:
        """A bundled name, a name in one of the folders, or a path to a .yaml file.

        `names_only` (the HTTP control plane) accepts names alone, so only files inside the
        bundled library and the scenario folders can be read."""
        if names_only and not _NAME.match(name_or_path):
            raise ScenarioError(
                f"scenario: {name_or_path[:100]!r} is not a scenario name; send a bundled name "
                "or a file name (without .yaml) from a --scenarios-dir folder, not a path"
            )
        if names_only and name_or_path.endswith((".yaml", ".yml")):
            name_or_path = name_or_path.rsplit(".", 1)[0]
        if name_or_path not in self._cache:
            self._cache[name_or_path] = self._load(name_or_path)
        return self._cache[name_or_path]

    def _load(self, name_or_path: str) -> Scenario:
        # The scenario format is loaded with the first scenario (a plain test never needs it).
        from mock_server.scripting.scenario import bundled_names, load_bundled, load_scenario

        path = Path(name_or_path)
        if path.suffix in {".yaml", ".yml"}:
            return load_scenario(path, max_bytes=self.max_bytes)
        if not _NAME.match(name_or_path):
            raise ScenarioError(
                f"unknown scenario {name_or_path[:100]!r}; a name has no path in it "
                "(or give a path ending in .yaml)"
            )
        existing = [p for p in (f / f"{name_or_path}.yaml" for f in self.folders) if p.is_file()]
        if existing:
            return load_scenario(existing[0], max_bytes=self.max_bytes)
        if name_or_path in bundled_names():
            return load_bundled(name_or_path)
        own = sorted(p.stem for folder in self.folders for p in folder.glob("*.yaml"))
        searched = f" (folders searched: {', '.join(map(str, self.folders))})"
        raise ScenarioError(
            mistake(
                f"unknown scenario {name_or_path!r}",
                got=name_or_path,
                choices=[*bundled_names(), *own],
                fix="use one of these names"
                + (searched if self.folders else "")
                + ", or a path ending in .yaml",
                limit=40,
            )
        )

    def set_default(self, name_or_path: str | None, *, names_only: bool = False) -> None:
        self.default = self.resolve(name_or_path, names_only=names_only) if name_or_path else None

    def queue(self, name_or_path: str, *, names_only: bool = False) -> Scenario:
        """Use a scenario for the next task only (queued ones go first, in order)."""
        scenario = self.resolve(name_or_path, names_only=names_only)
        self._queue.append(_Queued(scenario))
        return scenario

    @property
    def queued(self) -> list[Scenario]:
        return [entry.scenario for entry in self._queue]

    def clear_queue(self) -> None:
        self._queue.clear()

    def reset(self) -> None:
        """Forget the queue and how often each scenario's API fault was applied (the server's
        reset; the default and the match rules stay)."""
        self._queue.clear()
        self._api_uses.clear()

    def select(self, operation: str, request: Mapping[str, Any]) -> Pick:
        """Queued scenario, else the first matching rule, else the default (None: plain).

        Selecting spends nothing: the pick's `use()` does, once a task exists (or the
        scenario answered the submit), so a request refused by validation keeps it."""
        if self._queue:
            return Pick(self._queue[0].scenario, self._queue[0], self._queue)
        for rule in self.rules:
            if rule.match is not None and rule.match.matches(operation, request):
                return Pick(rule, None, self._queue)
        return NO_PICK if self.default is None else Pick(self.default, None, self._queue)

    def api_fault(self, pick: Pick) -> ApiBehaviour | None:
        """The picked scenario's API behaviour if it applies to this submit (counting its
        `times`); a fault that answers instead of a task spends the pick."""
        scenario = pick.scenario
        if scenario is None or scenario.api == _plain_api():
            return None
        used = self._api_uses.get(scenario.name, 0)
        if scenario.api.times is not None and used >= scenario.api.times:
            return None
        self._api_uses[scenario.name] = used + 1
        if scenario.api.respond is not None or scenario.api.drop_connection:
            pick.use()
        return scenario.api
