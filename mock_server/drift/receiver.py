"""The replay's side of the client: a callback endpoint that answers what the real client
answered, and the map from the real service's ids and URLs to the mock's."""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from mock_server.http.listener import Listener

__all__ = ["Arrival", "IdMap", "Receiver", "callback_kind"]


class IdMap:
    """Real values (ids, URLs) -> the mock's, learnt by walking recorded and actual payloads."""

    def __init__(self) -> None:
        self.known: dict[str, str] = {}

    def learn(self, recorded: Any, actual: Any) -> None:
        if isinstance(recorded, dict) and isinstance(actual, dict):
            for key, value in recorded.items():
                if key in actual:
                    self.learn(value, actual[key])
        elif isinstance(recorded, list) and isinstance(actual, list):
            for one, other in zip(recorded, actual, strict=False):
                self.learn(one, other)
        elif (
            isinstance(recorded, str)
            and isinstance(actual, str)
            and recorded != actual
            and len(recorded) >= 6
            and not any(c.isspace() for c in recorded)
        ):
            self.known.setdefault(recorded, actual)

    def apply(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.known.get(value, value)
        if isinstance(value, dict):
            return {k: self.apply(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.apply(v) for v in value]
        return value


@dataclass
class Arrival:
    body: Any
    raw: bytes


class Receiver(Listener):
    """Callback endpoint per recorded submit; answers what the real client answered."""

    def __init__(self) -> None:
        super().__init__("127.0.0.1", 0)
        self.got: dict[int, list[Arrival]] = {}
        self.script: dict[int, list[int | None]] = {}
        self.arrived = asyncio.Event()

    def url_for(self, seq: int) -> str:
        return f"{self.url}/cb/{seq}"

    async def _handle(self, request: web.Request) -> web.Response:
        seq = int(request.match_info["seq"])
        raw = await request.read()
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        arrivals = self.got.setdefault(seq, [])
        arrivals.append(Arrival(body, raw))
        self.arrived.set()
        statuses = self.script.get(seq) or [200]
        status = statuses[min(len(arrivals), len(statuses)) - 1]
        return web.json_response({"status": "received"}, status=status or 503)

    async def wait_for(self, seq: int, count: int, timeout: float) -> None:  # noqa: ASYNC109
        """Wait (real time, at most `timeout`) until `count` callbacks came for `seq`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.got.get(seq, [])) < count and loop.time() < deadline:
            self.arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.arrived.wait(), deadline - loop.time())

    def build_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/cb/{seq:\\d+}", self._handle)
        return app


def callback_kind(body: Any, fallback: str | None = None) -> str:
    """A callback's type as its body says (`data.callbackType`)."""
    data = body.get("data") if isinstance(body, dict) else None
    kind = data.get("callbackType") if isinstance(data, dict) else None
    return kind if isinstance(kind, str) else fallback or "?"
