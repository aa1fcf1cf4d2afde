"""Running the probe: fire each case's callbacks with the server's `Dispatcher` (same headers,
signing, allow-list and timeout, no retries) and judge every answer."""

from __future__ import annotations

import fnmatch
import json
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from yarl import URL

from mock_server.core.clock import ScaledClock
from mock_server.core.net import host_allowed
from mock_server.core.settings import Settings
from mock_server.delivery.dispatcher import DeliveryPolicy, Dispatcher
from mock_server.delivery.journal import Delivery, Journal
from mock_server.probe.battery import Case, Shot, battery
from mock_server.probe.report import CaseResult, ProbeReport, ShotResult, Verdict

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_BUDGET", "ProbeError", "case_names", "probe"]

DEFAULT_BUDGET = 5.0
"""Real seconds above which an answer is reported as a warning (the hard limit is 15 s)."""
DEFAULT_BASE_URL = "http://127.0.0.1:8080"
"""Origin of the file URLs in payloads, as `replay` writes them."""
BODY_EXCERPT = 120
_RANK: dict[Verdict, int] = {"skip": 0, "pass": 1, "warn": 2, "fail": 3}


class ProbeError(ValueError):
    """The probe cannot run as asked (a URL not allowed, an unknown case name)."""


def case_names() -> list[str]:
    """The names of the battery's cases, in the order they run."""
    return [case.name for case in battery(Settings(), "http://127.0.0.1/", DEFAULT_BASE_URL)]


def _select(cases: list[Case], only: Iterable[str] | None) -> list[Case]:
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


Progress = Callable[[int, int, CaseResult], None]
"""Told of each case as it finishes: its number (from 1), how many there are, its result."""


def _sent(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:  # a body broken on purpose
        return raw.decode("utf-8", errors="replace")


def _judge(
    shot: Shot, delivery: Delivery, timeout: float, budget: float, timeout_name: str
) -> ShotResult:
    attempt = delivery.attempts[-1]
    body = attempt.response_body
    error = attempt.error and attempt.error.replace("callback_timeout=", f"{timeout_name}=")
    result = ShotResult(shot.label, shot.task_id, attempt.status, attempt.latency_ms, error, body)
    result.payload = _sent(shot.payload)
    status, seconds = attempt.status, (attempt.latency_ms or 0.0) / 1000
    answered = f"HTTP {status}" + (f" {_excerpt(body)}" if body else "")
    verdict: Verdict = "pass"
    reason: str | None = None
    if status is None or seconds > timeout:
        no_answer = error or f"answered after {seconds:.1f} s, over the {timeout:g} s limit"
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
    case: Case, dispatcher: Dispatcher, url: str, limits: tuple[float, float, str]
) -> CaseResult:
    limit, budget, timeout_name = limits
    started = time.perf_counter()
    result = CaseResult(case.name, case.description, "pass")
    for shot in case.shots:
        delivery = await dispatcher.deliver(
            shot.task_id,
            shot.callback_type,
            url,
            shot.payload,
            policy=DeliveryPolicy(
                retry_delays=(),
                timeout=limit,
                bad_signature=frozenset({shot.callback_type} if shot.bad_signature else ()),
            ),
        )
        result.shots.append(_judge(shot, delivery, limit, budget, timeout_name))
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
    progress: Progress | None = None,
    timeout_name: str = "callback_timeout",
) -> ProbeReport:
    """Fire the battery at `url` and judge every answer.

    `settings` gives the seed, `webhook_hmac_key` (sign callbacks; enables the signature cases),
    `allow_callback_hosts` and `callback_timeout` (the receiver's limit, 15 s; `receiver_timeout`
    overrides it). `only` selects cases by name or shell pattern (`error-*`); `budget` is the
    real time above which an answer is a warning. File URLs in payloads start with `base_url`
    (default: `settings.public_base_url`, else http://127.0.0.1:8080). `progress` hears of
    each case as it finishes; `timeout_name` is what a timeout's message calls the limit (the
    command line says `--timeout`)."""
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
    cases = _select(battery(settings, url, base), only)
    signed = settings.webhook_hmac_key is not None
    dispatcher = Dispatcher(ScaledClock(1.0), settings, Journal(limit=None))
    await dispatcher.start()
    results: list[CaseResult] = []
    try:
        for number, case in enumerate(cases, 1):
            if case.needs_key and not signed:
                reason = "needs a webhook HMAC key (--webhook-hmac-key / webhook_hmac_key)"
                results.append(CaseResult(case.name, case.description, "skip", [reason]))
            else:
                limits = (limit, budget, timeout_name)
                results.append(await _run_case(case, dispatcher, url, limits))
            if progress is not None:
                progress(number, len(cases), results[-1])
    finally:
        await dispatcher.close()
    return ProbeReport(url, settings.seed, limit, budget, signed, results)
