"""Uploaded files never run as a page on the mock's origin, and their names stay plain."""

from __future__ import annotations

import base64
from urllib.parse import unquote

import aiohttp
import pytest

from mock_server.testing import SunoMock
from tests.helpers import Api

BASE64 = "/api/file-base64-upload"
STREAM = "/api/file-stream-upload"
PAGE = b"<html><script>fetch('/__mock__/reset', {method: 'POST'})</script></html>"


async def upload(api: Api, name: str, data: bytes, mime: str = "") -> dict[str, str]:
    prefix = f"data:{mime};base64," if mime else ""
    body = {
        "base64Data": prefix + base64.b64encode(data).decode(),
        "uploadPath": "u",
        "fileName": name,
    }
    status, envelope = await api.post(BASE64, body)
    assert (status, envelope["code"]) == (200, 200), envelope
    return dict(envelope["data"])


@pytest.mark.parametrize(
    ("name", "mime"),
    [("p.html", ""), ("p.svg", ""), ("p.xml", ""), ("p", "text/html"), ("p.js", "")],
)
async def test_pages_and_scripts_are_served_as_downloads(
    api: Api, http: aiohttp.ClientSession, name: str, mime: str
) -> None:
    info = await upload(api, name, PAGE, mime)
    async with http.get(info["downloadUrl"]) as resp:
        assert resp.status == 200
        assert await resp.read() == PAGE
        assert resp.headers["Content-Type"] == "application/octet-stream"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
        assert "sandbox" in resp.headers["Content-Security-Policy"]


async def test_media_is_served_inline_with_its_type(api: Api, http: aiohttp.ClientSession) -> None:
    info = await upload(api, "hum.mp3", b"ID3\x03\x00rest")
    async with http.get(info["downloadUrl"]) as resp:
        assert resp.headers["Content-Type"] == "audio/mpeg"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Content-Disposition"] == "inline; filename*=UTF-8''hum.mp3"


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("../x.mp3", ".._x.mp3"),
        ("a/../../b.mp3", "a_.._.._b.mp3"),
        ("q?x=1.mp3", "q_x=1.mp3"),
        ("frag#1.mp3", "frag_1.mp3"),
        ("nul\x00.mp3", "nul_.mp3"),
        ("tab\there\r\n.mp3", "tab_here__.mp3"),
        ("back\\slash.mp3", "back_slash.mp3"),
        ("100% sure.mp3", "100% sure.mp3"),
        ("caf\u00e9 \U0001f3b5.mp3", "caf\u00e9 \U0001f3b5.mp3"),
    ],
)
async def test_file_names_are_sanitised_and_urls_encoded(
    api: Api, suno_mock: SunoMock, http: aiohttp.ClientSession, name: str, stored: str
) -> None:
    info = await upload(api, name, b"ID3data")
    assert (info["fileName"], info["filePath"]) == (stored, f"u/{stored}")
    url = info["downloadUrl"]
    tail = url.removeprefix(f"{suno_mock.url}/files/tmp/")
    assert not any(c in tail for c in " ?#\\\x00")
    assert unquote(tail) == f"u/{stored}"
    async with http.get(url) as resp:
        assert (resp.status, await resp.read()) == (200, b"ID3data")


@pytest.mark.parametrize("name", ["..", ".", " .. "])
async def test_names_that_climb_out_are_refused(api: Api, name: str) -> None:
    body = {"base64Data": "SUQz", "uploadPath": "u", "fileName": name}
    status, envelope = await api.post(BASE64, body)
    assert (status, envelope["code"]) == (400, 400)
    assert "is not a plain relative path" in envelope["msg"]


async def test_a_multipart_html_upload_is_not_a_page(api: Api, http: aiohttp.ClientSession) -> None:
    form = aiohttp.FormData()
    form.add_field("uploadPath", "u")
    form.add_field("file", PAGE, filename="p.html", content_type="text/html")
    status, envelope = await api.post(STREAM, None, data=form)
    assert (status, envelope["code"]) == (200, 200), envelope
    assert envelope["data"]["mimeType"] == "text/html"  # what the real API reports
    async with http.get(envelope["data"]["downloadUrl"]) as resp:
        assert resp.headers["Content-Type"] == "application/octet-stream"
        assert resp.headers["Content-Disposition"] == "attachment; filename*=UTF-8''p.html"
