"""A recording of the real service, as `suno-mock proxy --record DIR` writes it and
`suno-mock drift DIR` reads it back.

    DIR/requests/0001-generate.json            one request and the answer it got
    DIR/callbacks/0004-<taskId>-text.json      one callback as it arrived, and the client's status
    DIR/requests/0007-body.bin                 a request body that is not JSON (multipart upload)
    DIR/scenarios/<taskId>.yaml                one scenario per music task (`check`, `serve`,
                                               `replay` take it)
    DIR/scenarios/files/<taskId>/1-audio.mp3   the real media (`--download-files`)

Times are seconds: `at` since the recording started, a callback's `after` since its task's
submit. Credentials never reach the disk: Authorization, cookies, signatures and anything that
looks like a key or token are left out of the headers, and `--redact FIELD` blanks more.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from mock_server.catalog import CHIRP_NAMES, MODELS, STAGES
from mock_server.recording import scenario_yaml, seconds
from mock_server.scenario import CALLBACK_CODES, FAILURE_STATUSES

__all__ = [
    "MUSIC_PATHS",
    "RECORD_INFO_PATH",
    "TASK_LIMIT",
    "Callback",
    "Exchange",
    "Recorder",
    "Recording",
    "RecordingError",
    "bounded",
    "callback_task_id",
    "load_recording",
    "observed_scenario",
    "recorded_headers",
    "redacted",
]

log = logging.getLogger(__name__)
T = TypeVar("T")

MUSIC_PATHS: dict[str, str] = {
    "/api/v1/generate": "generate",
    "/api/v1/generate/extend": "extend",
    "/api/v1/generate/upload-cover": "upload_cover",
    "/api/v1/generate/upload-extend": "upload_extend",
    "/api/v1/generate/add-instrumental": "add_instrumental",
    "/api/v1/generate/add-vocals": "add_vocals",
    "/api/v1/generate/replace-section": "replace_section",
    "/api/v1/generate/mashup": "mashup",
}
"""Submit endpoints of music tasks (the ones a scenario describes) and their operation."""

RECORD_INFO_PATH = "/api/v1/generate/record-info"
_SECRET = re.compile(r"authorization|cookie|signature|token|secret|api-?key|password", re.I)
_HOP = frozenset(
    {"host", "content-length", "connection", "keep-alive", "transfer-encoding", "upgrade", "te"}
)


class RecordingError(ValueError):
    """A recording folder that cannot be read; the message names the file."""


def recorded_headers(headers: Mapping[str, str], redact: Collection[str] = ()) -> dict[str, str]:
    """Headers safe to write down: no credentials, no signatures, no hop-by-hop headers."""
    drop = {name.lower() for name in redact}
    return {
        name: value
        for name, value in headers.items()
        if name.lower() not in _HOP and name.lower() not in drop and not _SECRET.search(name)
    }


TASK_LIMIT = 100_000
"""Tasks (and submits) a recorder keeps in memory; older ones get no more scenario updates."""


def bounded(store: dict[Any, Any], limit: int) -> None:
    """Forget the oldest entries of `store` beyond `limit` (dicts keep insertion order)."""
    while len(store) > limit:
        del store[next(iter(store))]


def _blank(item: Any) -> Any:
    if isinstance(item, bool):
        return False
    if isinstance(item, int | float):
        return 0
    if isinstance(item, str):
        return "<redacted>"
    return type(item)() if isinstance(item, list | dict) else None


def redacted(value: Any, fields: Collection[str]) -> Any:
    """`value` with every key in `fields` blanked (same JSON type, so shapes still compare)."""
    if not fields:
        return value
    if isinstance(value, dict):
        return {
            key: _blank(item) if key in fields else redacted(item, fields)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redacted(item, fields) for item in value]
    return value


def _decode(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def callback_task_id(body: Any) -> str | None:
    """The task id a callback body names (`data.task_id`, `data.taskId` or `task_id`)."""
    if not isinstance(body, dict):
        return None
    data = body.get("data")
    for holder in (data, body):
        if isinstance(holder, dict):
            for key in ("task_id", "taskId"):
                if isinstance(holder.get(key), str):
                    return str(holder[key])
    return None


@dataclass
class Exchange:
    """One API request through the proxy and the upstream's answer."""

    seq: int
    at: float
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    """The client's JSON body as sent (its own callBackUrl), else None."""
    body_file: str | None
    """A body that is not JSON, stored beside the fixture (path relative to the recording)."""
    status: int
    response: Any
    task_id: str | None = None
    file: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq, "at": round(self.at, 6), "method": self.method, "path": self.path,
            "query": self.query, "headers": self.headers, "body": self.body,
            "bodyFile": self.body_file, "status": self.status, "response": self.response,
            "taskId": self.task_id,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any], file: str) -> Exchange:
        return cls(
            seq=int(data["seq"]), at=float(data["at"]), method=str(data["method"]),
            path=str(data["path"]), query=dict(data.get("query") or {}),
            headers=dict(data.get("headers") or {}), body=data.get("body"),
            body_file=data.get("bodyFile"), status=int(data["status"]),
            response=data.get("response"), task_id=data.get("taskId"), file=file,
        )  # fmt: skip


@dataclass
class Callback:
    """One callback the upstream sent, as it arrived, and what the client answered."""

    seq: int
    at: float
    after: float
    """Seconds after its task's submit."""
    task_id: str | None
    callback_type: str | None
    request_seq: int
    """The submit request whose callBackUrl it went to."""
    headers: dict[str, str]
    body: Any
    raw: str | None
    """The body as text when it was not JSON (a malformed callback)."""
    client_status: int | None
    """The client's HTTP status (None: it could not be reached)."""
    file: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq, "at": round(self.at, 6), "after": round(self.after, 6),
            "taskId": self.task_id, "callbackType": self.callback_type,
            "requestSeq": self.request_seq, "headers": self.headers, "body": self.body,
            "raw": self.raw, "clientStatus": self.client_status,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any], file: str) -> Callback:
        return cls(
            seq=int(data["seq"]), at=float(data["at"]), after=float(data["after"]),
            task_id=data.get("taskId"), callback_type=data.get("callbackType"),
            request_seq=int(data["requestSeq"]), headers=dict(data.get("headers") or {}),
            body=data.get("body"), raw=data.get("raw"), client_status=data.get("clientStatus"),
            file=file,
        )  # fmt: skip


@dataclass
class _TaskLog:
    submit: Exchange
    callbacks: list[Callback] = field(default_factory=list)
    statuses: list[tuple[float, str]] = field(default_factory=list)
    """record-info answers: (seconds after the submit, status)."""
    polled_tracks: list[dict[str, Any]] = field(default_factory=list)
    """The tracks of the latest record-info answer that had some."""
    media: dict[str, dict[int, str]] = field(default_factory=dict)
    """Downloaded files: kind (audio, images) -> track index -> path under scenarios/."""


def _slug(path: str) -> str:
    tail = path.removeprefix("/api/v1/").removeprefix("/api/").strip("/")
    return re.sub(r"[^A-Za-z0-9]+", "-", tail).strip("-") or "root"


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:80] or "_"


class Recorder:
    """Writes a recording as it happens: a fixture per request and per callback, and each
    music task's scenario, rewritten whenever something new is known about the task."""

    def __init__(self, folder: Path, *, upstream: str, redact: Collection[str] = ()) -> None:
        self.folder = folder
        self.upstream = upstream
        self.redact = frozenset(redact)
        self._seq = 0
        self.offset = 0.0
        """Added to every time: a folder that already holds a recording is continued (numbers
        and times go on after its last fixture), never overwritten."""
        self._tasks: dict[str, _TaskLog] = {}
        self._exchanges: dict[int, Exchange] = {}
        self._early: dict[int, list[Callback]] = {}
        """Callbacks that came before their submit's answer, by the submit's number."""
        if (folder / "requests").is_dir():
            earlier = load_recording(folder)
            times = [(e.seq, e.at) for e in earlier.exchanges]
            times += [(c.seq, c.at) for c in earlier.callbacks]
            self._seq = max((seq for seq, _ in times), default=0)
            self.offset = max((at + 1.0 for _, at in times), default=0.0)
        for sub in ("requests", "callbacks", "scenarios"):
            (folder / sub).mkdir(parents=True, exist_ok=True)

    def _next(self) -> int:
        self._seq += 1
        return self._seq

    def _write(self, relative: str, data: Any) -> None:
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        (self.folder / relative).write_text(text, encoding="utf-8")

    def exchange(
        self,
        *,
        at: float,
        method: str,
        path: str,
        query: Mapping[str, str],
        headers: Mapping[str, str],
        raw_body: bytes,
        status: int,
        raw_response: bytes,
        seq: int | None = None,
    ) -> Exchange:
        """Write one request/answer pair; a submit that made a task starts that task's log.
        `seq`: the number `reserve()` gave the request when it arrived."""
        seq, at = seq or self._next(), at + self.offset
        body = _decode(raw_body) if raw_body else None
        body_file = None
        if raw_body and body is None:
            body_file = f"requests/{seq:04d}-body.bin"
            (self.folder / body_file).write_bytes(raw_body)
        response = _decode(raw_response)
        if response is None and raw_response:
            response = raw_response.decode("utf-8", errors="replace")
        task_id = None
        if isinstance(response, dict) and isinstance(response.get("data"), dict):
            found = response["data"].get("taskId")
            task_id = found if isinstance(found, str) and method == "POST" else None
        exchange = Exchange(
            seq=seq, at=at, method=method, path=path,
            query={k: v for k, v in query.items() if k not in self.redact},
            headers=recorded_headers(headers, self.redact),
            body=redacted(body, self.redact), body_file=body_file, status=status,
            response=redacted(response, self.redact), task_id=task_id,
            file=f"requests/{seq:04d}-{_slug(path)}.json",
        )  # fmt: skip
        self._write(exchange.file, exchange.to_json())
        if task_id is not None or (isinstance(body, dict) and "callBackUrl" in body):
            self._exchanges[seq] = exchange  # callbacks are matched to their submit
            bounded(self._exchanges, TASK_LIMIT)
        if task_id is not None:
            log_ = self._tasks[task_id] = _TaskLog(exchange)
            bounded(self._tasks, TASK_LIMIT)
            log_.callbacks.extend(self._early.pop(seq, []))
            if log_.callbacks:
                self._write_scenario(task_id)
        if path == RECORD_INFO_PATH and isinstance(response, dict):
            self._polled(query.get("taskId", ""), response, at)
        return exchange

    def _polled(self, task_id: str, response: dict[str, Any], at: float) -> None:
        log_ = self._tasks.get(task_id)
        data = response.get("data")
        if log_ is None or not isinstance(data, dict) or not isinstance(data.get("status"), str):
            return
        log_.statuses.append((at - log_.submit.at, data["status"]))
        found = data.get("response")
        items = found.get("sunoData") if isinstance(found, dict) else None
        if isinstance(items, list) and items:
            log_.polled_tracks = [t for t in items if isinstance(t, dict)]
        self._write_scenario(task_id)

    def reserve(self) -> int:
        """A number for a request now, so callbacks that come before its answer can name it."""
        return self._next()

    def callback(
        self,
        *,
        at: float,
        request_seq: int,
        submit_at: float,
        headers: Mapping[str, str],
        raw_body: bytes,
        client_status: int | None,
    ) -> Callback:
        """Write one callback (`submit_at`: when its submit arrived); its task's scenario is
        rewritten, or, before the submit's answer is known, once it is."""
        seq, at, submit_at = self._next(), at + self.offset, submit_at + self.offset
        body = _decode(raw_body)
        submit = self._exchanges.get(request_seq)
        task_id = callback_task_id(body) or (submit.task_id if submit else None)
        kind = None
        if isinstance(body, dict) and isinstance(body.get("data"), dict):
            found = body["data"].get("callbackType")
            kind = found if isinstance(found, str) else None
        callback = Callback(
            seq=seq, at=at, after=at - submit_at, task_id=task_id,
            callback_type=kind, request_seq=request_seq,
            headers=recorded_headers(headers, self.redact), body=redacted(body, self.redact),
            raw=None if body is not None else raw_body.decode("utf-8", errors="replace"),
            client_status=client_status,
            file=f"callbacks/{seq:04d}-{_safe(task_id or 'unknown')}-{_safe(kind or 'x')}.json",
        )  # fmt: skip
        self._write(callback.file, callback.to_json())
        log_ = self._tasks.get(task_id or "")
        if log_ is None and submit is not None and task_id is not None:
            log_ = self._tasks[task_id] = _TaskLog(submit)
        if log_ is not None:
            log_.callbacks.append(callback)
            self._write_scenario(task_id or "")
        elif submit is None:
            self._early.setdefault(request_seq, []).append(callback)
            bounded(self._early, TASK_LIMIT)
        return callback

    def media_path(self, task_id: str, index: int, kind: str, suffix: str) -> Path:
        """Where a downloaded file of a task's track goes (under scenarios/files/)."""
        return self.folder / "scenarios" / "files" / _safe(task_id) / f"{index + 1}-{kind}{suffix}"

    def media_saved(self, task_id: str, index: int, kind: str, path: Path) -> None:
        """A file was downloaded: the scenario serves it for that track from now on."""
        log_ = self._tasks.get(task_id)
        if log_ is not None:
            relative = path.relative_to(self.folder / "scenarios").as_posix()
            log_.media.setdefault(kind, {})[index] = relative
            self._write_scenario(task_id)

    def _write_scenario(self, task_id: str) -> None:
        log_ = self._tasks[task_id]
        operation = MUSIC_PATHS.get(log_.submit.path)
        if operation is None:
            return  # lyrics, WAV, stems, video, cover, MIDI: fixtures only
        data = observed_scenario(
            task_id,
            operation,
            log_.submit.body,
            log_.callbacks,
            log_.statuses,
            log_.media,
            log_.polled_tracks,
        )
        header = (
            f"suno-mock proxy: task {task_id} as {self.upstream} ran it; "
            "`suno-mock replay FILE --to URL` or `serve --scenarios-dir DIR --scenario NAME`"
        )
        path = self.folder / "scenarios" / f"{_safe(task_id)}.yaml"
        path.write_text(scenario_yaml(data, header), encoding="utf-8")


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
    first: dict[str, float] = {}
    arrivals: dict[str, list[Callback]] = {}
    for cb in callbacks:
        if cb.callback_type is None:
            continue
        arrivals.setdefault(cb.callback_type, []).append(cb)
        first.setdefault(cb.callback_type, cb.after)
    for after, shown_status in statuses:
        stage = _STAGE_OF.get(shown_status)
        if stage is None:
            continue
        shown = STAGES[: STAGES.index(stage) + 1]
        for implied in shown:
            # A later stage implies the earlier ones only when their callback was seen too
            # (a real task may skip a stage).
            if implied == stage or implied in arrivals:
                first[implied] = min(first.get(implied, after), after)
    first = {s: math.floor(t * 1000) / 1000 for s, t in first.items() if s in STAGES}
    reached = [s for s in STAGES if s in first]
    delivery: dict[str, Any] = {}
    # Callbacks out of order (by arrival; the states themselves never go backwards).
    arrived = [s for s in reached if s in arrivals]
    seen_order = sorted(arrived, key=lambda s: (arrivals[s][0].after, arrivals[s][0].seq))
    if seen_order != arrived:
        out_of_place = [s for s, t in zip(arrived, seen_order, strict=True) if s != t]
        delivery["swap"] = out_of_place[:2]
    times = sorted(first[s] for s in reached)
    data: dict[str, Any] = {
        "version": 1,
        "name": f"recorded-{task_id}",
        "description": "",
        "stages": {stage: seconds(at) for stage, at in zip(reached, times, strict=True)},
    }
    notes: list[str] = []
    error = arrivals.get("error")
    if error:
        body = error[0].body if isinstance(error[0].body, dict) else {}
        code = body.get("code")
        if code not in CALLBACK_CODES:
            notes.append(f"the real error code {code!r} is not one a scenario can send: 500")
            code = 500
        failed = [s for _, s in statuses if s in FAILURE_STATUSES]
        inner = body.get("data")
        inner = inner if isinstance(inner, dict) else {}
        data["error"] = {
            # Stages at or after the error are cut from a scenario: keep the seen ones.
            "after": seconds(max(error[0].after, times[-1] + 0.001 if times else 0.0)),
            "code": code,
            "msg": str(body.get("msg") or ""),
            "status": failed[-1] if failed else "GENERATE_AUDIO_FAILED",
            "data": "empty_list" if inner.get("data") == [] else "null",
        }
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
    if retries:
        delivery["retry_delays"] = [seconds(r) for r in retries]
    if duplicates:
        delivery["duplicate"] = duplicates
    if delivery:
        data["delivery"] = delivery
    data["payload"] = _looks(request, arrivals, media or {}, polled_tracks or [])
    status: str = reached[-1] if reached else "none"
    if statuses or error:
        status = statuses[-1][1] if statuses else "error"
    data["description"] = (
        f"Recorded through suno-mock proxy: task {task_id} ({operation}, last seen: {status})"
        + "".join(f"; {note}" for note in notes)
        + "."
    )
    return data


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


@dataclass
class Recording:
    """A recording read back from its folder."""

    folder: Path
    exchanges: list[Exchange]
    callbacks: list[Callback]

    def body_bytes(self, exchange: Exchange) -> bytes:
        if exchange.body_file is None:
            return b""
        return (self.folder / exchange.body_file).read_bytes()

    def scenario_path(self, task_id: str) -> Path | None:
        path = self.folder / "scenarios" / f"{_safe(task_id)}.yaml"
        return path if path.exists() else None


def _read(path: Path, folder: Path) -> dict[str, Any]:
    label = path.relative_to(folder).as_posix()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise RecordingError(f"{path}: cannot read: {err}") from err
    if not isinstance(data, dict):
        raise RecordingError(f"{path}: expected a JSON object")
    data["_file"] = label
    return data


def _parsed(build: Callable[[dict[str, Any], str], T], data: dict[str, Any]) -> T:
    try:
        return build(data, data["_file"])
    except (KeyError, TypeError, ValueError) as err:
        raise RecordingError(f"{data['_file']}: missing or wrong field: {err!r}") from err


def load_recording(folder: str | Path) -> Recording:
    """Read a recording folder; `RecordingError` names the file that is wrong."""
    root = Path(folder)
    if not (root / "requests").is_dir():
        raise RecordingError(f"{root}: not a recording (no requests/ folder); make one with "
                             "`suno-mock proxy --upstream URL --record DIR`")  # fmt: skip
    exchanges: list[Exchange] = []
    callbacks: list[Callback] = []
    for path in sorted((root / "requests").glob("*.json")):
        data = _read(path, root)
        exchanges.append(_parsed(Exchange.from_json, data))
    for path in sorted((root / "callbacks").glob("*.json")):
        data = _read(path, root)
        callbacks.append(_parsed(Callback.from_json, data))
    exchanges.sort(key=lambda e: e.seq)
    callbacks.sort(key=lambda c: c.seq)
    return Recording(root, exchanges, callbacks)
