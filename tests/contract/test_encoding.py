"""`encode` gives the standard encoder's bytes for every value a payload or an echoed request
may hold, through public names only."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from mock_server.core.encoding import encode, encode_built, request_size
from mock_server.core.web import EnvelopeResponse, sized_json_of, task_ok
from mock_server.families.music.tracks import TrackFactory
from tests.helpers import ROOT

VALUES: list[Any] = [
    {"code": 200, "msg": "success", "data": {"taskId": "abc"}},
    {"a": [1, 2.5, 1e16, -0.0, 1e-7, None, True, False, 'é\u2028"\\\n\t', "😀"], "b": {}},
    {"nested": [[[]], {"x": [{"y": 12345678901234567890}]}], "inf": float("inf")},
    {1: "int key", 2.5: "float key", False: "bool key", None: "null key"},
    [],
    "a string",
    3,
    None,
]


@pytest.mark.parametrize("value", VALUES)
def test_encode_gives_the_standard_encoders_bytes(value: Any) -> None:
    standard = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    assert encode(value) == standard
    assert encode_built(value) == standard


def test_encode_refuses_what_json_cannot_hold() -> None:
    with pytest.raises(TypeError, match="object is not JSON serializable"):
        encode({"a": object()})


@pytest.mark.parametrize("task_id", ["0123456789abcdef", "", 'a"b\\c', "é\u2028😀", "\x00\n"])
def test_a_submits_answer_is_the_encoded_envelope(task_id: str) -> None:
    answer = task_ok(task_id)
    envelope = {"code": 200, "msg": "success", "data": {"taskId": task_id}}
    assert answer.body == encode(envelope)
    assert answer.payload == envelope


def test_task_ids_are_the_blake2b_of_seed_and_number() -> None:
    factory = TrackFactory(7)
    for number in (1, 2, 10, 999, 123456):
        expected = hashlib.blake2b(f"suno-mock/7/{number}".encode(), digest_size=16).hexdigest()
        assert factory.task_id(number) == expected


def test_encoding_uses_no_private_interpreter_name() -> None:
    source = (ROOT / "mock_server" / "core" / "encoding.py").read_text()
    assert "c_make_encoder" not in source
    assert "json.encoder" not in source


JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}
SIZED_BODIES = [
    b'{"callBackUrl":"http://127.0.0.1:9/cb","model":"V4","continueAt":42,"style":"lofi"}',
    '{"title": "é😀\u2028", "n": 1e16, "b": true, "x": null, "e": "\\u00e9\\n"}'.encode(),
    b'\n {"k": 1}',
    b'{"a": "{[not nested]}"}',
    b'{"nested": {"x": [1, 2, {"y": "z"}]}, "list": ["a", "b"]}',
    b'[{"a": 1}]',
]


@pytest.mark.parametrize("text", SIZED_BODIES)
async def test_a_bodys_size_from_its_text_is_at_least_its_walk(text: bytes) -> None:
    """A submit's size is told from its text for a flat object: never less than what the
    walk (`request_size`) counts, so the task store's byte budget still holds."""
    request = make_mocked_request("POST", "/", headers={"Content-Type": "application/json"})
    value, size = sized_json_of(request, text)
    assert value == json.loads(text)
    assert size >= request_size(value)
    assert size <= request_size(value) + len(text) + 100 * len(value)


@pytest.mark.parametrize("status", [200, 400])
def test_an_envelope_holds_what_aiohttps_own_response_would(status: int) -> None:
    """A 200 envelope skips aiohttp's `Response.__init__` (docs/performance.md, "Answers made
    lean"): it must hold the same state as a response aiohttp made itself."""
    body = b'{"code":200,"msg":"success","data":null}'
    made = vars(EnvelopeResponse(None, status, body))
    own = vars(web.Response(body=body, status=status, headers=JSON_HEADERS))
    assert {k: v for k, v in made.items() if k not in ("_payload", "raw")}.keys() == own.keys()
    for name, value in own.items():
        assert type(made[name]) is type(value), name
        assert made[name] == value, name
