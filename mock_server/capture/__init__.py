"""A recording of the real service, as `suno-mock proxy --record DIR` writes it and
`suno-mock drift DIR` reads it back.

    DIR/requests/0001-generate.json            one request and the answer it got
    DIR/callbacks/0004-<taskId>-text.json      one callback as it arrived, and the client's status
    DIR/requests/0007-body.bin                 a request body that is not JSON (multipart upload)
    DIR/scenarios/<taskId>.yaml                one scenario per music task (`check`, `serve`,
                                               `replay` take it)
    DIR/scenarios/files/<taskId>/1-audio.mp3   the real media (`--download-files`)

Times are seconds: `at` since the recording started, a callback's `after` since its task's
submit. Credentials never reach the disk (`mock_server.capture.redact`): headers, query
parameters and JSON keys whose names match `SECRET_PATTERNS` are left out or blanked wherever
they occur, their values are scrubbed from everything written after, and `--redact NAME` adds
names.
"""

from mock_server.capture.folder import (
    MUSIC_PATHS,
    RECORD_INFO_PATH,
    TASK_LIMIT,
    Callback,
    Exchange,
    Recording,
    RecordingError,
    bounded,
    callback_task_id,
    load_recording,
    media_urls,
)
from mock_server.capture.observed import observed_scenario
from mock_server.capture.recorder import Recorder
from mock_server.capture.redact import KEPT_NAMES, SECRET_PATTERNS, Redactor

__all__ = [
    "KEPT_NAMES",
    "MUSIC_PATHS",
    "RECORD_INFO_PATH",
    "SECRET_PATTERNS",
    "TASK_LIMIT",
    "Callback",
    "Exchange",
    "Recorder",
    "Recording",
    "RecordingError",
    "Redactor",
    "bounded",
    "callback_task_id",
    "load_recording",
    "media_urls",
    "observed_scenario",
]
