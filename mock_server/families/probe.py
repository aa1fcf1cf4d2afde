"""What a family's probe cases are made of: a case of callbacks a receiver must answer
(`Case`, `Shot`) and the kit that makes the battery's tasks and jobs with the server's seeded
factories (`ProbeKit`). Each family's `probe.py` makes its cases; `mock_server.probe.battery`
runs them in the registry's order, then the receiver-robustness and signature cases.

Every case is built in the same order whatever is selected, so a case's ids and bytes do not
depend on which cases run: the n-th music task of the battery is the server's n-th task (same id,
same tracks), and jobs take their ids from the same seeded store as the server's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from mock_server.core.catalog import Stage
from mock_server.core.encoding import encode
from mock_server.core.settings import Settings
from mock_server.families.jobs.kinds import KINDS
from mock_server.families.jobs.store import Job, JobKind, JobStore
from mock_server.families.music.payloads import stage_callback
from mock_server.families.music.store import Task, TaskStore
from mock_server.families.music.tracks import TrackFactory
from mock_server.scripting.request import TrackRequest
from mock_server.scripting.scenario import Scenario
from mock_server.scripting.script import compile_script

__all__ = ["MODEL", "Case", "Expect", "ProbeKit", "Shot"]

MODEL = "V4_5PLUS"
"""The model of the battery's music tasks."""

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


class ProbeKit:
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
