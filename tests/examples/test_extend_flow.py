"""An app under test that extends a song and stores the tracks its callbacks bring."""

from typing import Any

import aiohttp
import pytest
from aiohttp import web
from pytest_aiohttp import AiohttpServer

from mock_server import SunoMock


class MusicApp:
    """The code under test: a client of the music API with its own callback endpoint."""

    def __init__(self, api_url: str, api_key: str) -> None:
        self.api_url, self.api_key = api_url, api_key
        self.tracks: dict[str, dict[str, Any]] = {}
        self.stages: list[str] = []

    async def callback(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.stages.append(body["data"]["callbackType"])
        for track in body["data"]["data"] or []:
            if track["audio_url"]:  # idempotent: the same track may arrive more than once
                self.tracks[track["id"]] = track
        return web.json_response({"status": "received"})

    async def extend_song(self, audio_id: str, continue_at: float, callback_url: str) -> str:
        body = {
            "defaultParamFlag": True,
            "audioId": audio_id,
            "continueAt": continue_at,
            "prompt": "[Bridge]\nHold the light",
            "style": "indie pop",
            "title": "Silver Moon (Extended)",
            "model": "V4_5PLUS",
            "callBackUrl": callback_url,
        }
        headers = {"Authorization": f"Bearer {self.api_key}"}
        async with aiohttp.ClientSession(headers=headers) as http:
            url = f"{self.api_url}/api/v1/generate/extend"
            async with http.post(url, json=body) as resp:
                envelope = await resp.json()
        assert envelope["code"] == 200, envelope["msg"]
        return str(envelope["data"]["taskId"])


@pytest.mark.asyncio  # pytest-asyncio's default strict mode needs it; harmless in auto mode
async def test_extend_delivers_three_stages_and_the_app_stores_the_tracks(
    suno_mock: SunoMock, aiohttp_server: AiohttpServer
) -> None:
    app = MusicApp(suno_mock.api_url, api_key="test-key")
    web_app = web.Application()
    web_app.router.add_post("/suno/callback", app.callback)
    server = await aiohttp_server(web_app)

    task_id = await app.extend_song(
        "e3225e2d-16ec-4f5c-9dcc-16fd548631e1", 60, str(server.make_url("/suno/callback"))
    )
    delivered = await suno_mock.wait_for_callback(task_id, "complete")  # no real waiting

    assert delivered.response_status == 200  # what the app answered
    suno_mock.assert_callback_sequence(task_id, ["text", "first", "complete"])
    assert app.stages == ["text", "first", "complete"]
    assert len(app.tracks) == 2
    assert {t["title"] for t in app.tracks.values()} == {"Silver Moon (Extended)"}
