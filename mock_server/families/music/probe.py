"""The music family's probe cases: the stage callbacks in order, twice and out of order, and a
task ending in each documented error code as the bundled scenarios run it."""

from __future__ import annotations

from dataclasses import replace

from mock_server.core.catalog import STAGES
from mock_server.core.encoding import encode
from mock_server.families.music.payloads import error_callback
from mock_server.families.probe import Case, ProbeKit, Shot
from mock_server.scripting.scenario import CALLBACK_CODES, Scenario, bundled_names, load_bundled
from mock_server.scripting.script import FailAt

__all__ = ["ERROR_CODES", "cases"]

ERROR_CODES = CALLBACK_CODES
"""The documented error-callback codes (the ones a scenario may end with); each has a bundled
scenario, whose message and stages the probe plays."""


def _stage_cases(make: ProbeKit) -> list[Case]:
    sequence = Case("sequence", "text -> first -> complete", make.stages(*STAGES))
    shots = make.stages("text", "first", "complete")
    again = replace(shots[2], label="complete (again)")
    duplicate = Case(
        "duplicate-complete",
        "the complete callback delivered twice",
        (*shots, again),
        same_answer=(2, 3),
    )
    late = make.stages("text", "complete", "first")
    return [sequence, duplicate, Case("out-of-order", "complete arrives before first", late)]


def _error_scenarios() -> dict[int, Scenario]:
    """For each documented error code, the first bundled scenario that ends with it."""
    found: dict[int, Scenario] = {}
    for name in bundled_names():
        scenario = load_bundled(name)
        if scenario.error is not None and scenario.api.respond is None:
            found.setdefault(scenario.error.code, scenario)
    return found


def _error_case(make: ProbeKit, code: int, scenario: Scenario | None) -> Case:
    if scenario is None or scenario.error is None:
        raise AssertionError(f"no bundled scenario ends with error code {code}")
    error = scenario.error
    task = make.task(scenario)
    shots = []
    for event in task.script.events:
        if isinstance(event, FailAt):
            body = error_callback(
                task, error.code, error.msg, empty_list=error.data == "empty_list"
            )
            shots.append(Shot(f"error {code}", task.id, "error", encode(body)))
        else:
            shots.append(make.stage(task, event.stage))
    stages = " -> ".join(s.label for s in shots)
    return Case(f"error-{code}", f"{stages} ({scenario.name})", tuple(shots))


def _error_cases(make: ProbeKit) -> list[Case]:
    scenarios = _error_scenarios()
    return [_error_case(make, code, scenarios.get(code)) for code in ERROR_CODES]


def cases(make: ProbeKit) -> list[Case]:
    """The music family's cases, always built in this order."""
    return _stage_cases(make) + _error_cases(make)
