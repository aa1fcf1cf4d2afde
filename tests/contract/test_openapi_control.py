"""/openapi.json documents the control plane (`/__mock__/`), route for route."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from mock_server.testing import SunoMock


@pytest.fixture
async def spec(suno_mock: SunoMock, http: aiohttp.ClientSession) -> Any:
    async with http.get(f"{suno_mock.url}/openapi.json") as resp:
        return await resp.json()


async def test_every_control_route_is_documented(suno_mock: SunoMock, spec: Any) -> None:
    routes = {
        (route.method.lower(), route.resource.canonical)
        for route in suno_mock.app.router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith("/__mock__/")
        and route.method != "HEAD"
    }
    documented = {
        (method, path)
        for path, operations in spec["paths"].items()
        if path.startswith("/__mock__/")
        for method in operations
    }
    assert routes == documented


async def test_control_operations_are_tagged_and_unique(spec: Any) -> None:
    control = [
        operation
        for path, operations in spec["paths"].items()
        if path.startswith("/__mock__/")
        for operation in operations.values()
    ]
    ids = [op["operationId"] for op in control]
    assert len(ids) == len(set(ids))
    assert all(op["tags"] == ["control plane"] and "security" not in op for op in control)
    resend = spec["paths"]["/__mock__/tasks/{id}/resend"]["post"]
    assert resend["parameters"][0]["name"] == "id"
    stage = resend["requestBody"]["content"]["application/json"]["schema"]["properties"]["stage"]
    assert stage["enum"] == ["text", "first", "complete", "error"]
    assert "/__mock__/health" in spec["paths"]
    assert "/__mock__/reset" in spec["paths"]
