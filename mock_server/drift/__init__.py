"""`suno-mock drift`: replay a recording of the real service against a mock and say where the
mock's answers and callbacks no longer have the real shape.

Each recorded request is sent again at its recorded time (the mock's clock is moved through
its control plane), each music task under the scenario recorded with it, with its callBackUrl
pointing at a local receiver that answers what the real client answered. Ids, URLs and other
values the mock makes up are learnt as they appear and put into later requests in place of the
real ones. Then every answer and callback is compared with the recorded one by shape (keys,
nesting, value types, enum values: `mock_server.drift.shape`), with the order of each task's
callbacks and the walk of its record-info statuses.
"""

from mock_server.drift.report import DriftReport, Finding
from mock_server.drift.run import drift

__all__ = ["DriftReport", "Finding", "drift"]
