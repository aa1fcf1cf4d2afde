"""`suno-mock probe`: a conformance report for a client's own callback endpoint.

A named battery of realistic callbacks is fired at one URL, one at a time, and each answer is
judged against what the provider's docs ask of every receiver: answer 200 within 15 s, treat the
same callback idempotently, take text -> first -> complete in any order, never fail on a field or
a callback it did not expect, refuse a badly signed callback (when signing is on).

Payloads come from the server's own builders (`stage_callback`, `error_callback`, each job
kind's `body`, tracks from the seeded `TrackFactory`, error messages from the bundled scenarios),
so the same seed gives the same bytes; they are sent by the server's `Dispatcher` (same
headers, HMAC signing, allow-list, timeout), with no retries.
"""

from mock_server.probe.battery import ERROR_CODES
from mock_server.probe.report import CaseResult, ProbeReport, ShotResult
from mock_server.probe.runner import DEFAULT_BUDGET, ProbeError, case_names, probe

__all__ = [
    "DEFAULT_BUDGET",
    "ERROR_CODES",
    "CaseResult",
    "ProbeError",
    "ProbeReport",
    "ShotResult",
    "case_names",
    "probe",
]
