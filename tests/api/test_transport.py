"""Envelopes for everything that is not a valid request: bad bodies, routes, auth, credits."""

from __future__ import annotations

import json

import aiohttp
import pytest

from mock_server.testing import SunoMock
from tests.helpers import Api, SunoMockFactory, generate_body

GENERATE = "/api/v1/generate"
CB = "http://127.0.0.1:9/callback"


async def raw_post(
    http: aiohttp.ClientSession, url: str, data: bytes, content_type: str = "application/json"
) -> tuple[int, dict[str, object]]:
    async with http.post(url, data=data, headers={"Content-Type": content_type}) as resp:
        assert resp.content_type == "application/json"
        return resp.status, await resp.json()


@pytest.mark.parametrize(
    ("data", "content_type", "message"),
    [
        (b'{"customMode": tru', "application/json", "body: malformed JSON (Expecting value"),
        (b"\xff\xfe", "application/json", "body: malformed JSON"),
        (b"", "application/json", "body: empty; send a JSON object"),
        (b"[1, 2]", "application/json", "body: must be a JSON object, got a JSON list"),
        (b'{"a": 1}', "text/plain", "Content-Type: must be application/json, got 'text/plain'"),
        (b"a=1", "application/x-www-form-urlencoded", "Content-Type: must be application/json"),
    ],
)
async def test_unusable_bodies_get_a_400_envelope(
    http: aiohttp.ClientSession, suno_mock: SunoMock, data: bytes, content_type: str, message: str
) -> None:
    status, envelope = await raw_post(http, suno_mock.url + GENERATE, data, content_type)
    assert status == 200
    assert envelope["code"] == 400
    assert str(envelope["msg"]).startswith(message)
    assert envelope["data"] is None
    assert suno_mock.requests[-1].code == 400


async def test_oversized_body_gets_413_and_is_journaled(
    suno_mock_factory: SunoMockFactory, http: aiohttp.ClientSession
) -> None:
    server = await suno_mock_factory(max_body_bytes=2000)
    body = generate_body(CB, prompt="x" * 3000)
    status, envelope = await Api(http, server.url).post(GENERATE, body)
    assert (status, envelope["code"]) == (200, 413)
    assert envelope["msg"] == "body: larger than 2000 bytes (setting max_body_bytes)"
    assert server.requests[-1].code == 413
    assert server.tasks() == []


async def test_unknown_route_and_wrong_method_get_404_envelopes(api: Api) -> None:
    status, envelope = await api.get("/api/v1/does-not-exist")
    assert (status, envelope["code"]) == (200, 404)
    assert envelope["msg"] == "Invalid request method or path: GET /api/v1/does-not-exist"

    status, envelope = await api.get(GENERATE)
    assert (status, envelope["code"]) == (200, 404)
    assert envelope["msg"] == f"Invalid request method or path: GET {GENERATE} (allowed: POST)"


async def test_routes_outside_the_api_use_http_status(api: Api) -> None:
    status, envelope = await api.get("/favicon.ico")
    assert (status, envelope["code"]) == (404, 404)


@pytest.mark.parametrize(
    ("method", "path", "message"),
    [
        ("OPTIONS", "/__mock__/health", "OPTIONS /__mock__/health (allowed: GET, HEAD)"),
        ("DELETE", "/files/x%0Ay", "DELETE /files/x\ny"),  # a newline: still no route
        ("PUT", "/", "PUT /"),
    ],
)
async def test_unmatched_requests_anywhere_get_the_404_envelope(
    http: aiohttp.ClientSession, suno_mock: SunoMock, method: str, path: str, message: str
) -> None:
    async with http.request(method, suno_mock.url + path) as resp:
        assert (resp.status, resp.content_type) == (404, "application/json")
        envelope = await resp.json()
    assert envelope == {
        "code": 404,
        "msg": f"Invalid request method or path: {message}",
        "data": None,
    }


async def test_mirror_http_status_setting(
    suno_mock_factory: SunoMockFactory, http: aiohttp.ClientSession
) -> None:
    server = await suno_mock_factory(mirror_http_status=True)
    api = Api(http, server.url)
    status, envelope = await api.post(GENERATE, generate_body(CB, model="nope"))
    assert (status, envelope["code"]) == (400, 400)
    status, envelope = await api.post(GENERATE, generate_body(CB, title="t" * 200))
    assert (status, envelope["code"]) == (413, 413)
    status, envelope = await api.post(GENERATE, generate_body(CB))
    assert (status, envelope["code"]) == (200, 200)


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": ""}, {"Authorization": "Bearer "}, {"Authorization": "Basic abc"}],
    ids=["missing", "empty", "no-key", "basic"],
)
async def test_missing_or_malformed_key_gets_401(
    suno_mock: SunoMock, headers: dict[str, str]
) -> None:
    async with (
        aiohttp.ClientSession() as bare,
        bare.post(suno_mock.url + GENERATE, json=generate_body(CB), headers=headers) as resp,
    ):
        envelope = await resp.json()
    assert (resp.status, envelope["code"]) == (200, 401)
    assert "Authorization: Bearer <your API key>" in envelope["msg"]
    assert suno_mock.tasks() == []


async def test_configured_keys_restrict_access(suno_mock_factory: SunoMockFactory) -> None:
    server = await suno_mock_factory(api_keys=("k1", "k2"))
    async with aiohttp.ClientSession() as bare:
        for key, code in (("k2", 200), ("other", 401)):
            headers = {"Authorization": f"Bearer {key}"}
            async with bare.get(server.url + "/api/v1/generate/credit", headers=headers) as resp:
                assert (await resp.json())["code"] == code


async def test_credits_are_charged_and_exhaustion_answers_429(
    suno_mock_factory: SunoMockFactory, http: aiohttp.ClientSession
) -> None:
    server = await suno_mock_factory(credits=25, task_cost=10)
    api = Api(http, server.url)
    assert (await api.get("/api/v1/generate/credit"))[1] == {
        "code": 200,
        "msg": "success",
        "data": 25,
    }
    await api.submit(GENERATE, generate_body(CB))
    await api.submit(GENERATE, generate_body(CB))
    _, envelope = await api.get("/api/v1/generate/credit")
    assert envelope["data"] == 5
    assert isinstance(envelope["data"], int)

    _, envelope = await api.post(GENERATE, generate_body(CB))
    assert envelope == {
        "code": 429,
        "msg": "The current credits are insufficient. Please top up.",  # the real text
        "data": None,
    }
    assert len(server.tasks()) == 2
    await server.reset()
    assert (await api.get("/api/v1/generate/credit"))[1]["data"] == 25


async def test_record_info_needs_a_known_task_id(api: Api) -> None:
    _, envelope = await api.get("/api/v1/generate/record-info")
    assert envelope["code"] == 400
    assert envelope["msg"].startswith("taskId: required query parameter")
    _, envelope = await api.get("/api/v1/generate/record-info", params={"taskId": "abc"})
    assert (envelope["code"], envelope["msg"]) == (400, "taskId: no task with id 'abc'")


async def test_journal_records_requests_and_answers(api: Api, suno_mock: SunoMock) -> None:
    body = generate_body(CB)
    task_id = await api.submit(GENERATE, body)
    await api.get("/api/v1/generate/record-info", params={"taskId": task_id})
    first, second = suno_mock.requests
    assert (first.method, first.path, first.body, first.http_status) == (
        "POST",
        GENERATE,
        body,
        200,
    )
    assert first.response == {"code": 200, "msg": "success", "data": {"taskId": task_id}}
    assert second.query == {"taskId": task_id}
    assert second.at == suno_mock.clock.now()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": NaN}', "NaN is not valid JSON"),
        ('{"a": -Infinity}', "-Infinity is not valid JSON"),
        ('{"a": 1e999}', "number 1e999 is out of range"),
        ('{"a": -1E400, "b": "x"}', "number -1E400 is out of range"),  # flat: checked in C
        ('{"a": {"b": [1, 2e308]}}', "number 2e308 is out of range"),  # nested: walked
    ],
)
async def test_non_standard_json_numbers_are_rejected(
    http: aiohttp.ClientSession, suno_mock: SunoMock, text: str, message: str
) -> None:
    status, envelope = await raw_post(http, suno_mock.url + GENERATE, text.encode())
    assert (status, envelope["code"]) == (200, 400)
    assert str(envelope["msg"]) == f"body: malformed JSON ({message}); send a JSON object"


async def test_bodies_must_be_utf8_and_may_start_with_a_bom(
    http: aiohttp.ClientSession, suno_mock: SunoMock
) -> None:
    text = json.dumps(generate_body(CB, prompt="café"), ensure_ascii=False)
    _, utf16 = await raw_post(http, suno_mock.url + GENERATE, text.encode("utf-16"))
    assert utf16["code"] == 400
    assert str(utf16["msg"]).startswith("body: malformed JSON ('utf-8' codec can't decode")
    _, with_bom = await raw_post(http, suno_mock.url + GENERATE, text.encode("utf-8-sig"))
    assert with_bom["code"] == 200
    task = suno_mock.task(with_bom["data"]["taskId"])  # type: ignore[index]
    assert task.request["prompt"] == "café"


async def test_journal_keeps_a_bounded_history(
    suno_mock_factory: SunoMockFactory, http: aiohttp.ClientSession
) -> None:
    server = await suno_mock_factory(journal_limit=10)
    api = Api(http, server.url)
    for _ in range(25):
        await api.get("/api/v1/generate/credit")
    seqs = [r.seq for r in server.requests]
    assert len(seqs) <= 10
    assert seqs == list(range(26 - len(seqs), 26))  # the newest, numbered as they came
