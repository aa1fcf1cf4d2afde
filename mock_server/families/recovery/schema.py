"""Recovery Audio's bodies as models: the callback and the submit answer (snake_case).
`extra="forbid"`: no stray field (docs/api.md, "Callbacks", "Task details")."""

from __future__ import annotations

from typing import Literal

from mock_server.families.schema import Strict

__all__ = [
    "RecoveryCallback",
    "RecoveryItem",
    "RecoveryTaskData",
]


class RecoveryItem(Strict):
    id: str
    audio_url: str
    title: str
    status: Literal["success", "failed"]
    error: str


class RecoveryCallback(Strict):
    """The Recovery Audio callback: `task_id` at the top level, one item per track."""

    code: int
    msg: str
    task_id: str
    data: list[RecoveryItem]


class RecoveryTaskData(Strict):
    """`data` of POST /api/v1/suno/recovery: snake_case `task_id`."""

    task_id: str
