"""Delivered callbacks keep a recipe instead of their bytes; the journal still gives the bytes
that were sent (issue 13: memory per finished task)."""

from __future__ import annotations

import aiohttp

from mock_server import ManualClock, MockServer, Settings
from mock_server.receiver import CallbackReceiver
from tests.helpers import generate_body


async def test_rebuilt_payloads_are_the_bytes_sent() -> None:
    settings = Settings(rate_limit=None, text_callback_tracks=True)
    async with (
        CallbackReceiver() as receiver,
        MockServer(settings) as server,
        aiohttp.ClientSession(headers={"Authorization": "Bearer k"}) as http,
    ):
        assert isinstance(server.clock, ManualClock)
        bodies = [
            generate_body(receiver.url),
            generate_body(
                receiver.url, customMode=False, prompt="a song about rain", title=None, style=None
            ),
        ]
        for body in bodies:
            async with http.post(server.url + "/api/v1/generate", json=body) as resp:
                assert (await resp.json())["code"] == 200
        await server.clock.advance(150)
        received = await receiver.wait_for(6)
        deliveries = server.deliveries()
        assert len(deliveries) == 6
        assert all(d.state == "delivered" for d in deliveries)
        assert all(not isinstance(d._payload, bytes) for d in deliveries)  # kept as recipes
        assert sorted(d.payload for d in deliveries) == sorted(r.raw for r in received)
        async with http.get(server.url + "/__mock__/deliveries") as resp:
            listed = await resp.json()
        assert sorted(str(i["payload"]) for i in listed["deliveries"]) == sorted(
            str(r.json) for r in received
        )


async def test_undelivered_payload_keeps_its_bytes() -> None:
    settings = Settings(rate_limit=None)
    async with (
        CallbackReceiver() as receiver,
        MockServer(settings) as server,
        aiohttp.ClientSession(headers={"Authorization": "Bearer k"}) as http,
    ):
        receiver.respond_with([500])
        async with http.post(server.url + "/api/v1/generate", json=generate_body(receiver.url)):
            pass
        await server.clock.advance(30)
        (text,) = server.deliveries()
        assert text.state == "pending"
        assert isinstance(text._payload, bytes)
        assert text.payload == (await receiver.wait_for(1))[0].raw
