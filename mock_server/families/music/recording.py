"""Turn what happened to a task back into a scenario that replays it (`suno-mock record`, and
`suno-mock proxy`, which records the real service's tasks)."""

from __future__ import annotations

import json
import re
from typing import Any

from mock_server.core.catalog import STAGES
from mock_server.core.settings import Settings
from mock_server.delivery.journal import Delivery
from mock_server.families.music.store import Task

__all__ = ["record_scenario", "record_yaml", "scenario_yaml", "seconds"]

_SURROGATE = re.compile("[\ud800-\udfff]")


def seconds(value: float) -> float | int:
    """Seconds as written into a scenario: milliseconds at most, whole numbers as integers."""
    rounded = round(value, 3)
    return int(rounded) if rounded == int(rounded) else rounded


def record_scenario(task: Task, deliveries: list[Delivery], settings: Settings) -> dict[str, Any]:
    """A scenario (as plain data) whose replay sends the same callbacks as `task` got.

    Stage and error times are the ones observed; the tracks' looks are pinned exactly; delivery
    faults and retry policy come from the scenario the task ran under (or the settings).
    `settings` are the ones the task's payloads were built with (Engine.payload_settings)."""
    reached: dict[str, float] = {}
    failed_at: float | None = None
    for at, event in task.history:
        if event in STAGES and event not in reached:
            reached[event] = at - task.created_at
        if event == task.status and task.error_code is not None:
            failed_at = at - task.created_at
    data: dict[str, Any] = {
        "version": 1,
        "name": f"recorded-{task.id}",
        "description": f"Recorded from task {task.id} ({task.operation}, {task.model}, "
        f"status {task.status}).",
        "stages": {stage: seconds(at) for stage, at in reached.items()},
    }
    if failed_at is not None and task.error_code is not None:
        error_data = next(
            (d.body["data"]["data"] for d in deliveries if d.callback_type == "error"), None
        )
        data["error"] = {
            "after": seconds(failed_at),
            "code": task.error_code,
            "msg": task.error_message or "",
            "status": task.status,
            "data": "empty_list" if error_data == [] else "null",
        }
    delivery: dict[str, Any] = {}
    if task.scenario is not None:
        delivery = task.scenario.delivery.model_dump(exclude_defaults=True)
    first = deliveries[0] if deliveries else None
    delivery["retry_delays"] = [
        seconds(d) for d in (first.retry_delays if first else settings.retry_delays)
    ]
    delivery["timeout"] = seconds(first.timeout if first else settings.callback_timeout)
    data["delivery"] = delivery
    tracks = task.tracks
    data["payload"] = {
        "model": task.model,
        "title": tracks[0].title,
        "tags": tracks[0].tags,
        "lyrics": tracks[0].prompt,
        "tracks": len(tracks),
        "durations": [t.duration for t in tracks],
        "text_tracks": settings.text_callback_tracks,
        "create_time": settings.create_time_format,
    }
    return data


def _comment(text: str) -> str:
    """`text` as one comment line: a line break (or any unprintable character) in recorded
    text, a task id say, must not end the comment and start a key of its own."""
    return "".join(c if c.isprintable() else json.dumps(c)[1:-1] for c in text)


def _loadable(value: Any) -> Any:
    """Plain data without lone UTF-16 surrogates (which a scenario may not hold), each
    replaced by U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_loadable(k): _loadable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_loadable(v) for v in value]
    return value


def scenario_yaml(data: dict[str, Any], header: str) -> str:
    """A scenario (as plain data) as YAML text under a `# header` comment line; every value,
    whatever it holds, is written by the YAML emitter."""
    import yaml  # only when a scenario is written: a test session need not load the emitter

    body = yaml.safe_dump(_loadable(data), sort_keys=False, allow_unicode=True)
    return f"# {_comment(header)}\n{body}"


def record_yaml(task: Task, deliveries: list[Delivery], settings: Settings) -> str:
    header = f"suno-mock record {task.id}: replay with `suno-mock replay FILE --to URL`"
    return scenario_yaml(record_scenario(task, deliveries, settings), header)
