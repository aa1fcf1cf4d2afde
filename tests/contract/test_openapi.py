"""/openapi.json: complete, consistent, and true to what the mock really sends."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from pydantic import BaseModel

from mock_server import Settings
from mock_server.core.wire import parse
from mock_server.families.music.schema import MusicCallback, RecordInfoData
from mock_server.http.routes import api
from mock_server.testing import SunoMock
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import Api, generate_body


@pytest.fixture
async def spec(suno_mock: SunoMock, http: aiohttp.ClientSession) -> Any:
    async with http.get(f"{suno_mock.url}/openapi.json") as resp:
        assert resp.status == 200
        return await resp.json()


async def test_every_api_route_is_documented(suno_mock: SunoMock, spec: Any) -> None:
    routes = {
        (route.method.lower(), route.resource.canonical)
        for route in suno_mock.app.router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith("/api/")
        and route.method != "HEAD"  # aiohttp adds one to every GET
    }
    documented = {
        (method, path)
        for path, ops in spec["paths"].items()
        for method in ops
        if path.startswith("/api/")  # the control plane: tests/contract/test_openapi_control.py
    }
    assert routes == documented
    assert len(routes) == len(api()) == 37


async def test_spec_structure(spec: Any, suno_mock: SunoMock) -> None:
    assert spec["openapi"] == "3.1.0"
    assert spec["servers"] == [{"url": suno_mock.url}]
    schemas = spec["components"]["schemas"]

    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
            return found + [r for value in node.values() for r in refs(value)]
        if isinstance(node, list):
            return [r for value in node for r in refs(value)]
        return []

    for ref in refs(spec):
        assert ref.startswith("#/components/schemas/")
        assert ref.rsplit("/", 1)[1] in schemas, ref
    generate = spec["paths"]["/api/v1/generate"]["post"]
    assert generate["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/GenerateRequest"
    }
    assert "callbacks" in generate
    model_enum = schemas["GenerateRequest"]["properties"]["model"]["enum"]
    assert model_enum[:2] == ["V6", "V6_WILD"]
    assert "V3_5" not in model_enum


async def test_every_operation_has_its_own_id(spec: Any) -> None:
    # OpenAPI requires unique operation ids (clients generate a method per id); a submit's is
    # its handler's name: POST /api/v1/generate/upload-extend is `upload_extend_post`.
    ids = [op["operationId"] for ops in spec["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids)), sorted(i for i in set(ids) if ids.count(i) > 1)
    upload_extend = spec["paths"]["/api/v1/generate/upload-extend"]["post"]
    assert upload_extend["operationId"] == "upload_extend_post"


async def test_number_ranges_use_json_schemas_keywords(spec: Any) -> None:
    # pydantic's own names (ge, le, gt, lt) are no JSON Schema keywords: a client generator or
    # validator reads them as unknown and checks no range at all.
    found: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            found.extend(f"{where}.{k}" for k in ("ge", "le", "gt", "lt") if k in node)
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}[{index}]")

    walk(spec, "openapi")
    assert found == []
    extend = spec["components"]["schemas"]["ExtendRequest"]["properties"]
    assert {"type": "number", "minimum": 0, "maximum": 1} in extend["audioWeight"]["anyOf"]
    assert {"type": "number", "exclusiveMinimum": 0} in extend["continueAt"]["anyOf"]


@pytest.mark.parametrize(
    "endpoint", [e for e in api() if e.request is not None], ids=lambda e: e.path
)
def test_every_example_validates(endpoint: Any) -> None:
    assert endpoint.example is not None, f"{endpoint.path} documents no example"
    parse(endpoint.request, endpoint.example, Settings())


def callback_model(path: str) -> type[BaseModel]:
    (endpoint,) = [e for e in api() if e.path == path]
    assert endpoint.callback is not None
    return endpoint.callback


async def test_callbacks_sent_match_their_documented_models(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    suno_mock.next_task(scenario="generation-failed")
    await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    task_id = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    await suno_mock.clock.advance(150)
    track = suno_mock.task(task_id).tracks[0]
    job = {"taskId": task_id, "audioId": track.id, "callBackUrl": callback_receiver.url}
    submitted = {
        "/api/v1/lyrics": await api.submit(
            "/api/v1/lyrics", {"prompt": "rain", "callBackUrl": callback_receiver.url}
        ),
        "/api/v1/wav/generate": await api.submit("/api/v1/wav/generate", job),
        "/api/v1/vocal-removal/generate": await api.submit("/api/v1/vocal-removal/generate", job),
        "/api/v1/mp4/generate": await api.submit("/api/v1/mp4/generate", job),
        "/api/v1/suno/cover/generate": await api.submit(
            "/api/v1/suno/cover/generate", {"taskId": task_id, "callBackUrl": callback_receiver.url}
        ),
    }
    await suno_mock.clock.advance(30)
    submitted["/api/v1/midi/generate"] = await api.submit(
        "/api/v1/midi/generate",
        {
            "taskId": submitted["/api/v1/vocal-removal/generate"],
            "callBackUrl": callback_receiver.url,
        },
    )
    await suno_mock.clock.advance(30)

    assert callback_model("/api/v1/generate") is MusicCallback
    by_task: dict[str, list[Any]] = {}
    for received in callback_receiver.requests:
        body = received.json
        key = body.get("task_id") or body["data"].get("task_id") or body["data"].get("taskId")
        by_task.setdefault(key, []).append(body)
    kinds = []
    for bodies in by_task.values():
        for body in bodies:
            if "callbackType" in body["data"] and "task_id" in body["data"]:
                kinds.append(MusicCallback.model_validate(body).data.callbackType)
    assert sorted(kinds) == sorted(["text", "first", "error", "text", "first", "complete"])
    for path, job_id in submitted.items():
        (body,) = by_task[job_id]
        callback_model(path).model_validate(body)


async def test_core_answers_have_documented_data(spec: Any) -> None:
    def data_schema(path: str, method: str) -> Any:
        schema = spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]
        return schema["schema"]["oneOf"][0]["allOf"][1]["properties"]["data"]

    assert data_schema("/api/v1/generate", "post") == {"$ref": "#/components/schemas/TaskIdData"}
    assert data_schema("/api/v1/lyrics", "post") == {"$ref": "#/components/schemas/TaskIdData"}
    assert data_schema("/api/v1/generate/record-info", "get") == {
        "$ref": "#/components/schemas/RecordInfoData"
    }
    assert data_schema("/api/v1/generate/credit", "get") == {"type": "integer"}


async def test_record_info_answers_match_their_documented_model(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    ok = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    suno_mock.next_task(scenario="generation-failed")
    failed = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    seen = set()
    for _ in range(4):
        for task_id in (ok, failed):
            info = RecordInfoData.model_validate(await api.record_info(task_id))
            seen.add(info.status)
        await suno_mock.clock.advance(50)
    assert seen == {"PENDING", "TEXT_SUCCESS", "FIRST_SUCCESS", "SUCCESS", "GENERATE_AUDIO_FAILED"}


async def test_fields_a_rule_requires_are_required_in_the_schema(spec: Any) -> None:
    schemas = spec["components"]["schemas"]
    assert {"title", "tags", "negativeTags"} <= set(schemas["AddInstrumentalRequest"]["required"])
    assert {"title", "style", "negativeTags"} <= set(schemas["AddVocalsRequest"]["required"])
    assert "prompt" not in schemas["AddVocalsRequest"]["required"]  # optional today
    assert set(schemas["MashupRequest"]["required"]) == {"callBackUrl", "model", "uploadUrlList"}
    assert set(schemas["UploadCoverRequest"]["required"]) == {"callBackUrl", "model", "uploadUrl"}


async def test_a_callback_expression_names_the_field_the_request_has(spec: Any) -> None:
    regenerate = spec["paths"]["/api/v1/voice/regenerate"]["post"]["callbacks"]["callback"]
    generate = spec["paths"]["/api/v1/generate"]["post"]["callbacks"]["callback"]
    assert list(regenerate) == ["{$request.body#/calBackUrl}"]  # spelled so by the docs
    assert list(generate) == ["{$request.body#/callBackUrl}"]
