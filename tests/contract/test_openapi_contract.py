"""/openapi.json documents what really comes back, errors included, and a bounded schemathesis
run against the real server (every operation, every applicable check) finds nothing."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from mock_server import MockServer
from mock_server.http.openapi import ERROR_CODES
from mock_server.http.routes import api
from tests.helpers import SunoMockFactory

EXAMPLES = 8
"""Generated cases per operation and phase: about 2,000 requests, 10-20 s."""

CHECKS_THE_REAL_API_FAILS = {
    # 405 is this API's "rate limit exceeded" code, and a wrong method answers code 404
    # ("Invalid request method or path"), as the real API does.
    "unsupported_method",
    # A schema cannot say "this taskId must exist" or express the cross-field rules
    # (customMode, defaultParamFlag, per-model limits), so schema-valid bodies are refused.
    "positive_data_acceptance",
}
STATUS_CHECKS = {"ignored_auth", "negative_data_rejection", "missing_required_header"}
"""Checks that expect 4xx statuses: by default the real API answers errors with HTTP 200."""


async def spec_of(server: MockServer) -> Any:
    async with aiohttp.ClientSession() as http, http.get(f"{server.url}/openapi.json") as resp:
        return await resp.json()


def api_paths(spec: Any) -> list[tuple[str, Any]]:
    """The API's paths (the control plane under /__mock__/ answers plain JSON, no envelope)."""
    return [(path, ops) for path, ops in spec["paths"].items() if path.startswith("/api/")]


async def test_error_envelopes_are_documented(suno_mock_factory: SunoMockFactory) -> None:
    spec = await spec_of(await suno_mock_factory())
    schemas = spec["components"]["schemas"]
    assert schemas["ErrorEnvelope"]["properties"]["data"] == {"type": "null"}
    for path, operations in api_paths(spec):
        for method, operation in operations.items():
            responses = operation["responses"]
            if path.startswith("/api/file-"):  # the File Upload API: HTTP statuses, its page
                assert list(responses) == ["200", *map(str, ERROR_CODES)], (method, path)
                continue
            assert list(responses) == ["200"], (method, path)
            one_of = responses["200"]["content"]["application/json"]["schema"]["oneOf"]
            assert one_of[1] == {"$ref": "#/components/schemas/ErrorEnvelope"}
            assert one_of[0]["allOf"][1]["properties"]["code"] == {"const": 200}


async def test_mirrored_statuses_are_documented(suno_mock_factory: SunoMockFactory) -> None:
    spec = await spec_of(await suno_mock_factory(mirror_http_status=True))
    for _, operations in api_paths(spec):
        for operation in operations.values():
            responses = operation["responses"]
            assert list(responses) == ["200", *map(str, ERROR_CODES)]
            assert "oneOf" not in responses["200"]["content"]["application/json"]["schema"]
            assert responses["401"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorEnvelope"
            }


async def schemathesis(server: MockServer, tmp_path: Path, exclude: set[str]) -> str:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "schemathesis.cli", "run", f"{server.url}/openapi.json",
        "--checks", "all", "--exclude-checks", ",".join(sorted(exclude)),
        "--max-examples", str(EXAMPLES), "--generation-deterministic",
        "--workers", "1", "--no-color",
        "--header", "Authorization: Bearer k", "--request-timeout", "10",
        "--include-path-regex", "^/api/",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, cwd=tmp_path,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=240)
    text = out.decode(errors="replace")
    assert proc.returncode == 0, text[-6000:]
    return text


@pytest.mark.parametrize("mirror", [True, False], ids=["mirror-http-status", "http-200"])
async def test_schemathesis_finds_nothing(
    suno_mock_factory: SunoMockFactory, tmp_path: Path, mirror: bool
) -> None:
    # The server runs in this test's loop; schemathesis is a real client in a subprocess.
    # Callback URLs it invents are never contacted (not loopback), nor are its fileUrls; the
    # rate limit is off (a load of generated requests is the point here).
    server = await suno_mock_factory(mirror_http_status=mirror, api_keys=("k",), rate_limit="off")
    exclude = CHECKS_THE_REAL_API_FAILS | (set() if mirror else STATUS_CHECKS)
    out = await schemathesis(server, tmp_path, exclude)
    assert f"Operations:       {len(api())} selected" in out, out[-3000:]
    assert server.engine.errors == []
