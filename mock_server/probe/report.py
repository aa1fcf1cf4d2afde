"""What `probe()` found: a verdict per callback and per case, as text, JSON or JUnit XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["CaseResult", "ProbeReport", "ShotResult", "Verdict"]

Verdict = Literal["pass", "warn", "fail", "skip"]


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
    payload: Any = None
    """The body sent: its JSON, or its text when it was broken on purpose."""

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "taskId": self.task_id,
            "payload": self.payload,
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

    def line(self, width: int = 0) -> str:
        """`PASS  sequence  200 200 200  12.3 ms  description`: the case on one line."""
        statuses = " ".join(_status(s.status) for s in self.shots) or "-"
        slowest = max((s.latency_ms or 0.0 for s in self.shots), default=0.0)
        timing = f"{slowest:8.1f} ms" if self.shots else " " * 11
        return (
            f"{self.verdict.upper():<4}  {self.name:<{width}}  {statuses:<15} {timing}  "
            f"{self.description}"
        )

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
            lines.append(case.line(width))
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
