"""What every family's payload models share: the strict base (documented in /openapi.json and
used by the tests to check what the mock really sends; `extra="forbid"`: no stray field) and
the `data` of every submit answer. Each family's own models are in its `schema.py`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["Strict", "TaskIdData"]


class Strict(BaseModel):
    # `model_name` is a field of the real payload; pydantic < 2.10 warns about the prefix.
    # Built when first used (/openapi.json, a test's check), not at every import of the server.
    model_config = ConfigDict(extra="forbid", protected_namespaces=(), defer_build=True)


class TaskIdData(Strict):
    """`data` of every submit answer."""

    taskId: str
