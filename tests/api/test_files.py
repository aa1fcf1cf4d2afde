"""The files behind the returned URLs: a real MP3 of the right length, a JPEG, ranges."""

from __future__ import annotations

import io
from typing import Any

import aiohttp
import mutagen.mp3
import pytest
from PIL import Image

from mock_server import ManualClock
from mock_server.testing import SunoMock
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import Api, SunoMockFactory, generate_body


@pytest.fixture
async def track(
    suno_mock: SunoMock, api: Api, callback_receiver: CallbackReceiver
) -> dict[str, object]:
    task_id = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    await suno_mock.clock.advance(150)
    return dict((await api.record_info(task_id))["response"]["sunoData"][0])


async def fetch(http: aiohttp.ClientSession, url: object, **headers: str) -> aiohttp.ClientResponse:
    resp = await http.get(str(url), headers=headers)
    await resp.read()
    return resp


@pytest.mark.parametrize("field", ["audioUrl", "sourceAudioUrl"])
async def test_audio_is_an_mp3_as_long_as_the_track(
    http: aiohttp.ClientSession, track: dict[str, object], field: str
) -> None:
    resp = await fetch(http, track[field])
    assert resp.status == 200
    assert resp.content_type == "audio/mpeg"
    assert resp.headers["Accept-Ranges"] == "bytes"
    info: Any = mutagen.mp3.MP3(io.BytesIO(await resp.read())).info
    assert isinstance(track["duration"], float)
    assert abs(info.length - track["duration"]) < 1.0
    assert (info.sample_rate, info.channels) == (16000, 1)


@pytest.mark.parametrize("field", ["streamAudioUrl", "sourceStreamAudioUrl"])
async def test_stream_sends_the_same_mp3_chunked(
    http: aiohttp.ClientSession, track: dict[str, object], field: str
) -> None:
    whole = await (await fetch(http, track["audioUrl"])).read()
    resp = await fetch(http, track[field])
    assert resp.status == 200
    assert resp.headers["Transfer-Encoding"] == "chunked"
    assert await resp.read() == whole


async def test_range_requests(http: aiohttp.ClientSession, track: dict[str, object]) -> None:
    whole = await (await fetch(http, track["audioUrl"])).read()
    part = await fetch(http, track["audioUrl"], Range="bytes=100-199")
    assert part.status == 206
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(whole)}"
    assert await part.read() == whole[100:200]

    tail = await fetch(http, track["audioUrl"], Range="bytes=-10")
    assert (tail.status, await tail.read()) == (206, whole[-10:])

    beyond = await fetch(http, track["audioUrl"], Range=f"bytes={len(whole) + 5}-")
    assert beyond.status == 416
    assert beyond.headers["Content-Range"] == f"bytes */{len(whole)}"


@pytest.mark.parametrize("field", ["imageUrl", "sourceImageUrl"])
async def test_image_is_a_jpeg(
    http: aiohttp.ClientSession, track: dict[str, object], field: str
) -> None:
    resp = await fetch(http, track[field])
    assert (resp.status, resp.content_type) == (200, "image/jpeg")
    image = Image.open(io.BytesIO(await resp.read()))
    assert image.format == "JPEG"
    assert image.size == (256, 256)


@pytest.mark.parametrize(
    "path", ["/files/audio/nope.mp3", "/files/stream/nope", "/files/image/nope.jpeg"]
)
async def test_unknown_file_ids_are_404(
    http: aiohttp.ClientSession, suno_mock: SunoMock, path: str
) -> None:
    resp = await fetch(http, suno_mock.url + path)
    assert resp.status == 404
    assert (await resp.json())["msg"] == "no file for track id 'nope'"


async def test_public_base_url_is_used_for_file_urls(
    suno_mock_factory: SunoMockFactory,
    http: aiohttp.ClientSession,
    callback_receiver: CallbackReceiver,
) -> None:
    server = await suno_mock_factory(public_base_url="https://mock.example/base/")
    api = Api(http, server.url)
    task_id = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    assert isinstance(server.clock, ManualClock)
    await server.clock.advance(150)
    track = (await api.record_info(task_id))["response"]["sunoData"][0]
    assert track["audioUrl"] == f"https://mock.example/base/files/audio/{track['id']}.mp3"
