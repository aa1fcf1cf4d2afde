"""The jobs' probe cases: one complete callback of each job kind on the battery's first track."""

from __future__ import annotations

from typing import Any

from mock_server.core.encoding import encode
from mock_server.families.jobs.kinds import kind_of
from mock_server.families.jobs.store import JobKind
from mock_server.families.probe import Case, ProbeKit, Shot

__all__ = ["JOBS", "cases"]


JOBS: tuple[tuple[str, JobKind, dict[str, Any], str], ...] = (
    ("lyrics", "lyrics", {}, "lyrics callback (two lyrics texts)"),
    ("wav", "wav", {}, "WAV conversion callback"),
    ("vocal-removal", "vocal_removal", {}, "vocal removal callback (separate_vocal)"),
    ("stems", "vocal_removal", {"separation": "split_stem"}, "stem split callback (12 stems)"),
    ("midi", "midi", {}, "MIDI callback (instruments and notes)"),
    ("mp4", "mp4", {}, "music video (MP4) callback"),
    ("cover", "cover", {}, "cover image callback (two images)"),
    ("stems-advanced", "vocal_removal",
     {"separation": "split_stem_advanced", "stem_name": "Drum Kit"},
     "one-stem split callback (split_stem_advanced)"),
    ("recovery", "recovery", {}, "Recovery Audio callback (task_id at the top level)"),
)  # fmt: skip
"""Case name, job kind, job fields, description."""


def cases(make: ProbeKit) -> list[Case]:
    cases = []
    for name, kind, fields, description in JOBS:
        job = make.job(kind, **fields)
        cases.append(
            Case(
                name,
                description,
                (Shot(name, job.id, kind_of(job).callback_type, encode(kind_of(job).body(job))),),
            )
        )
    return cases
