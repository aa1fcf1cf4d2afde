"""The File Upload API: base64, multipart and URL uploads, served back until they expire."""

from __future__ import annotations

import base64
import io
import wave
from typing import Any

import aiohttp
import pytest

from mock_server.testing import SunoMock
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import Api, SunoMockFactory, generate_body

BASE64 = "/api/file-base64-upload"
STREAM = "/api/file-stream-upload"
URL = "/api/file-url-upload"
DATA_KEYS = {"fileName", "filePath", "downloadUrl", "fileSize", "mimeType", "uploadedAt"}


def wav(seconds: float) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * int(8000 * seconds))
    return buffer.getvalue()


async def download(http: aiohttp.ClientSession, url: str) -> tuple[int, bytes, str]:
    async with http.get(url) as resp:
        return resp.status, await resp.read(), resp.content_type


async def test_base64_upload_is_served_back(
    api: Api, suno_mock: SunoMock, http: aiohttp.ClientSession
) -> None:
    data = wav(2.0)
    body = {
        "base64Data": base64.b64encode(data).decode(),
        "uploadPath": "audio/uploads",
        "fileName": "hum.wav",
    }
    status, envelope = await api.post(BASE64, body)
    assert status == 200
    assert {k: envelope[k] for k in ("success", "code", "msg")} == {
        "success": True,
        "code": 200,
        "msg": "File uploaded successfully",
    }
    info = envelope["data"]
    assert set(info) == DATA_KEYS
    assert info == {
        "fileName": "hum.wav", "filePath": "audio/uploads/hum.wav",
        "downloadUrl": f"{suno_mock.url}/files/tmp/audio/uploads/hum.wav", "fileSize": len(data),
        "mimeType": "audio/x-wav", "uploadedAt": "2026-01-01T00:00:00.000Z",
    }  # fmt: skip
    assert await download(http, info["downloadUrl"]) == (200, data, "audio/x-wav")


async def test_data_uri_and_generated_file_name(api: Api, http: aiohttp.ClientSession) -> None:
    data = b"\xff\xd8\xff\xe0fake-jpeg"
    body = {
        "base64Data": "data:image/jpeg;base64," + base64.b64encode(data).decode(),
        "uploadPath": "/images/",
    }
    _, envelope = await api.post(BASE64, body)
    info = envelope["data"]
    assert (info["mimeType"], info["filePath"]) == ("image/jpeg", "images/upload-1.jpg")
    assert (await download(http, info["downloadUrl"]))[1] == data


async def test_stream_upload(api: Api, http: aiohttp.ClientSession) -> None:
    data = wav(1.0)
    form = aiohttp.FormData()
    form.add_field("file", data, filename="take1.wav", content_type="audio/wav")
    form.add_field("uploadPath", "audio")
    async with http.post(api.base + STREAM, data=form) as resp:
        envelope = await resp.json()
    assert (envelope["success"], envelope["data"]["filePath"]) == (True, "audio/take1.wav")
    assert envelope["data"]["mimeType"] == "audio/wav"
    assert (await download(http, envelope["data"]["downloadUrl"]))[1] == data


async def test_url_upload_downloads_from_allowed_hosts(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    task_id = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    await suno_mock.clock.advance(150)
    track = suno_mock.task(task_id).tracks[0]
    source = f"{suno_mock.url}/files/audio/{track.id}.mp3"
    _, envelope = await api.post(URL, {"fileUrl": source, "uploadPath": "copies"})
    assert envelope["data"]["fileName"] == f"{track.id}.mp3"
    assert envelope["data"]["mimeType"] == "audio/mpeg"

    _, envelope = await api.post(URL, {"fileUrl": "https://files.invalid/a.mp3", "uploadPath": "x"})
    assert (envelope["success"], envelope["code"]) == (False, 400)
    assert envelope["msg"].startswith(
        "fileUrl: not downloaded: 'files.invalid' is not a loopback host; allow it with "
        "--allow-callback-host files.invalid"
    )
    _, envelope = await api.post(
        URL, {"fileUrl": f"{suno_mock.url}/files/audio/x.mp3", "uploadPath": "x"}
    )
    assert envelope["msg"] == (
        f"fileUrl: could not download: GET {suno_mock.url}/files/audio/x.mp3 answered HTTP 404"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"base64Data": "not base64!", "uploadPath": "a"},
         "Base64 decoding failed: Invalid Base64 format"),
        ({"base64Data": "aGk="}, "Missing required parameter: uploadPath"),
        ({"uploadPath": "a"}, "Missing required parameter: base64Data"),
        (
            {"base64Data": "aGk=", "uploadPath": "a/../../etc", "fileName": "x"},
            "uploadPath/fileName: a/../../etc/x is not a plain relative path",
        ),
        ({"base64Data": "aGk=", "uploadPath": "  "}, "Missing required parameter: uploadPath"),
    ],
)  # fmt: skip
async def test_bad_uploads_get_the_upload_envelope(
    api: Api, body: dict[str, Any], message: str
) -> None:
    status, envelope = await api.post(BASE64, body)
    assert status == 400  # the File Upload API's own page: HTTP statuses
    assert (envelope["success"], envelope["code"], envelope["data"]) == (False, 400, None)
    assert envelope["msg"].startswith(message)


async def test_stream_upload_problems(api: Api, http: aiohttp.ClientSession) -> None:
    form = aiohttp.FormData(default_to_multipart=True)
    form.add_field("uploadPath", "audio")
    form.add_field("note", "no file here")
    async with http.post(api.base + STREAM, data=form) as resp:
        assert (await resp.json())["msg"] == "Missing required parameter: file"
    _, envelope = await api.post(STREAM, {"file": "x"})
    assert envelope["msg"] == "Content-Type: must be multipart/form-data, got 'application/json'"


async def test_size_limit_and_auth(
    suno_mock_factory: SunoMockFactory, http: aiohttp.ClientSession
) -> None:
    server = await suno_mock_factory(max_upload_bytes=1000)
    body = {"base64Data": base64.b64encode(bytes(1001)).decode(), "uploadPath": "a"}
    _, envelope = await Api(http, server.url).post(BASE64, body)
    assert envelope["msg"] == (
        "file: 1001 bytes is larger than 1000 bytes (setting max_upload_bytes)"
    )
    async with aiohttp.ClientSession() as bare, bare.post(server.url + BASE64, json=body) as r:
        assert {k: (await r.json())[k] for k in ("success", "code")} == {
            "success": False,
            "code": 401,
        }


async def test_uploads_expire_after_three_days(
    suno_mock: SunoMock, api: Api, http: aiohttp.ClientSession
) -> None:
    body = {"base64Data": base64.b64encode(b"hi").decode(), "uploadPath": "t", "fileName": "a"}
    url = (await api.post(BASE64, body))[1]["data"]["downloadUrl"]
    await suno_mock.clock.advance(3 * 86400)
    assert (await download(http, url))[0] == 200
    await suno_mock.clock.advance(1)
    status, body_bytes, _ = await download(http, url)
    assert status == 404
    assert b"uploads are kept 3 days" in body_bytes


async def test_upload_then_upload_extend_uses_the_real_duration(
    suno_mock: SunoMock, api: Api, callback_receiver: CallbackReceiver
) -> None:
    body = {
        "base64Data": base64.b64encode(wav(30.0)).decode(),
        "uploadPath": "demos",
        "fileName": "demo.wav",
    }
    url = (await api.post(BASE64, body))[1]["data"]["downloadUrl"]
    extend = {
        "uploadUrl": url,
        "defaultParamFlag": True,
        "instrumental": True,
        "continueAt": 31,
        "style": "lofi",
        "title": "Demo",
        "model": "V4",
        "callBackUrl": callback_receiver.url,
    }
    _, envelope = await api.post("/api/v1/generate/upload-extend", extend)
    assert envelope["msg"] == (
        "continueAt: must be greater than 0 and less than the source audio's duration (30 s), "
        "got 31"
    )
    task_id = await api.submit("/api/v1/generate/upload-extend", dict(extend, continueAt=20))
    await suno_mock.clock.advance(150)
    info = await api.record_info(task_id)
    assert info["operationType"] == "upload_extend"
    assert all(20 + 60 <= t["duration"] <= 20 + 150 for t in info["response"]["sunoData"])
