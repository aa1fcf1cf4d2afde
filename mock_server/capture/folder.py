"""A recording folder's fixtures (`Exchange`, `Callback`), what may be written into them
and reading the folder back (`load_recording`), which reads only files inside the folder."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
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
    "media_urls",
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
_MEDIA = (("audio_url", "audio", ".mp3"), ("image_url", "images", ".jpeg"))
_MEDIA_CAMEL = (("audioUrl", "audio", ".mp3"), ("imageUrl", "images", ".jpeg"))


class RecordingError(ValueError):
    """A recording folder that cannot be read; the message names the file."""


TASK_LIMIT = 100_000
"""Tasks (and submits) a recorder keeps in memory; older ones get no more scenario updates."""


def bounded(store: dict[Any, Any], limit: int) -> None:
    """Forget the oldest entries of `store` beyond `limit` (dicts keep insertion order)."""
    while len(store) > limit:
        del store[next(iter(store))]


def decode(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than Python goes
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


MAX_SECONDS = 10 * 365 * 86400.0
"""The latest time a recording may name (ten years): replays move a clock that far."""
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _seconds(data: dict[str, Any], key: str) -> float:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{key}: expected seconds (a number), got {value!r:.60}")
    if not 0 <= value <= MAX_SECONDS:  # also false for NaN
        raise ValueError(f"{key}: expected seconds from 0 to {MAX_SECONDS:g}, got {value!r}")
    return float(value)


def _method(value: Any) -> str:
    if value not in _METHODS:
        raise ValueError(
            f"method: expected one of {', '.join(sorted(_METHODS))}, got {value!r:.60}"
        )
    return str(value)


def _texts(data: dict[str, Any], key: str) -> dict[str, str]:
    value = data.get(key) or {}
    if not isinstance(value, dict) or not all(
        isinstance(v, str) and v.isprintable() for v in value.values()
    ):
        raise ValueError(f"{key}: expected an object of names to one-line texts")
    return value


def _status(data: dict[str, Any]) -> int | None:
    value = data.get("clientStatus")
    if value is not None and (not isinstance(value, int) or not 100 <= value <= 599):
        raise ValueError(f"clientStatus: expected an HTTP status or null, got {value!r:.60}")
    return value


def _api_path(value: Any) -> str:
    """A path the proxy recorded: under /api/, so a replay never leaves the mock's host."""
    if not isinstance(value, str) or not value.startswith("/api/") or not value.isprintable():
        raise ValueError(f"path: expected a path starting with /api/, got {value!r:.80}")
    return value


def media_urls(body: Any) -> Iterable[tuple[str | None, int, str, str, str]]:
    """(task id, track index, kind, suffix, url) of every audio/image URL in a payload."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        return
    data = body["data"]
    task_id = callback_task_id(body)
    lists = [(data.get("data"), _MEDIA)]
    response = data.get("response")
    if isinstance(response, dict):
        lists.append((response.get("sunoData"), _MEDIA_CAMEL))
    for items, keys in lists:
        for index, track in enumerate(items if isinstance(items, list) else []):
            if not isinstance(track, dict):
                continue
            for key, kind, suffix in keys:
                url = track.get(key)
                if isinstance(url, str) and url.startswith(("http://", "https://")):
                    yield task_id, index, kind, suffix, url


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
            seq=int(data["seq"]), at=_seconds(data, "at"), method=_method(data["method"]),
            path=_api_path(data["path"]), query=_texts(data, "query"),
            headers=_texts(data, "headers"), body=data.get("body"),
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
            seq=int(data["seq"]), at=_seconds(data, "at"), after=_seconds(data, "after"),
            task_id=data.get("taskId"), callback_type=data.get("callbackType"),
            request_seq=int(data["requestSeq"]), headers=_texts(data, "headers"),
            body=data.get("body"), raw=data.get("raw"), client_status=_status(data),
            file=file,
        )  # fmt: skip


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
        what = f"{exchange.file}: bodyFile"
        path = _small(inside(self.folder, exchange.body_file, what), what)
        try:
            return path.read_bytes()
        except OSError as err:
            raise RecordingError(f"{exchange.file}: bodyFile: cannot read: {err}") from err

    def scenario_path(self, task_id: str) -> Path | None:
        relative = f"scenarios/{safe_name(task_id)}.yaml"
        if not (self.folder / relative).exists():
            return None
        return inside(self.folder, relative, f"task {safe_name(task_id)}: scenario")


def inside(folder: Path, relative: object, what: str) -> Path:
    """The existing file `relative` names inside `folder` (the recording), or a
    `RecordingError`: a recording may be hand-edited, and only its own files are read."""
    if not isinstance(relative, str) or not relative:
        raise RecordingError(f"{what}: expected a path inside the recording, got {relative!r}")
    given = Path(relative)
    if given.is_absolute() or given.drive or ".." in given.parts:
        raise RecordingError(
            f"{what}: {relative[:200]!r} is not a relative path inside the recording; "
            f"only files under {folder} are read"
        )
    root = folder.resolve()
    try:
        target = (root / given).resolve(strict=True)
    except (OSError, RuntimeError) as err:
        raise RecordingError(f"{what}: {relative[:200]!r} does not exist in {folder}") from err
    if not target.is_relative_to(root):
        raise RecordingError(
            f"{what}: {relative[:200]!r} leads outside the recording (a link); "
            f"only files under {folder} are read"
        )
    if not target.is_file():
        raise RecordingError(f"{what}: {relative[:200]!r} is not a file")
    return target


FILE_LIMIT = 256 * 1024 * 1024
"""Bytes of one fixture or body file read back (the proxy records answers up to 64 MiB and
bodies up to 200 MiB)."""


def _small(path: Path, what: str) -> Path:
    size = path.stat().st_size
    if size > FILE_LIMIT:
        raise RecordingError(f"{what}: {size} bytes is larger than {FILE_LIMIT} bytes")
    return path


def _read(path: Path, folder: Path) -> dict[str, Any]:
    label = path.relative_to(folder).as_posix()
    _small(inside(folder, label, label), label)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as err:
        raise RecordingError(f"{path}: cannot read: {err}") from err
    if not isinstance(data, dict):
        raise RecordingError(f"{path}: expected a JSON object")
    data["_file"] = label
    return data


def _parsed(build: Callable[[dict[str, Any], str], T], data: dict[str, Any]) -> T:
    try:
        return build(data, data["_file"])
    except KeyError as err:
        raise RecordingError(f"{data['_file']}: missing field {err}") from err
    except (TypeError, ValueError) as err:
        raise RecordingError(f"{data['_file']}: wrong field: {err}") from err


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
        exchange = _parsed(Exchange.from_json, data)
        if exchange.body_file is not None:
            what = f"{exchange.file}: bodyFile"
            _small(inside(root, exchange.body_file, what), what)
        exchanges.append(exchange)
    for path in sorted((root / "callbacks").glob("*.json")):
        data = _read(path, root)
        callbacks.append(_parsed(Callback.from_json, data))
    exchanges.sort(key=lambda e: e.seq)
    callbacks.sort(key=lambda c: c.seq)
    return Recording(root, exchanges, callbacks)
