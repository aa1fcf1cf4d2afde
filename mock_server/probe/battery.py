"""The probe's battery: named cases of realistic callbacks, grouped by family.

Every case is built in the same order whatever is selected, so a case's ids and bytes do not
depend on which cases run: the n-th music task of the battery is the server's n-th task (same id,
same tracks), and jobs take their ids from the same seeded store as the server's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

from mock_server.core.catalog import STAGES, Stage
from mock_server.core.encoding import encode
from mock_server.core.settings import Settings
from mock_server.families.jobs.kinds import KINDS, kind_of
from mock_server.families.jobs.store import Job, JobKind, JobStore
from mock_server.families.music.payloads import error_callback, stage_callback
from mock_server.families.music.store import Task, TaskStore
from mock_server.families.music.tracks import TrackFactory
from mock_server.families.voice.payloads import validation_phrase, voice_callback, voice_id_for
from mock_server.families.voice.store import VoiceStatus
from mock_server.scripting.request import TrackRequest
from mock_server.scripting.scenario import Scenario, bundled_names, load_bundled
from mock_server.scripting.script import FailAt, compile_script

__all__ = ["ERROR_CODES", "Case", "Expect", "Shot", "battery"]

ERROR_CODES = (400, 408, 413, 451, 500, 501, 531)
"""The documented error-callback codes; each has a bundled scenario (its message and stages)."""
MODEL = "V4_5PLUS"
UNKNOWN_FIELD = "probeUnknownField"
UNKNOWN_VALUE = "added by suno-mock probe: a receiver must ignore fields it does not know"

Expect = Literal["accept", "robust", "refuse"]
"""accept: a valid callback, only HTTP 200 counts; robust: a broken body, anything but a 5xx or
no answer; refuse: a badly signed callback, must not be accepted."""


@dataclass(frozen=True)
class Shot:
    """One callback of a case."""

    label: str
    task_id: str
    callback_type: str
    payload: bytes
    expect: Expect = "accept"
    bad_signature: bool = False


@dataclass(frozen=True)
class Case:
    name: str
    description: str
    shots: tuple[Shot, ...]
    same_answer: tuple[int, int] | None = None
    """Two shots carrying the same bytes, which must get the same answer (a duplicate)."""
    needs_key: bool = False


class _Builder:
    """Makes the battery's tasks and jobs with the server's seeded factories."""

    def __init__(self, settings: Settings, url: str, base_url: str) -> None:
        self.settings = settings
        self.url = url
        self.base_url = base_url
        self.factory = TrackFactory(settings.seed)
        self.store = TaskStore(self.factory)
        self.jobs = JobStore(settings.seed)
        self.number = 0
        self.source: Task | None = None

    def task(self, scenario: Scenario | None = None) -> Task:
        """The next music task, numbered like the server's n-th task (same id, same tracks)."""
        self.number += 1
        script = compile_script(scenario, self.settings)
        task = self.store.create(
            operation="generate",
            request={"model": MODEL, "callBackUrl": self.url},
            tracks=script.looks(TrackRequest(model=MODEL)),
            callback_url=self.url,
            base_url=self.base_url,
            now=self.settings.start_time,
            script=script,
            task_id=self.factory.task_id(self.number),
        )
        if self.source is None:
            self.source = task
        return task

    def stage(self, task: Task, stage: Stage, label: str | None = None) -> Shot:
        body = encode(stage_callback(task, stage, self.settings))
        return Shot(label or stage, task.id, stage, body)

    def stages(self, *stages: Stage) -> tuple[Shot, ...]:
        """The next task's callbacks of these stages, in this order."""
        task = self.task()
        return tuple(self.stage(task, stage) for stage in stages)

    def job(self, kind: JobKind, **fields: Any) -> Job:
        source = self.source or self.task()
        track = source.tracks[0]
        request = {"taskId": source.id, "audioId": track.id, "callBackUrl": self.url}
        fields = KINDS[kind].sample(source) | fields
        return self.jobs.create(
            kind,
            request=request,
            callback_url=self.url,
            base_url=self.base_url,
            created_at=self.settings.start_time,
            parent_task_id=source.id,
            **fields,
        )


# Music tasks: the stage callbacks in order, twice, out of order.


def _stage_cases(make: _Builder) -> list[Case]:
    sequence = Case("sequence", "text -> first -> complete", make.stages(*STAGES))
    shots = make.stages("text", "first", "complete")
    again = replace(shots[2], label="complete (again)")
    duplicate = Case(
        "duplicate-complete",
        "the complete callback delivered twice",
        (*shots, again),
        same_answer=(2, 3),
    )
    late = make.stages("text", "complete", "first")
    return [sequence, duplicate, Case("out-of-order", "complete arrives before first", late)]


# Music tasks ending in each documented error code, as the bundled scenarios run them.


def _error_scenarios() -> dict[int, Scenario]:
    """For each documented error code, the first bundled scenario that ends with it."""
    found: dict[int, Scenario] = {}
    for name in bundled_names():
        scenario = load_bundled(name)
        if scenario.error is not None and scenario.api.respond is None:
            found.setdefault(scenario.error.code, scenario)
    return found


def _error_case(make: _Builder, code: int, scenario: Scenario | None) -> Case:
    if scenario is None or scenario.error is None:
        raise AssertionError(f"no bundled scenario ends with error code {code}")
    error = scenario.error
    task = make.task(scenario)
    shots = []
    for event in task.script.events:
        if isinstance(event, FailAt):
            body = error_callback(
                task, error.code, error.msg, empty_list=error.data == "empty_list"
            )
            shots.append(Shot(f"error {code}", task.id, "error", encode(body)))
        else:
            shots.append(make.stage(task, event.stage))
    stages = " -> ".join(s.label for s in shots)
    return Case(f"error-{code}", f"{stages} ({scenario.name})", tuple(shots))


def _error_cases(make: _Builder) -> list[Case]:
    scenarios = _error_scenarios()
    return [_error_case(make, code, scenarios.get(code)) for code in ERROR_CODES]


# Jobs on the first task's track: one complete callback each.

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


def _job_cases(make: _Builder) -> list[Case]:
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


# Suno Voice: the phrase to read, then the voice made.

VOICE: tuple[tuple[str, str, VoiceStatus, Callable[[str], dict[str, str]], str], ...] = (
    ("voice-validate", "validate", "wait_validating",
     lambda task: {"validateInfo": validation_phrase(task, 1)},
     "Suno Voice phrase callback (validateInfo)"),
    ("voice-generate", "generate", "success", lambda task: {"voiceId": voice_id_for(task)},
     "Suno Voice callback (voiceId)"),
    ("voice-regenerate", "regenerate", "wait_validating",
     lambda task: {"validateInfo": validation_phrase(task, 2)},
     "Suno Voice new-phrase callback (validateInfo, after /voice/regenerate)"),
)  # fmt: skip
"""Case name, callback type, status, the callback's fields, description."""


def _voice_cases(make: _Builder) -> list[Case]:
    cases = []
    for name, kind, status, fields, description in VOICE:
        task_id = make.jobs.new_id(f"voice-{kind}")
        body = encode(voice_callback(task_id, status, **fields(task_id)))
        cases.append(Case(name, description, (Shot(name, task_id, kind, body),)))
    return cases


# What a receiver must survive: unknown fields, a pending URL, broken bodies.


def _with_unknown_fields(body: dict[str, Any]) -> dict[str, Any]:
    body[UNKNOWN_FIELD] = UNKNOWN_VALUE
    body["data"][UNKNOWN_FIELD] = UNKNOWN_VALUE
    for item in body["data"]["data"]:
        item[UNKNOWN_FIELD] = UNKNOWN_VALUE
    return body


def _robustness_cases(make: _Builder) -> list[Case]:
    task = make.task()
    extended = _with_unknown_fields(stage_callback(task, "complete", make.settings))
    unknown = Shot("complete", task.id, "complete", encode(extended))
    pending = make.stages("first")
    task = make.task()
    empty = Shot("empty body", task.id, "complete", b"", expect="robust")
    whole = make.stage(task, "complete").payload
    broken = Shot("malformed body", task.id, "complete", whole[: len(whole) // 2], expect="robust")
    return [
        Case("unknown-field", "complete with an unknown field at every level", (unknown,)),
        Case("pending-audio-url", 'first alone: its second track has audio_url ""', pending),
        Case("empty-body", "an empty body (a 4xx is fine; a 5xx or no answer fails)", (empty,)),
        Case("malformed-body", "truncated JSON (a 4xx is fine; a 5xx or no answer fails)",
             (broken,)),
    ]  # fmt: skip


# Signed callbacks (with a webhook HMAC key): a good signature, a wrong one.


def _signature_cases(make: _Builder) -> list[Case]:
    signed = make.stages("complete")
    (bad,) = make.stages("complete")
    bad = replace(bad, label="complete (bad signature)", expect="refuse", bad_signature=True)
    return [
        Case("signed", "complete, correctly signed", signed, needs_key=True),
        Case("bad-signature", "complete signed with a wrong key: must be refused", (bad,),
             needs_key=True),
    ]  # fmt: skip


FAMILIES: tuple[Callable[[_Builder], list[Case]], ...] = (
    _stage_cases, _error_cases, _job_cases, _voice_cases, _robustness_cases, _signature_cases,
)  # fmt: skip
"""The battery's families, in the order they are built and run."""


def battery(settings: Settings, url: str, base_url: str) -> list[Case]:
    """Every case, always built in this order."""
    make = _Builder(settings, url, base_url)
    return [case for family in FAMILIES for case in family(make)]
