"""A recording folder's fixtures (`Exchange`, `Callback`), what may be written into them
(no credentials, `--redact` fields blanked) and reading the folder back (`load_recording`)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

__all__ = [
    "MUSIC_PATHS",
    "RECORD_INFO_PATH",
    "TASK_LIMIT",
    "Callback",
    "Exchange",
    "Recording",
    "RecordingError",
    "bounded",
    "callback_task_id",
    "decode",
    "load_recording",
    "recorded_headers",
    "redacted",
    "safe_name",
]

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


def decode(raw: bytes) -> Any:
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


def _slug(path: str) -> str:
    tail = path.removeprefix("/api/v1/").removeprefix("/api/").strip("/")
    return re.sub(r"[^A-Za-z0-9]+", "-", tail).strip("-") or "root"


def safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:80] or "_"


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
        path = self.folder / "scenarios" / f"{safe_name(task_id)}.yaml"
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
