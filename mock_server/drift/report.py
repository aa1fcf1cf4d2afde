"""What `drift` found: the differences, each with the fixture it was found against."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mock_server.drift.shape import Difference

__all__ = ["DriftReport", "Finding"]


@dataclass(frozen=True)
class Finding:
    """One difference, with the fixture it was found against."""

    file: str
    subject: str
    difference: Difference

    def to_json(self) -> dict[str, str]:
        d = self.difference
        return {
            "file": self.file, "subject": self.subject, "location": d.location,
            "kind": d.kind, "expected": d.expected, "actual": d.actual,
        }  # fmt: skip


@dataclass
class DriftReport:
    """What `drift` found."""

    recording: str
    against: str
    requests: int
    callbacks: int
    findings: list[Finding] = field(default_factory=list)

    @property
    def drifted(self) -> bool:
        return bool(self.findings)

    def text(self) -> str:
        """A readable report: the differences grouped by fixture, then a summary line."""
        lines = [
            f"suno-mock drift: {self.recording} ({self.requests} requests, {self.callbacks} "
            f"callbacks) against {self.against}"
        ]
        last = None
        for finding in self.findings:
            if (finding.file, finding.subject) != last:
                last = (finding.file, finding.subject)
                lines.append(f"{finding.file} ({finding.subject})")
            lines.append(f"  {finding.difference}")
        if self.findings:
            lines.append(f"drift: {len(self.findings)} difference(s) from the recorded shapes")
        else:
            lines.append("no drift: every answer and callback has the recorded shape")
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        return {
            "recording": self.recording,
            "against": self.against,
            "requests": self.requests,
            "callbacks": self.callbacks,
            "drift": self.drifted,
            "differences": [f.to_json() for f in self.findings],
        }
