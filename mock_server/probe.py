"""`suno-mock probe`: a conformance report for a client's own callback endpoint.

A named battery of realistic callbacks is fired at one URL, one at a time, and each answer is
judged against what the provider's docs ask of every receiver: answer 200 within 15 s, treat the
same callback idempotently, take text -> first -> complete in any order, never fail on a field or
a callback it did not expect, refuse a badly signed callback (when signing is on).

Payloads come from the server's own builders (`stage_callback`, `error_callback`, `job_callback`,
tracks from the seeded `TrackFactory`, error messages from the bundled scenarios), so the same seed
gives the same bytes; they are sent by the server's `Dispatcher` (same headers, HMAC signing,
allow-list, timeout), with no retries.
"""

from __future__ import annotations

import fnmatch
import json
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from yarl import URL

from mock_server.callbacks import Dispatcher
from mock_server.catalog import STAGES, Stage
from mock_server.clock import ScaledClock
from mock_server.engine import plan_for, with_looks
from mock_server.jobs import Job, JobKind, JobStore, job_callback
from mock_server.journal import Delivery, Journal
from mock_server.net import host_allowed
from mock_server.payloads import encode, error_callback, stage_callback
from mock_server.scenario import Scenario, bundled_names, load_bundled
from mock_server.settings import Settings
from mock_server.tasks import Task, TaskStore
from mock_server.tracks import TrackFactory
from mock_server.voice import VoiceStatus, validation_phrase, voice_callback, voice_id_for
from mock_server.wire.music import TrackRequest

__all__ = [
    "DEFAULT_BUDGET",
    "ERROR_CODES",
    "CaseResult",
    "ProbeError",
    "ProbeReport",
    "ShotResult",
    "case_names",
    "probe",
]

DEFAULT_BUDGET = 5.0
"""Real seconds above which an answer is reported as a warning (the hard limit is 15 s)."""
DEFAULT_BASE_URL = "http://127.0.0.1:8080"
"""Origin of the file URLs in payloads, as `replay` writes them."""
ERROR_CODES = (400, 408, 413, 451, 500, 501, 531)
"""The documented error-callback codes; each has a bundled scenario (its message and stages)."""
MODEL = "V4_5PLUS"
UNKNOWN_FIELD = "probeUnknownField"
UNKNOWN_VALUE = "added by suno-mock probe: a receiver must ignore fields it does not know"
BODY_EXCERPT = 120

Expect = Literal["accept", "robust", "refuse"]
"""accept: a valid callback, only HTTP 200 counts; robust: a broken body, anything but a 5xx or
no answer; refuse: a badly signed callback, must not be accepted."""
Verdict = Literal["pass", "warn", "fail", "skip"]
_RANK: dict[Verdict, int] = {"skip": 0, "pass": 1, "warn": 2, "fail": 3}


class ProbeError(ValueError):
    """The probe cannot run as asked (a URL not allowed, an unknown case name)."""


@dataclass(frozen=True)
class _Shot:
    label: str
    task_id: str
    callback_type: str
    payload: bytes
    expect: Expect = "accept"
    bad_signature: bool = False


@dataclass(frozen=True)
class _Case:
    name: str
    description: str
    shots: tuple[_Shot, ...]
    same_answer: tuple[int, int] | None = None
    """Two shots carrying the same bytes, which must get the same answer (a duplicate)."""
    needs_key: bool = False


@dataclass
class ShotResult:
    """One callback of a case and the receiver's answer."""

    label: str
    task_id: str
    status: int | None
    """The receiver's HTTP status; None when it did not answer (timeout, dropped connection)."""
    latency_ms: float | None
    error: str | None
    response_body: str | None
    verdict: Verdict = "pass"
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "taskId": self.task_id,
            "status": self.status,
            "latencyMs": self.latency_ms,
            "error": self.error,
            "responseBody": self.response_body,
            "verdict": self.verdict,
            "reason": self.reason,
        }


@dataclass
class CaseResult:
    """One case of the battery: its callbacks, the verdict and why."""

    name: str
    description: str
    verdict: Verdict
    reasons: list[str] = field(default_factory=list)
    shots: list[ShotResult] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "verdict": self.verdict,
            "reasons": self.reasons,
            "seconds": round(self.seconds, 6),
            "callbacks": [shot.to_json() for shot in self.shots],
        }


@dataclass
class ProbeReport:
    """What `probe()` found; `ok` is False when any case failed (warnings do not fail)."""

    url: str
    seed: int
    timeout: float
    budget: float
    signed: bool
    cases: list[CaseResult]

    def count(self, verdict: Verdict) -> int:
        return sum(case.verdict == verdict for case in self.cases)

    @property
    def ok(self) -> bool:
        return self.count("fail") == 0

    @property
    def exit_code(self) -> int:
        """What the command line exits with: 1 on any failure, else 0."""
        return 0 if self.ok else 1

    def case(self, name: str) -> CaseResult:
        for case in self.cases:
            if case.name == name:
                return case
        raise KeyError(f"no case {name!r} in this report; it has {[c.name for c in self.cases]}")

    def summary(self) -> str:
        counts = (
            f"{self.count('pass')} passed, {self.count('warn')} warned, "
            f"{self.count('fail')} failed, {self.count('skip')} skipped"
        )
        return f"{len(self.cases)} cases: {counts} -> {'OK' if self.ok else 'FAILED'}"

    def to_text(self) -> str:
        """The readable report: a line per case, the reasons under it, the summary last."""
        signing = "signed (HMAC)" if self.signed else "unsigned"
        lines = [
            f"suno-mock probe {self.url}",
            f"  seed {self.seed}, receiver timeout {self.timeout:g} s, budget {self.budget:g} s, "
            f"callbacks {signing}",
            "",
        ]
        width = max((len(c.name) for c in self.cases), default=4)
        lines.append(f"{'':<4}  {'CASE':<{width}}  {'ANSWERS':<15} {'SLOWEST':>11}  CALLBACKS")
        for case in self.cases:
            statuses = " ".join(_status(s.status) for s in case.shots) or "-"
            slowest = max((s.latency_ms or 0.0 for s in case.shots), default=0.0)
            timing = f"{slowest:8.1f} ms" if case.shots else " " * 11
            lines.append(
                f"{case.verdict.upper():<4}  {case.name:<{width}}  {statuses:<15} {timing}  "
                f"{case.description}"
            )
            lines += [f"      {reason}" for reason in case.reasons]
        lines += ["", self.summary()]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "seed": self.seed,
            "timeout": self.timeout,
            "budget": self.budget,
            "signed": self.signed,
            "ok": self.ok,
            "summary": {v: self.count(v) for v in ("pass", "warn", "fail", "skip")},
            "cases": [case.to_json() for case in self.cases],
        }

    def to_junit(self) -> str:
        """JUnit XML: a testcase per case, so CI shows each one (warnings in system-out)."""
        total = sum(case.seconds for case in self.cases)
        suites = ET.Element("testsuites", name="suno-mock probe")
        suite = ET.SubElement(
            suites,
            "testsuite",
            name="suno-mock probe",
            tests=str(len(self.cases)),
            failures=str(self.count("fail")),
            errors="0",
            skipped=str(self.count("skip")),
            time=f"{total:.3f}",
        )
        ET.SubElement(ET.SubElement(suite, "properties"), "property", name="url", value=self.url)
        for case in self.cases:
            element = ET.SubElement(
                suite,
                "testcase",
                classname="suno-mock probe",
                name=case.name,
                time=f"{case.seconds:.3f}",
            )
            detail = "\n".join([*case.reasons, *(_shot_line(s) for s in case.shots)])
            if case.verdict == "fail":
                failure = ET.SubElement(element, "failure", message=case.reasons[0], type="probe")
                failure.text = detail
            elif case.verdict == "skip":
                ET.SubElement(element, "skipped", message=case.reasons[0])
            out = ET.SubElement(element, "system-out")
            out.text = f"{case.description}\n{detail}"
        ET.indent(suites)
        return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"

    def render(self, fmt: str) -> str:
        """The report as `text`, `json` or `junit`."""
        if fmt == "json":
            return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"
        if fmt == "junit":
            return self.to_junit()
        return self.to_text() + "\n"


def _status(status: int | None) -> str:
    return "---" if status is None else str(status)


def _shot_line(shot: ShotResult) -> str:
    answer = f"HTTP {shot.status}" if shot.status is not None else shot.error
    latency = f" in {shot.latency_ms:.1f} ms" if shot.latency_ms is not None else ""
    return f"{shot.label}: {answer}{latency} [{shot.verdict}] (task {shot.task_id})"


# The battery.


class _Builder:
    """Makes the battery's tasks and jobs with the server's seeded factories."""

    def __init__(self, settings: Settings, url: str, base_url: str) -> None:
        self.settings = settings
        self.url = url
        self.base_url = base_url
        self.factory = TrackFactory(settings.seed)
        self.store = TaskStore(self.factory, credits=0)
        self.jobs = JobStore(settings.seed)
        self.number = 0
        self.source: Task | None = None

    def task(self, scenario: Scenario | None = None) -> Task:
        """The next music task, numbered like the server's n-th task (same id, same tracks)."""
        self.number += 1
        tracks = TrackRequest(model=MODEL)
        if scenario is not None:
            tracks = with_looks(tracks, scenario)
        task = self.store.create(
            operation="generate",
            request={"model": MODEL, "callBackUrl": self.url},
            tracks=tracks,
            callback_url=self.url,
            base_url=self.base_url,
            now=self.settings.start_time,
            cost=0,
            task_id=self.factory.task_id(self.number),
        )
        if self.source is None:
            self.source = task
        return task

    def stage(self, task: Task, stage: Stage, label: str | None = None) -> _Shot:
        body = encode(stage_callback(task, stage, self.settings))
        return _Shot(label or stage, task.id, stage, body)

    def job(self, kind: JobKind, **fields: Any) -> Job:
        source = self.source or self.task()
        track = source.tracks[0]
        request = {"taskId": source.id, "audioId": track.id, "callBackUrl": self.url}
        if kind in ("wav", "vocal_removal", "mp4"):
            fields |= {"source": track, "music_index": 0}
        if kind == "midi":
            fields["extra"] = {"audioId": track.id}
        if kind == "recovery":
            fields["tracks"] = tuple(source.tracks)
        return self.jobs.create(
            kind,
            request=request,
            callback_url=self.url,
            base_url=self.base_url,
            created_at=self.settings.start_time,
            parent_task_id=source.id,
            **fields,
        )


def _error_scenarios() -> dict[int, Scenario]:
    """For each documented error code, the first bundled scenario that ends with it."""
    found: dict[int, Scenario] = {}
    for name in bundled_names():
        scenario = load_bundled(name)
        if scenario.error is not None and scenario.api.respond is None:
            found.setdefault(scenario.error.code, scenario)
    return found


def _battery(settings: Settings, url: str, base_url: str) -> list[_Case]:
    """Every case, always built in this order (so each case's ids and bytes do not depend on
    which cases were selected)."""
    make = _Builder(settings, url, base_url)
    cases: list[_Case] = []

    task = make.task()
    cases.append(
        _Case(
            "sequence",
            "text -> first -> complete",
            tuple(make.stage(task, stage) for stage in STAGES),
        )
    )
    task = make.task()
    complete = make.stage(task, "complete")
    again = _Shot("complete (again)", task.id, "complete", complete.payload)
    cases.append(
        _Case(
            "duplicate-complete",
            "the complete callback delivered twice",
            (make.stage(task, "text"), make.stage(task, "first"), complete, again),
            same_answer=(2, 3),
        )
    )
    task = make.task()
    cases.append(
        _Case(
            "out-of-order",
            "complete arrives before first",
            (make.stage(task, "text"), make.stage(task, "complete"), make.stage(task, "first")),
        )
    )

    scenarios = _error_scenarios()
    defaults: dict[str, float] = {s: getattr(settings.stage_delays, s) for s in STAGES}
    for code in ERROR_CODES:
        scenario = scenarios.get(code)
        if scenario is None or scenario.error is None:
            raise AssertionError(f"no bundled scenario ends with error code {code}")
        error = scenario.error
        task = make.task(scenario)
        shots = []
        for _, kind in plan_for(scenario, defaults):
            if kind == "error":
                body = error_callback(
                    task, error.code, error.msg, empty_list=error.data == "empty_list"
                )
                shots.append(_Shot(f"error {code}", task.id, "error", encode(body)))
            else:
                shots.append(make.stage(task, cast(Stage, kind)))
        stages = " -> ".join(s.label for s in shots)
        cases.append(_Case(f"error-{code}", f"{stages} ({scenario.name})", tuple(shots)))

    families: list[tuple[str, JobKind, dict[str, Any], str]] = [
        ("lyrics", "lyrics", {}, "lyrics callback (two lyrics texts)"),
        ("wav", "wav", {}, "WAV conversion callback"),
        ("vocal-removal", "vocal_removal", {}, "vocal removal callback (separate_vocal)"),
        ("stems", "vocal_removal", {"separation": "split_stem"}, "stem split callback (12 stems)"),
        ("midi", "midi", {}, "MIDI callback (instruments and notes)"),
        ("mp4", "mp4", {}, "music video (MP4) callback"),
        ("cover", "cover", {}, "cover image callback (two images)"),
        (
            "stems-advanced",
            "vocal_removal",
            {"separation": "split_stem_advanced", "stem_name": "Drum Kit"},
            "one-stem split callback (split_stem_advanced)",
        ),
        ("recovery", "recovery", {}, "Recovery Audio callback (task_id at the top level)"),
    ]
    for name, kind, fields, description in families:
        job = make.job(kind, **fields)
        shot = _Shot(name, job.id, "complete", encode(job_callback(job)))
        cases.append(_Case(name, description, (shot,)))
    for name, kind, status, key, description in (
        ("voice-validate", "validate", "wait_validating", "validateInfo",
         "Suno Voice phrase callback (validateInfo)"),
        ("voice-generate", "generate", "success", "voiceId", "Suno Voice callback (voiceId)"),
    ):  # fmt: skip
        voice_task = make.jobs.new_id(f"voice-{kind}")
        value = (
            validation_phrase(voice_task, 1) if key == "validateInfo"
            else voice_id_for(voice_task)
        )  # fmt: skip
        body = voice_callback(voice_task, cast(VoiceStatus, status), **{key: value})
        cases.append(_Case(name, description, (_Shot(name, voice_task, kind, encode(body)),)))

    task = make.task()
    extended = stage_callback(task, "complete", settings)
    extended[UNKNOWN_FIELD] = UNKNOWN_VALUE
    extended["data"][UNKNOWN_FIELD] = UNKNOWN_VALUE
    for item in extended["data"]["data"]:
        item[UNKNOWN_FIELD] = UNKNOWN_VALUE
    cases.append(
        _Case(
            "unknown-field",
            "complete with an unknown field at every level",
            (_Shot("complete", task.id, "complete", encode(extended)),),
        )
    )
    task = make.task()
    cases.append(
        _Case(
            "pending-audio-url",
            'first alone: its second track has audio_url ""',
            (make.stage(task, "first"),),
        )
    )
    task = make.task()
    cases.append(
        _Case(
            "empty-body",
            "an empty body (a 4xx is fine; a 5xx or no answer fails)",
            (_Shot("empty body", task.id, "complete", b"", expect="robust"),),
        )
    )
    truncated = make.stage(task, "complete").payload
    cases.append(
        _Case(
            "malformed-body",
            "truncated JSON (a 4xx is fine; a 5xx or no answer fails)",
            (
                _Shot(
                    "malformed body",
                    task.id,
                    "complete",
                    truncated[: len(truncated) // 2],
                    expect="robust",
                ),
            ),
        )
    )
    task = make.task()
    cases.append(
        _Case(
            "signed",
            "complete, correctly signed",
            (make.stage(task, "complete"),),
            needs_key=True,
        )
    )
    task = make.task()
    bad = make.stage(task, "complete")
    cases.append(
        _Case(
            "bad-signature",
            "complete signed with a wrong key: must be refused",
            (
                _Shot(
                    "complete (bad signature)",
                    task.id,
                    "complete",
                    bad.payload,
                    expect="refuse",
                    bad_signature=True,
                ),
            ),
            needs_key=True,
        )
    )
    return cases


def case_names() -> list[str]:
    """The names of the battery's cases, in the order they run."""
    return [case.name for case in _battery(Settings(), "http://127.0.0.1/", DEFAULT_BASE_URL)]


def _select(cases: list[_Case], only: Iterable[str] | None) -> list[_Case]:
    if only is None:
        return cases
    patterns = [p.strip() for p in only if p.strip()]
    names = [case.name for case in cases]
    unknown = [p for p in patterns if not fnmatch.filter(names, p)]
    if unknown:
        raise ProbeError(
            f"no probe case matches {', '.join(map(repr, unknown))}; the cases are "
            f"{', '.join(names)} (shell patterns such as 'error-*' work too)"
        )
    return [c for c in cases if any(fnmatch.fnmatchcase(c.name, p) for p in patterns)]


# Running it.


def _judge(shot: _Shot, delivery: Delivery, timeout: float, budget: float) -> ShotResult:
    attempt = delivery.attempts[-1]
    body = attempt.response_body
    result = ShotResult(
        shot.label, shot.task_id, attempt.status, attempt.latency_ms, attempt.error, body
    )
    status, seconds = attempt.status, (attempt.latency_ms or 0.0) / 1000
    answered = f"HTTP {status}" + (f" {_excerpt(body)}" if body else "")
    verdict: Verdict = "pass"
    reason: str | None = None
    if status is None or seconds > timeout:
        no_answer = attempt.error or f"answered after {seconds:.1f} s, over the {timeout:g} s limit"
        if shot.expect == "refuse":
            verdict, reason = "warn", f"refused, but by not answering ({no_answer}); answer 401"
        else:
            verdict, reason = "fail", no_answer
    elif shot.expect == "accept" and status != 200:
        verdict = "fail"  # the provider would retry it, then mark the task CALLBACK_EXCEPTION
        reason = f"{answered}: only 200 counts as delivered"
    elif shot.expect == "robust" and status >= 500:
        verdict, reason = "fail", f"{answered}: a broken body must get a 4xx (or 2xx), not a 5xx"
    elif shot.expect == "refuse" and 200 <= status < 300:
        verdict, reason = "fail", f"{answered}: accepted a wrong signature; answer 401"
    elif shot.expect == "refuse" and status >= 500:
        verdict, reason = (
            "warn",
            f"{answered}: refused, but a 5xx makes the provider retry; answer 401",
        )
    if verdict == "pass" and seconds > budget:
        verdict = "warn"
        reason = f"answered in {_duration(seconds)}, over the budget of {budget:g} s"
    result.verdict, result.reason = verdict, reason and f"{shot.label}: {reason}"
    return result


def _duration(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _excerpt(body: str) -> str:
    text = " ".join(body.split())
    return repr(text if len(text) <= BODY_EXCERPT else text[:BODY_EXCERPT] + "...")


async def _run_case(
    case: _Case, dispatcher: Dispatcher, url: str, limit: float, budget: float
) -> CaseResult:
    started = time.perf_counter()
    result = CaseResult(case.name, case.description, "pass")
    for shot in case.shots:
        delivery = await dispatcher.deliver(
            shot.task_id,
            shot.callback_type,
            url,
            shot.payload,
            lambda _: None,
            retry_delays=(),
            receiver_timeout=limit,
            bad_signature=shot.bad_signature,
        )
        result.shots.append(_judge(shot, delivery, limit, budget))
    result.seconds = time.perf_counter() - started
    for shot_result in result.shots:
        if shot_result.reason:
            result.reasons.append(shot_result.reason)
    verdicts = [s.verdict for s in result.shots]
    if case.same_answer is not None:
        first, second = (result.shots[i] for i in case.same_answer)
        if first.status != second.status:
            verdicts.append("fail")
            result.reasons.append(
                f"{second.label}: answered {_status_text(second)} to the duplicate but "
                f"{_status_text(first)} to the first delivery (the same callback must get the "
                "same answer)"
            )
    result.verdict = max(verdicts, key=_RANK.__getitem__, default="pass")
    return result


def _status_text(shot: ShotResult) -> str:
    return f"HTTP {shot.status}" if shot.status is not None else "no answer"


async def probe(
    url: str,
    *,
    settings: Settings | None = None,
    only: Sequence[str] | None = None,
    budget: float = DEFAULT_BUDGET,
    receiver_timeout: float | None = None,
    base_url: str | None = None,
) -> ProbeReport:
    """Fire the battery at `url` and judge every answer.

    `settings` gives the seed, `webhook_hmac_key` (sign callbacks; enables the signature cases),
    `allow_callback_hosts` and `callback_timeout` (the receiver's limit, 15 s; `receiver_timeout`
    overrides it). `only` selects cases by name or shell pattern (`error-*`); `budget` is the
    real time above which an answer is a warning. File URLs in payloads start with `base_url`
    (default: `settings.public_base_url`, else http://127.0.0.1:8080)."""
    settings = settings or Settings()
    limit = settings.callback_timeout if receiver_timeout is None else receiver_timeout
    if limit <= 0 or budget <= 0:
        raise ProbeError(f"timeout and budget must be > 0 s, got {limit:g} and {budget:g}")
    target = URL(url)
    if target.scheme not in ("http", "https") or not target.host:
        raise ProbeError(f"--to must be an http(s) URL with a host, got {url!r}")
    if not host_allowed(target.host, settings.allow_callback_hosts):
        raise ProbeError(
            f"not probing {url}: {target.host!r} is not a loopback host; allow it with "
            f"--allow-callback-host {target.host} (setting allow_callback_hosts)"
        )
    base = base_url or settings.public_base_url or DEFAULT_BASE_URL
    cases = _select(_battery(settings, url, base), only)
    signed = settings.webhook_hmac_key is not None
    dispatcher = Dispatcher(ScaledClock(1.0), settings, Journal(limit=None))
    await dispatcher.start()
    results: list[CaseResult] = []
    try:
        for case in cases:
            if case.needs_key and not signed:
                reason = "needs a webhook HMAC key (--webhook-hmac-key / webhook_hmac_key)"
                results.append(CaseResult(case.name, case.description, "skip", [reason]))
                continue
            results.append(await _run_case(case, dispatcher, url, limit, budget))
    finally:
        await dispatcher.close()
    return ProbeReport(url, settings.seed, limit, budget, signed, results)
