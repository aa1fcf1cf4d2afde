"""What a real task did, as a scenario: `observed_scenario` infers it, step by step, from the
callbacks and record-info answers a recording holds."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

from mock_server.capture.folder import Callback
from mock_server.core.catalog import CHIRP_NAMES, MODELS, STAGES
from mock_server.families.music.recording import seconds
from mock_server.scripting.scenario import CALLBACK_CODES, FAILURE_STATUSES

__all__ = ["observed_scenario"]

_STAGE_OF = {"TEXT_SUCCESS": "text", "FIRST_SUCCESS": "first", "SUCCESS": "complete"}
_SNAKE = {"modelName": "model_name", "audioUrl": "audio_url", "imageUrl": "image_url"}


def _snake(track: dict[str, Any]) -> dict[str, Any]:
    """A record-info track with the callback's key names where they differ."""
    return {_SNAKE.get(k, k): v for k, v in track.items()}


def _tracks(body: Any) -> list[dict[str, Any]]:
    data = body.get("data") if isinstance(body, dict) else None
    items = data.get("data") if isinstance(data, dict) else None
    return [t for t in items if isinstance(t, dict)] if isinstance(items, list) else []


def _model(request: Any, tracks: list[dict[str, Any]]) -> str | None:
    model = request.get("model") if isinstance(request, dict) else None
    if model in MODELS:
        return str(model)
    names = {chirp: name for name, chirp in CHIRP_NAMES.items()}
    return next((names[t["model_name"]] for t in tracks if t.get("model_name") in names), None)


def observed_scenario(
    task_id: str,
    operation: str,
    request: Any,
    callbacks: list[Callback],
    statuses: list[tuple[float, str]],
    media: Mapping[str, Mapping[int, str]] | None = None,
    polled_tracks: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A scenario (as plain data) that replays what a real task did: when each stage was
    reached (its callback's first arrival, or earlier when a record-info answer already showed
    it: the state changes before the callback is on its way), the error outcome, the retries
    and duplicates seen, and the tracks' real titles, tags, lyrics and durations."""
    arrivals = _arrivals(callbacks)
    first = _stage_times(arrivals, statuses)
    reached = [s for s in STAGES if s in first]
    times = sorted(first[s] for s in reached)
    data: dict[str, Any] = {
        "version": 1,
        "name": f"recorded-{task_id}",
        "description": "",
        "stages": {stage: seconds(at) for stage, at in zip(reached, times, strict=True)},
    }
    notes: list[str] = []
    errors = arrivals.get("error")
    if errors:
        data["error"] = _error(errors[0], statuses, times, notes)
    delivery = _swapped(reached, arrivals) | _repeated(arrivals)
    if delivery:
        data["delivery"] = delivery
    data["payload"] = _looks(request, arrivals, media or {}, polled_tracks or [])
    status: str = reached[-1] if reached else "none"
    if statuses or errors:
        status = statuses[-1][1] if statuses else "error"
    data["description"] = (
        f"Recorded through suno-mock proxy: task {task_id} ({operation}, last seen: {status})"
        + "".join(f"; {note}" for note in notes)
        + "."
    )
    return data


def _arrivals(callbacks: list[Callback]) -> dict[str, list[Callback]]:
    """The callbacks of each type, in the order they arrived (untyped ones left out)."""
    arrivals: dict[str, list[Callback]] = {}
    for cb in callbacks:
        if cb.callback_type is not None:
            arrivals.setdefault(cb.callback_type, []).append(cb)
    return arrivals


def _stage_times(
    arrivals: Mapping[str, list[Callback]], statuses: list[tuple[float, str]]
) -> dict[str, float]:
    """When each stage was reached (seconds after the submit, to the millisecond below): its
    first callback, or the first record-info answer that showed it, whichever came first."""
    first = {kind: got[0].after for kind, got in arrivals.items()}
    for after, shown_status in statuses:
        stage = _STAGE_OF.get(shown_status)
        if stage is None:
            continue
        for implied in STAGES[: STAGES.index(stage) + 1]:
            # A later stage implies the earlier ones only when their callback was seen too
            # (a real task may skip a stage).
            if implied == stage or implied in arrivals:
                first[implied] = min(first.get(implied, after), after)
    return {s: math.floor(t * 1000) / 1000 for s, t in first.items() if s in STAGES}


def _error(
    error: Callback, statuses: list[tuple[float, str]], times: list[float], notes: list[str]
) -> dict[str, Any]:
    """The scenario's `error` block from the first error callback (a note when its code is not
    one a scenario can send)."""
    body = error.body if isinstance(error.body, dict) else {}
    code = body.get("code")
    if code not in CALLBACK_CODES:
        notes.append(f"the real error code {code!r} is not one a scenario can send: 500")
        code = 500
    failed = [s for _, s in statuses if s in FAILURE_STATUSES]
    inner = body.get("data")
    inner = inner if isinstance(inner, dict) else {}
    return {
        # Stages at or after the error are cut from a scenario: keep the seen ones.
        "after": seconds(max(error.after, times[-1] + 0.001 if times else 0.0)),
        "code": code,
        "msg": str(body.get("msg") or ""),
        "status": failed[-1] if failed else "GENERATE_AUDIO_FAILED",
        "data": "empty_list" if inner.get("data") == [] else "null",
    }


def _swapped(reached: Sequence[str], arrivals: Mapping[str, list[Callback]]) -> dict[str, Any]:
    """`swap` when callbacks came out of order (by arrival; the states never go backwards)."""
    arrived = [s for s in reached if s in arrivals]
    seen_order = sorted(arrived, key=lambda s: (arrivals[s][0].after, arrivals[s][0].seq))
    if seen_order == arrived:
        return {}
    out_of_place = [s for s, t in zip(arrived, seen_order, strict=True) if s != t]
    return {"swap": out_of_place[:2]}


def _repeated(arrivals: Mapping[str, list[Callback]]) -> dict[str, Any]:
    """`retry_delays` (the waits after refused attempts) and `duplicate` (a callback sent
    again after the client accepted it)."""
    retries: list[float] = []
    duplicates: list[str] = []
    for kind, got in arrivals.items():
        waits: list[float] = []
        for earlier, later in itertools.pairwise(got):
            if earlier.client_status != 200:
                waits.append(later.after - earlier.after)
            elif kind not in duplicates:
                duplicates.append(kind)
        if len(waits) > len(retries):
            retries = waits  # one policy for every callback: the longest walk seen
    repeated: dict[str, Any] = {}
    if retries:
        repeated["retry_delays"] = [seconds(r) for r in retries]
    if duplicates:
        repeated["duplicate"] = duplicates
    return repeated


def _looks(
    request: Any,
    arrivals: Mapping[str, list[Callback]],
    media: Mapping[str, Mapping[int, str]],
    polled: list[dict[str, Any]],
) -> dict[str, Any]:
    tracks: list[dict[str, Any]] = []
    for kind in ("complete", "first", "text"):
        if arrivals.get(kind) and (found := _tracks(arrivals[kind][-1].body)):
            tracks = found
            break
    polled = [_snake(t) for t in polled]
    tracks = tracks or polled
    looks: dict[str, Any] = {}
    model = _model(request, tracks)
    if model is not None:
        looks["model"] = model
    if tracks:
        head = tracks[0]
        for key, name in (("title", "title"), ("tags", "tags"), ("prompt", "lyrics")):
            if isinstance(head.get(key), str):
                looks[name] = head[key]
        looks["tracks"] = len(tracks)
        known: dict[int, float] = {}
        seen = [polled] + [_tracks(cb.body) for got in arrivals.values() for cb in got]
        for listed in seen:
            for i, track in enumerate(listed):
                duration = track.get("duration")
                if isinstance(duration, int | float) and not isinstance(duration, bool):
                    known[i] = duration
        durations: list[float] = []  # the tracks' from the first on, as far as known
        while len(durations) < len(tracks) and known.get(len(durations), 0) > 0:
            durations.append(known[len(durations)])
        if durations:
            looks["durations"] = durations
        created = head.get("createTime")
        looks["create_time"] = "string" if isinstance(created, str) else "epoch_ms"
    if arrivals.get("text"):
        looks["text_tracks"] = bool(_tracks(arrivals["text"][0].body))
    for kind, files in media.items():
        looks[kind] = [files[i] for i in sorted(files)]
    return looks
