"""Running a drift check: each recorded request sent again at its recorded time, then every
answer, callback and status walk compared by shape with the recorded one."""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections.abc import Collection
from pathlib import Path
from typing import Any

import aiohttp

from mock_server.capture import MUSIC_PATHS, RECORD_INFO_PATH, Callback, Exchange, Recording
from mock_server.drift.receiver import Arrival, IdMap, Receiver, callback_kind
from mock_server.drift.report import DriftReport, Finding
from mock_server.drift.shape import DEFAULT_ENUMS, Difference, compare, ignored
from mock_server.families.music.recording import scenario_yaml
from mock_server.http.guard import TOKEN_HEADER
from mock_server.server import MockServer

__all__ = ["drift"]

DRIFT_KEY = "Bearer suno-mock-drift"
ACCOUNT_CODES = frozenset({401, 405, 429, 430, 455, 500})
"""Submit answers about the account or the service, not the request: replayed as recorded."""
ACCOUNT_SCENARIOS = {429: "insufficient-credits", 430: "too-frequent", 455: "maintenance"}
"""Bundled scenarios that answer a submit as a refusing service does (for a running mock)."""
_SETTLE_SECONDS = 1.0
"""Mock seconds past the last recorded callback the clock is moved, so late ones arrive."""


class _Run:
    def __init__(
        self,
        recording: Recording,
        base: str,
        http: aiohttp.ClientSession,
        receiver: Receiver,
        server: MockServer | None,
        ignore: Collection[str],
        enums: Collection[str],
        scratch: Path,
    ) -> None:
        self.recording = recording
        self.scratch = scratch
        self.base = base
        self.http = http
        self.receiver = receiver
        self.server = server
        self.ignore = ignore
        self.enums = enums
        self.ids = IdMap()
        self.findings: list[Finding] = []
        self.actual: dict[int, tuple[int, Any]] = {}
        self.learnt: dict[int, int] = {}
        self.by_request: dict[int, list[Callback]] = {}
        for cb in recording.callbacks:
            self.by_request.setdefault(cb.request_seq, []).append(cb)

    def _add(self, file: str, subject: str, found: list[Difference]) -> None:
        self.findings.extend(Finding(file, subject, d) for d in found)

    async def pause(self, pause: bool) -> bool:
        """Pause or resume the mock's clock; whether it was paused before."""
        async with self.http.get(f"{self.base}/__mock__/clock") as resp:
            if resp.status != 200:
                raise RuntimeError(
                    f"{self.base}/__mock__/clock answered HTTP {resp.status}; "
                    "is it a suno-mock server?"
                )
            before = bool((await resp.json())["paused"])
        async with self.http.post(f"{self.base}/__mock__/clock", json={"pause": pause}):
            pass
        return before

    async def advance(self, seconds: float) -> None:
        if seconds <= 0:
            return
        async with self.http.post(
            f"{self.base}/__mock__/clock", json={"advance": round(seconds, 6)}
        ) as resp:
            if resp.status != 200:
                raise RuntimeError(
                    f"{self.base} did not move its clock (HTTP {resp.status}: "
                    f"{await resp.text()}); is it a suno-mock server?"
                )
        self.learn_callbacks()

    def learn_callbacks(self) -> None:
        for seq, arrivals in self.receiver.got.items():
            recorded = self.by_request.get(seq, [])
            for i in range(self.learnt.get(seq, 0), min(len(arrivals), len(recorded))):
                if callback_kind(arrivals[i].body) == callback_kind(
                    recorded[i].body, recorded[i].callback_type
                ):
                    self.ids.learn(recorded[i].body, arrivals[i].body)
            self.learnt[seq] = min(len(arrivals), len(recorded))

    def _account_answer(self, exchange: Exchange) -> Path | None:
        """A one-off scenario that answers a submit as the real service did when it refused
        it for reasons of the account or the service (key, credits, rate, maintenance), which
        no request can reproduce."""
        answer = exchange.response if isinstance(exchange.response, dict) else {}
        code = answer.get("code")
        if exchange.path not in MUSIC_PATHS or code not in ACCOUNT_CODES:
            return None
        path = self.scratch / f"answer-{exchange.seq}-{code}.yaml"
        api = {"respond": code, "msg": str(answer.get("msg") or ""), "times": 1}
        path.write_text(scenario_yaml({"version": 1, "api": api}, f"{exchange.file}"))
        return path

    async def _queue(self, scenario: Path) -> None:
        """Run the next task under `scenario`: by path in this process; a running mock's
        control plane takes names only, so it must serve the recording's scenarios folder
        (`--scenarios-dir DIR/scenarios`), and a refused submit maps to a bundled scenario."""
        if self.server is not None:
            self.server.next_task(scenario=str(scenario))
            return
        name = scenario.stem
        if scenario.parent == self.scratch:  # a one-off account answer: the bundled one
            name = ACCOUNT_SCENARIOS.get(int(name.rsplit("-", 1)[1]), name)
        async with self.http.post(f"{self.base}/__mock__/scenario", json={"next": name}) as resp:
            if resp.status != 200:
                raise RuntimeError(
                    f"{scenario}: the mock refused it: {await resp.text()} (start it with "
                    "--scenarios-dir pointing at the recording's scenarios folder)"
                )

    async def send(self, exchange: Exchange) -> None:
        scenario = None
        if exchange.task_id is not None and exchange.path in MUSIC_PATHS:
            scenario = self.recording.scenario_path(exchange.task_id)
        scenario = scenario or self._account_answer(exchange)
        if scenario is not None:
            await self._queue(scenario)
        headers = {"Authorization": DRIFT_KEY}
        content_type = exchange.headers.get("Content-Type") or exchange.headers.get("content-type")
        data: bytes | None = None
        if exchange.body is not None:
            body = self.ids.apply(exchange.body)
            if isinstance(body, dict) and isinstance(body.get("callBackUrl"), str):
                body["callBackUrl"] = self.receiver.url_for(exchange.seq)
                self.receiver.script[exchange.seq] = [
                    cb.client_status for cb in self.by_request.get(exchange.seq, [])
                ]
            data = json.dumps(body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        elif exchange.body_file is not None:
            data = self.recording.body_bytes(exchange)
            if content_type:
                headers["Content-Type"] = content_type
        async with self.http.request(
            exchange.method,
            self.base + exchange.path,
            params=self.ids.apply(exchange.query),
            data=data,
            headers=headers,
        ) as resp:
            status, raw = resp.status, await resp.read()
        try:
            answer: Any = json.loads(raw)
        except ValueError:
            answer = raw.decode("utf-8", errors="replace")
        self.actual[exchange.seq] = (status, answer)
        if scenario is not None and self.server is not None:
            self.server.engine.scenarios.clear_queue()  # unused if the mock made no task
        self.ids.learn(exchange.response, answer)
        subject = f"{exchange.method} {exchange.path}, answer"
        if status != exchange.status:
            self._add(
                exchange.file,
                subject,
                [Difference("HTTP status", "enum", str(exchange.status), str(status))],
            )
        self._add(exchange.file, subject, self._compare(exchange.response, answer))

    def _compare(self, recorded: Any, actual: Any) -> list[Difference]:
        return compare(recorded, actual, enums=self.enums, ignore=self.ignore)

    def compare_callbacks(self) -> None:
        for seq, recorded in self.by_request.items():
            arrivals = self.receiver.got.get(seq, [])
            task = recorded[0].task_id or f"request {seq}"
            want = [callback_kind(c.body, c.callback_type) for c in recorded]
            got = [callback_kind(a.body) for a in arrivals]
            if want != got and not ignored("callbacks", self.ignore):
                self._add(
                    recorded[0].file,
                    f"callbacks of task {task}",
                    [Difference("callback order", "order", ", ".join(want), ", ".join(got))],
                )
            # Each callback is held against the mock's of the same type and occurrence, so a
            # missing or extra one shows once, in the order above.
            pending: dict[str, list[Arrival]] = {}
            for arrival in arrivals:
                pending.setdefault(callback_kind(arrival.body), []).append(arrival)
            for i, cb in enumerate(recorded):
                same = pending.get(callback_kind(cb.body, cb.callback_type))
                if not same:
                    continue
                arrival = same.pop(0)
                if cb.body is None and arrival.body is None:
                    continue  # both malformed
                subject = f"task {task}, callback {i + 1}: {cb.callback_type}"
                self._add(cb.file, subject, self._compare(cb.body, arrival.body))

    def compare_walks(self) -> None:
        submits = {e.task_id: e for e in self.recording.exchanges if e.task_id}
        walks: dict[str, tuple[list[str], list[str], str]] = {}
        for exchange in self.recording.exchanges:
            task_id = exchange.query.get("taskId")
            if exchange.path != RECORD_INFO_PATH or task_id not in submits:
                continue
            want, got, _ = walks.setdefault(task_id, ([], [], exchange.file))
            _, answer = self.actual.get(exchange.seq, (0, None))
            _step(want, _status(exchange.response))
            _step(got, _status(answer))
        for task_id, (want, got, file) in walks.items():
            if want != got and not ignored("status walk", self.ignore):
                self._add(
                    file,
                    f"record-info of task {task_id}",
                    [Difference("status walk", "order", " -> ".join(want), " -> ".join(got))],
                )


def _status(answer: Any) -> str:
    data = answer.get("data") if isinstance(answer, dict) else None
    status = data.get("status") if isinstance(data, dict) else None
    return status if isinstance(status, str) else "?"


def _step(walk: list[str], status: str) -> None:
    if not walk or walk[-1] != status:
        walk.append(status)


async def _replay(run: _Run, recording: Recording, *, wait: float) -> None:
    """Requests and callbacks in their recorded order, each at its recorded time: the clock is
    moved to each callback's time in turn (and, for a mock whose deliveries run on their own,
    its arrival awaited) so deliveries due close together still come in the real order."""
    events: list[tuple[int, float, Exchange | Callback]] = [
        (e.seq, e.at, e) for e in recording.exchanges
    ] + [(c.seq, c.at, c) for c in recording.callbacks]
    now = 0.0
    count: dict[int, int] = {}
    for _, at, event in sorted(events, key=lambda e: e[0]):
        await run.advance(at - now)
        now = max(now, at)
        if isinstance(event, Exchange):
            await run.send(event)
        else:
            count[event.request_seq] = count.get(event.request_seq, 0) + 1
            await run.receiver.wait_for(event.request_seq, count[event.request_seq], wait)
            run.learn_callbacks()
    await run.advance(_SETTLE_SECONDS)
    for seq, callbacks in run.by_request.items():
        await run.receiver.wait_for(seq, len(callbacks), wait)


async def drift(
    recording: Recording,
    *,
    against: str | None = None,
    control_token: str | None = None,
    ignore: Collection[str] = (),
    enums: Collection[str] = DEFAULT_ENUMS,
    wait: float = 5.0,
) -> DriftReport:
    """Replay `recording` against a mock (`against` URL, or a fresh one in this process).

    `wait`: real seconds to wait for each of a remote mock's callbacks to arrive once it is
    due (a fresh mock's manual clock delivers them before moving on). A running mock's clock
    is paused for the replay (and resumed after, if it was running)."""
    async with contextlib.AsyncExitStack() as stack:
        server = None
        if against is None:
            server = await stack.enter_async_context(MockServer())
        base = (against or (server.url if server else "")).rstrip("/")
        receiver = await stack.enter_async_context(Receiver())
        headers = {TOKEN_HEADER: control_token} if control_token else {}
        http = await stack.enter_async_context(aiohttp.ClientSession(headers=headers))
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="suno-drift-")))
        run = _Run(recording, base, http, receiver, server, ignore, enums, scratch)
        was_paused = await run.pause(True)
        try:
            await _replay(run, recording, wait=wait if against is not None else 0.0)
        finally:
            if not was_paused:
                await run.pause(False)
        run.compare_callbacks()
        run.compare_walks()
    return DriftReport(
        recording=str(recording.folder),
        against=against or "a fresh in-process mock",
        requests=len(recording.exchanges),
        callbacks=len(recording.callbacks),
        findings=run.findings,
    )
