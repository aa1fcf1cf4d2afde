"""Test helpers: `SunoMock` (a MockServer on a manual clock with wait and assertion helpers) and
`SunoMockThread` (the same in its own thread, for synchronous clients such as `requests`).

Helpers never sleep blindly: they drive the manual clock from one timer to the next. On failure
they say what did happen: the requests received and the callbacks attempted, in order. Their
arguments are checked at once: a typo in a callback type or a status is an error that lists the
valid ones, not a wait that runs out.
"""

from mock_server.testing.mock import CALLBACK_TYPES, TASK_STATUSES, SunoMock
from mock_server.testing.thread import SunoMockThread

__all__ = ["CALLBACK_TYPES", "TASK_STATUSES", "SunoMock", "SunoMockThread"]
