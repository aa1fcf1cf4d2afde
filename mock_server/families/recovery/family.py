"""Recovery Audio: a music task's audio fetched again. Its rules are a job kind in the jobs
backend; this folder declares its routes and handlers."""

from __future__ import annotations

from mock_server.families.family import CB_URL, TASK, Endpoint, Family
from mock_server.families.jobs.wire import RecoveryRequest
from mock_server.families.recovery import handlers
from mock_server.families.recovery import schema as cb

__all__ = ["FAMILY"]

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("POST", "/api/v1/suno/recovery", handlers.recovery, "Recover a task's audio",
             RecoveryRequest, {"sunoTaskId": TASK, "callBackUrl": CB_URL},
             cb.RecoveryCallback, tag="files", data=cb.RecoveryTaskData),
    Endpoint("GET", "/api/v1/suno/recovery/record-info", handlers.recovery_info,
             "Recovery details", query=("task_id",), tag="files"),
)  # fmt: skip

# Its handlers reach the jobs backend (a recovery is a job kind): their key is the family's.
FAMILY = Family("recovery", ENDPOINTS, callback_types=("complete",), backend=handlers.JOBS)
