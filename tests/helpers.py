"""What tests share besides fixtures: a tiny client of the mock, request bodies, the type of
the plugin's server factory. Fixtures and hooks live in conftest.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

from mock_server.testing import SunoMock

__all__ = ["DROP", "ROOT", "Api", "SunoMockFactory", "edited", "generate_body"]

ROOT = Path(__file__).resolve().parent.parent
"""The repository's root: test modules sit in folders of different depths, this one does not."""

SunoMockFactory = Callable[..., Awaitable[SunoMock]]
"""The type of the plugin's `suno_mock_factory` fixture: start a server with these Settings
overrides."""


class Api:
    """A tiny client of the mock for tests: posts JSON, returns (HTTP status, envelope)."""

    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http = http
        self.base = base

    async def post(self, path: str, body: Any, **kwargs: Any) -> tuple[int, Any]:
        """POST `body` as JSON (or pass `data=`/`headers=` for a raw body)."""
        if "data" not in kwargs:
            kwargs["json"] = body
        async with self.http.post(self.base + path, **kwargs) as resp:
            return resp.status, await resp.json()

    async def get(self, path: str, **kwargs: Any) -> tuple[int, Any]:
        async with self.http.get(self.base + path, **kwargs) as resp:
            return resp.status, await resp.json()

    async def submit(self, path: str, body: Any) -> str:
        status, envelope = await self.post(path, body)
        assert (status, envelope["code"]) == (200, 200), envelope
        return str(envelope["data"]["taskId"])

    async def record_info(self, task_id: str) -> Any:
        status, envelope = await self.get(
            "/api/v1/generate/record-info", params={"taskId": task_id}
        )
        assert (status, envelope["code"]) == (200, 200), envelope
        return envelope["data"]


def generate_body(callback_url: str, **overrides: Any) -> dict[str, Any]:
    """A valid custom-mode generate request."""
    body: dict[str, Any] = {
        "customMode": True,
        "instrumental": False,
        "model": "V4_5PLUS",
        "prompt": "[Verse]\nStreetlights hum a quiet tune",
        "style": "indie pop, dreamy synths",
        "title": "Silver Moon",
        "callBackUrl": callback_url,
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


DROP: Any = object()
"""In `edited()`: remove this field."""


def edited(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A copy of a request body with fields changed (or removed with DROP)."""
    body = dict(base)
    for key, value in changes.items():
        if value is DROP:
            body.pop(key, None)
        else:
            body[key] = value
    return body
