"""Outgoing payloads, next to their schemas: the exact JSON the mock sends and answers.

- `encode` and `param_json` (compact UTF-8 JSON; the `param` string) come from
  `mock_server.encoding`, below every layer that needs them.
- `music`: music-task callbacks (`stage_callback`, `error_callback`) and record-info.
- `job`: each single-stage job kind's callback and record-info (`mock_server.kinds` says which
  builder belongs to which kind).
- `schema`: the payloads as pydantic models, for /openapi.json and the tests.
"""

from mock_server.encoding import encode, param_json
from mock_server.payloads.music import (
    CALLBACK_MESSAGES,
    error_callback,
    record_info,
    stage_callback,
)

__all__ = [
    "CALLBACK_MESSAGES",
    "encode",
    "error_callback",
    "param_json",
    "record_info",
    "stage_callback",
]
