"""Hostile bytes get a located 400, never a crash: strings that cannot be encoded, JSON nested
100,000 deep, broken multipart bodies, and scenario files that are not UTF-8, too deep or huge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest

from mock_server import MockServer
from mock_server.cli import main
from mock_server.core.errors import ScenarioError
from mock_server.scripting.scenario import load_scenario
from mock_server.scripting.script import ScenarioLibrary
from mock_server.testing import SunoMock
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import Api, SunoMockFactory

JSON = {"Content-Type": "application/json"}
GENERATE = "/api/v1/generate"
STREAM = "/api/file-stream-upload"
DEEP = b"[" * 100_000 + b"]" * 100_000


def raw_body(callback_url: str, prompt_json: str) -> bytes:
    """A generate body whose prompt is written as raw JSON text (escapes kept)."""
    return (
        '{"customMode": true, "instrumental": false, "model": "V4", "style": "pop", '
        '"title": "T", '
        f'"prompt": "{prompt_json}", "callBackUrl": "{callback_url}"}}'
    ).encode()


async def control_requests(server: MockServer) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as http, http.get(f"{server.url}/__mock__/requests") as r:
        return r.status, await r.json()


async def test_a_lone_surrogate_is_refused_naming_the_field(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    status, envelope = await api.post(
        GENERATE, None, data=raw_body(callback_receiver.url, r"\ud800x"), headers=JSON
    )
    assert (status, envelope["code"]) == (200, 400)
    assert envelope["msg"].startswith(r"prompt: contains a lone UTF-16 surrogate (\ud800)")
    nested = b'{"uploadUrlList": ["https://files.invalid/a.mp3", "\\udfff"], "x": 1}'
    _, envelope = await api.post("/api/v1/generate/mashup", None, data=nested, headers=JSON)
    assert envelope["msg"].startswith("uploadUrlList[1]: contains a lone UTF-16 surrogate")
    key = b'{"\\ud83c": 1}'
    _, envelope = await api.post(GENERATE, None, data=key, headers=JSON)
    assert envelope["msg"].startswith(r"\ud83c: contains a lone UTF-16 surrogate")
    assert suno_mock.tasks() == []
    code, journal = await control_requests(suno_mock)
    assert code == 200
    assert [r["code"] for r in journal["requests"]] == [400, 400, 400]
    assert suno_mock.engine.errors == []


async def test_every_accepted_string_round_trips(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    # A surrogate *pair* is one character (U+1F3B5); it must come back out everywhere.
    body = raw_body(callback_receiver.url, r"la \ud83c\udfb5 la")
    status, envelope = await api.post(GENERATE, None, data=body, headers=JSON)
    assert (status, envelope["code"]) == (200, 200), envelope
    task_id = envelope["data"]["taskId"]
    await suno_mock.clock.advance(150)
    assert [r.callback_type for r in callback_receiver.requests] == ["text", "first", "complete"]
    assert callback_receiver.requests[-1].json["data"]["data"][0]["prompt"] == "la \U0001f3b5 la"
    info = await api.record_info(task_id)
    assert info["status"] == "SUCCESS"
    assert info["response"]["sunoData"][0]["prompt"] == "la \U0001f3b5 la"
    code, journal = await control_requests(suno_mock)
    assert code == 200
    assert journal["requests"][0]["body"]["prompt"] == "la \U0001f3b5 la"
    assert suno_mock.engine.errors == []


async def test_json_nested_100000_deep_is_a_400(api: Api, suno_mock: SunoMock) -> None:
    for body in (DEEP, b'{"a":' * 500 + b"1" + b"}" * 500, b"[" * 70 + b"]" * 70):
        status, envelope = await api.post(GENERATE, None, data=body, headers=JSON)
        assert (status, envelope["code"]) == (200, 400)
        assert envelope["msg"] == "body: JSON nested too deeply (more than 64 levels)"
    async with aiohttp.ClientSession() as http:
        deep = b"[" * 30_000 + b"]" * 30_000  # within control_max_body_bytes
        async with http.post(f"{suno_mock.url}/__mock__/clock", data=deep, headers=JSON) as resp:
            assert resp.status == 400
            assert (await resp.json())["msg"].startswith("body: JSON nested too deeply")
    code, journal = await control_requests(suno_mock)
    assert code == 200
    assert len(journal["requests"]) == 3
    assert suno_mock.engine.errors == []


MULTIPART_CASES = {
    "no boundary": ("multipart/form-data", b"garbage", "body: malformed multipart/form-data"),
    "wrong boundary": (
        "multipart/form-data; boundary=XX",
        b'--YY\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc\r\n--YY--\r\n',
        "body: malformed multipart/form-data",
    ),
    "cut short": (
        "multipart/form-data; boundary=XX",
        b'--XX\r\nContent-Disposition: form-data; name="file"; filename="a.mp3"\r\n\r\nabc',
        "body: malformed multipart/form-data",
    ),
    "bad part header": (
        "multipart/form-data; boundary=XX",
        b"--XX\r\nnonsense\r\n\r\nab\r\n--XX--\r\n",
        "body: malformed multipart/form-data",
    ),
    "field not UTF-8": (
        "multipart/form-data; boundary=XX",
        b'--XX\r\nContent-Disposition: form-data; name="uploadPath"\r\n\r\n\xff\xfe\r\n--XX--\r\n',
        "uploadPath: cannot be read as text",
    ),
    "unknown charset": (
        "multipart/form-data; boundary=XX",
        b'--XX\r\nContent-Disposition: form-data; name="uploadPath"\r\n'
        b"Content-Type: text/plain; charset=nope\r\n\r\nab\r\n--XX--\r\n",
        "uploadPath: cannot be read as text",
    ),
}


@pytest.mark.parametrize("case", MULTIPART_CASES, ids=str)
async def test_malformed_multipart_is_a_400(case: str, api: Api, suno_mock: SunoMock) -> None:
    content_type, body, message = MULTIPART_CASES[case]
    status, envelope = await api.post(
        STREAM, None, data=body, headers={"Content-Type": content_type}
    )
    # The File Upload API answers its errors with HTTP statuses (its own page).
    assert (status, envelope["success"], envelope["code"]) == (400, False, 400), envelope
    assert envelope["msg"].startswith(message), envelope["msg"]
    assert suno_mock.engine.errors == []


async def test_non_utf8_part_headers_are_stored_under_a_clean_name(
    api: Api, suno_mock: SunoMock, http: aiohttp.ClientSession
) -> None:
    body = (
        b'--XX\r\nContent-Disposition: form-data; name="uploadPath"\r\n\r\nup\r\n'
        b'--XX\r\nContent-Disposition: form-data; name="file"; filename="a\xff.mp3"\r\n'
        b"Content-Type: audio/mp\xffeg\r\n\r\nID3abc\r\n--XX--\r\n"
    )
    headers = {"Content-Type": "multipart/form-data; boundary=XX"}
    status, envelope = await api.post(STREAM, None, data=body, headers=headers)
    assert (status, envelope["code"]) == (200, 200), envelope
    assert (envelope["data"]["fileName"], envelope["data"]["mimeType"]) == ("a_.mp3", "audio/mpeg")
    async with http.get(envelope["data"]["downloadUrl"]) as resp:
        assert (resp.status, await resp.read()) == (200, b"ID3abc")
    assert suno_mock.engine.errors == []


async def test_control_plane_body_limit(suno_mock_factory: SunoMockFactory) -> None:
    server = await suno_mock_factory(control_max_body_bytes=100)
    async with aiohttp.ClientSession() as http:
        big = {"advance": 1, "pad": "x" * 200}
        async with http.post(f"{server.url}/__mock__/clock", json=big) as resp:
            assert resp.status == 413
            assert (await resp.json())["msg"] == (
                "body: larger than 100 bytes (setting control_max_body_bytes)"
            )

        async def chunks() -> Any:
            yield b'{"advance": 1, "pad": "'
            yield b"x" * 200
            yield b'"}'

        async with http.post(f"{server.url}/__mock__/clock", data=chunks(), headers=JSON) as resp:
            assert resp.status == 413  # chunked, no Content-Length: counted while read
        async with http.post(f"{server.url}/__mock__/clock", json={"advance": 1}) as resp:
            assert resp.status == 200
    assert server.engine.errors == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"version: 1\ndescription: caf\xe9\n", "not UTF-8 text (byte 0xe9 at offset 27)"),
        (b"version: 1\nx: " + b"[" * 100_000, "nested deeper than 32 levels"),
        (b"version: 1\nx: " + b"[" * 40 + b"]" * 40 + b"\n", "nested deeper than 32 levels"),
        (
            b"version: 1\na: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a,"
            b" *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
            b"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
            b"e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
            "more than 100000 values",
        ),
        (b"version: 1\nsecret: 'hunter2\n", "not valid YAML: while scanning a quoted scalar"),
        (b"hunter2\n", "expected a mapping with `version: 1`, got a string"),
        (
            b'version: 1\nerror: {after: 1s, code: 400, msg: "\\ud800", status: FAILED}\n',
            "a string holds a lone UTF-16 surrogate",
        ),
    ],
    ids=["latin-1", "100k deep", "41 deep", "aliases", "bad yaml", "scalar", "surrogate"],
)
def test_bad_scenario_files_are_located_errors(
    tmp_path: Path, content: bytes, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes(content)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value).startswith(f"{path}: {message}"), str(info.value)
    assert "hunter2" not in str(info.value)  # the file's content is never echoed
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{path}: {message}")
    assert "Traceback" not in err


def test_a_huge_scenario_file_is_refused_before_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"version: 1\ndescription: " + b"x" * (2 * 1024 * 1024) + b"\n")
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"{path}: {2 * 1024 * 1024 + 25} bytes is larger than 1048576 bytes "
        "(setting scenario_max_bytes); a scenario is a few lines of YAML\n"
    )
    assert main(["check", "/dev/zero"]) == 1  # no size to check up front: read bounded
    assert capsys.readouterr().err.startswith(
        "/dev/zero: larger than 1048576 bytes (setting scenario_max_bytes)"
    )
    small = tmp_path / "small.yaml"
    small.write_text("version: 1\ndescription: a scenario of more than 40 bytes\n")
    with pytest.raises(ScenarioError, match="larger than 40 bytes"):
        ScenarioLibrary([tmp_path], max_bytes=40).resolve("small")


async def test_non_ascii_base64_is_a_400(api: Api, suno_mock: SunoMock) -> None:
    # Found by schemathesis: b64decode raises a plain ValueError for non-ASCII text.
    body = {"base64Data": "\u00f9\u0087n", "uploadPath": "u", "fileName": "a.mp3"}
    status, envelope = await api.post("/api/file-base64-upload", body)
    assert (status, envelope["code"]) == (400, 400)
    assert envelope["msg"] == "Base64 decoding failed: Invalid Base64 format"
    assert suno_mock.engine.errors == []
