"""`Recorder`: writes a recording as the proxy sees it happen."""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mock_server.capture.folder import (
    MUSIC_PATHS,
    RECORD_INFO_PATH,
    TASK_LIMIT,
    Callback,
    Exchange,
    bounded,
    callback_task_id,
    decode,
    load_recording,
    safe_name,
)
from mock_server.capture.observed import observed_scenario
from mock_server.capture.redact import Redactor
from mock_server.families.music.recording import scenario_yaml

__all__ = ["Recorder"]


def _slug(path: str) -> str:
    tail = path.removeprefix("/api/v1/").removeprefix("/api/").strip("/")
    return re.sub(r"[^A-Za-z0-9]+", "-", tail).strip("-")[:_SLUG_LIMIT].strip("-") or "root"


_SLUG_LIMIT = 60
"""Characters of the API path in a fixture's file name (a path may be longer than a file
name may be)."""


def _content_type(headers: Mapping[str, str]) -> str:
    return next((v for k, v in headers.items() if k.lower() == "content-type"), "")


def json_text(data: Any) -> str:
    """JSON as written to a fixture: readable UTF-8, and valid even when a string holds a lone
    UTF-16 surrogate (a `\\ud800` escape in what was received), which is then kept escaped."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    try:
        text.encode()
    except UnicodeEncodeError:
        text = json.dumps(data, ensure_ascii=True, indent=2)
    return text + "\n"


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


class Recorder:
    """Writes a recording as it happens: a fixture per request and per callback, and each
    music task's scenario, rewritten whenever something new is known about the task."""

    def __init__(self, folder: Path, *, upstream: str, redact: Collection[str] = ()) -> None:
        self.folder = folder
        self.upstream = Redactor().url(upstream)
        """The upstream's URL as written in scenario comments (a password in it blanked)."""
        self.redactor = Redactor(redact)
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
        (self.folder / relative).write_text(json_text(self.redactor.scrub(data)), encoding="utf-8")

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
        hide = self.redactor
        # The request's secrets are met first, so the answer and the files are scrubbed of them.
        headers, query = hide.headers(headers), hide.query(query)
        body = decode(raw_body) if raw_body else None
        shown_body = hide.json(body)
        body_file = None
        if raw_body and body is None:
            body_file = f"requests/{seq:04d}-body.bin"
            form = hide.form(raw_body, _content_type(headers))
            (self.folder / body_file).write_bytes(hide.scrub_bytes(form))
        response = decode(raw_response)
        if response is None and raw_response:
            response = raw_response.decode("utf-8", errors="replace")
        shown_response = hide.json(response)
        task_id = None
        if isinstance(response, dict) and isinstance(response.get("data"), dict):
            found = response["data"].get("taskId")
            task_id = found if isinstance(found, str) and method == "POST" else None
        exchange = Exchange(
            seq=seq, at=at, method=method, path=path,
            query=query, headers=headers, body=shown_body, body_file=body_file, status=status,
            response=shown_response, task_id=task_id,
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
        if path == RECORD_INFO_PATH and isinstance(shown_response, dict):
            self._polled(query.get("taskId", ""), shown_response, at)
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
        raw = None
        body = decode(raw_body)
        if body is None:  # a malformed callback, kept as text
            raw = self.redactor.form(raw_body, _content_type(headers)).decode(errors="replace")
        headers = self.redactor.headers(headers)
        submit = self._exchanges.get(request_seq)
        task_id = callback_task_id(body) or (submit.task_id if submit else None)
        kind = None
        if isinstance(body, dict) and isinstance(body.get("data"), dict):
            found = body["data"].get("callbackType")
            kind = found if isinstance(found, str) else None
        callback = Callback(
            seq=seq, at=at, after=at - submit_at, task_id=task_id,
            callback_type=kind, request_seq=request_seq,
            headers=headers, body=self.redactor.json(body),
            raw=raw, client_status=client_status,
            file=f"callbacks/{seq:04d}-{safe_name(task_id or 'unknown')}-"
                 f"{safe_name(kind or 'x')}.json",
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
        return (
            self.folder / "scenarios" / "files" / safe_name(task_id) / f"{index + 1}-{kind}{suffix}"
        )

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
        path = self.folder / "scenarios" / f"{safe_name(task_id)}.yaml"
        text = scenario_yaml(self.redactor.scrub(data), self.redactor.scrub(header))
        path.write_text(text, encoding="utf-8")
