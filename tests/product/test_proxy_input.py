"""What `suno-mock proxy` is sent and recorded cannot hurt: no credential reaches the recording
whatever its name or place, hostile bodies, answers, paths and tokens still get an answer, and
recorded text cannot plant a key in a scenario. A fake upstream on loopback plays the real
service."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import shlex
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import yaml
from aiohttp import web

from mock_server.capture import Redactor, load_recording
from mock_server.capture.proxy import Proxy, ProxyConfig, token_guard
from mock_server.cli import build_parser, main
from mock_server.families.music.recording import scenario_yaml
from mock_server.http.listener import Listener
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import ROOT, generate_body

PLANTED = {
    name: f"planted-{name}-7f3a9c2e41"
    for name in (
        "authorization", "cookie", "x-auth-key", "x-access-key", "x-private-key", "x-api_key",
        "query-api_key", "query-access_token", "body-apiKey", "body-nested-token",
        "body-list-password", "callback-url-token", "answer-accessToken", "callback-header",
        "callback-body-sessionToken", "media-url-signature", "upload-query-key",
        "multipart-field", "urlencoded-field",
    )
}  # fmt: skip
"""Every place a credential was found on disk, each with its own value to look for."""


class FakeUpstream(Listener):
    """The real service as far as the proxy can tell: answers every /api/ request with
    success and an echo of what it was sent, calls back before answering a submit (with a
    secret header and secret keys), and keeps every request body it got."""

    def __init__(self, task_id: str = "task-1") -> None:
        super().__init__("127.0.0.1", 0)
        self.task_id = task_id
        self.seen: list[bytes] = []

    async def _any(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        self.seen.append(raw)
        if request.path == "/api/v1/generate":
            await self._call_back(json.loads(raw)["callBackUrl"])
        # An upstream that echoes what it was given, under names that look innocent.
        return web.json_response({
            "code": 200, "msg": f"success for {request.headers.get('Authorization')}",
            "data": {"taskId": self.task_id, "accessToken": PLANTED["answer-accessToken"],
                     "echo": request.query_string},
        })  # fmt: skip

    async def _call_back(self, url: str) -> None:
        signed = f"http://files.invalid/a.mp3?X-Amz-Signature={PLANTED['media-url-signature']}"
        body = {"code": 200, "msg": "All generated successfully.", "data": {
            "callbackType": "complete", "task_id": self.task_id,
            "sessionToken": PLANTED["callback-body-sessionToken"],
            "data": [{"id": "a1", "title": "Night", "tags": "jazz", "prompt": "la",
                      "duration": 61.5, "audio_url": signed, "model_name": "chirp-v4",
                      "createTime": 1}],
        }}  # fmt: skip
        headers = {"X-Webhook-Auth": PLANTED["callback-header"], "X-Request-Id": "r-1"}
        async with (
            aiohttp.ClientSession() as http,
            http.post(url, json=body, headers=headers) as resp,
        ):
            assert resp.status == 200

    def build_app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._any)
        return app


@pytest.fixture
async def upstream() -> AsyncIterator[FakeUpstream]:
    async with FakeUpstream() as fake:
        yield fake


def every_file(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


async def test_no_planted_secret_reaches_the_recording(
    tmp_path: Path,
    upstream: FakeUpstream,
    callback_receiver: CallbackReceiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, "mock_server")
    folder = tmp_path / "rec"
    headers = {
        "Authorization": f"Bearer {PLANTED['authorization']}",
        "Cookie": f"theme=dark; session={PLANTED['cookie']}",
        "X-Auth-Key": PLANTED["x-auth-key"],
        "X-Access-Key": PLANTED["x-access-key"],
        "X-Private-Key": PLANTED["x-private-key"],
        "X-Api_Key": PLANTED["x-api_key"],
        "X-Client-Name": "demo-client",
    }
    query = {"api_key": PLANTED["query-api_key"], "access_token": PLANTED["query-access_token"]}
    body = generate_body(f"{callback_receiver.url}?token={PLANTED['callback-url-token']}")
    users = [{"name": "ann", "password": PLANTED["body-list-password"]}]
    nested = {"auth": {"token": PLANTED["body-nested-token"]}, "users": users}
    body |= {"apiKey": PLANTED["body-apiKey"], "metadata": nested}
    form = aiohttp.FormData({"uploadPath": "hums", "apiKey": PLANTED["multipart-field"]})
    form.add_field("file", b"ID3 not really", filename="hum.mp3", content_type="audio/mpeg")
    config = ProxyConfig(upstream=upstream.url, record_dir=folder)
    async with Proxy(config) as proxy, aiohttp.ClientSession(headers=headers) as http:
        async with http.post(f"{proxy.url}/api/v1/generate", params=query, json=body) as resp:
            assert (await resp.json())["data"]["taskId"] == "task-1"
        poll = {"taskId": "task-1", **query}
        async with http.get(f"{proxy.url}/api/v1/generate/record-info", params=poll) as resp:
            assert resp.status == 200
        async with http.post(
            f"{proxy.url}/api/file-stream-upload",
            params={"key": PLANTED["upload-query-key"]},
            data=form,
        ) as resp:
            assert resp.status == 200
        urlencoded = {"prompt": "kept", "password": PLANTED["urlencoded-field"]}
        async with http.post(f"{proxy.url}/api/v1/lyrics", data=urlencoded) as resp:
            assert resp.status == 200
        await proxy.idle()
    # The proxy hid nothing from the real parties...
    assert PLANTED["body-apiKey"].encode() in upstream.seen[0]
    (callback,) = callback_receiver.requests
    assert callback.headers["X-Webhook-Auth"] == PLANTED["callback-header"]
    # ...and wrote none of it down.
    written = every_file(folder)
    assert len(written) >= 6, sorted(written)
    for path, data in written.items():
        for name, secret in PLANTED.items():
            assert secret.encode() not in data, f"{name} in {path}"
    assert "callback -> " in caplog.text
    assert [name for name, secret in PLANTED.items() if secret in caplog.text] == []
    recording = load_recording(folder)
    submit = recording.exchanges[0]
    assert submit.headers.get("X-Client-Name") == "demo-client"  # not every header goes
    assert not {"Authorization", "Cookie", "X-Auth-Key", "X-Api_Key"} & set(submit.headers)
    assert submit.query == {"api_key": "<redacted>", "access_token": "<redacted>"}
    assert submit.body["apiKey"] == "<redacted>"
    assert submit.body["metadata"]["auth"] == {}  # a secret-named object: blanked to its type
    assert submit.body["metadata"]["users"][0] == {"name": "ann", "password": "<redacted>"}
    assert submit.body["style"] == body["style"]
    assert recording.callbacks[0].headers.get("X-Request-ID") == "r-1"
    upload, lyrics = recording.exchanges[2:]
    assert b"ID3 not really" in recording.body_bytes(upload)
    assert recording.body_bytes(lyrics) == b"prompt=kept&password=%3Credacted%3E"
    scenario = yaml.safe_load((folder / "scenarios" / "task-1.yaml").read_text())
    assert scenario["payload"]["title"] == "Night"


async def test_names_added_by_the_setting_are_blanked_too(
    tmp_path: Path, upstream: FakeUpstream
) -> None:
    config = ProxyConfig(upstream=upstream.url, record_dir=tmp_path, redact=("X-Tenant", "*mail*"))
    headers = {"X-Tenant": "acme-corp-4242", "Authorization": "Bearer k"}
    async with Proxy(config) as proxy, aiohttp.ClientSession(headers=headers) as http:
        body = {"userEmail": "ann@example.invalid", "title": "kept"}
        async with http.post(f"{proxy.url}/api/v1/lyrics", json=body) as resp:
            assert resp.status == 200
    (exchange,) = load_recording(tmp_path).exchanges
    assert exchange.body == {"userEmail": "<redacted>", "title": "kept"}
    assert "X-Tenant" not in exchange.headers
    everything = b"".join(every_file(tmp_path).values())
    assert b"acme-corp-4242" not in everything
    assert b"ann@example.invalid" not in everything


async def test_api_fields_that_look_secret_are_kept(tmp_path: Path, upstream: FakeUpstream) -> None:
    """A musical key, a stem's URL, a video's author: blanking them would make a drift replay
    send a request the mock refuses."""
    config = ProxyConfig(upstream=upstream.url, record_dir=tmp_path)
    body = {"soundKey": "C#m", "author": "Ann", "keyboard_url": "https://files.invalid/k.mp3"}
    async with (
        Proxy(config) as proxy,
        aiohttp.ClientSession() as http,
        http.post(f"{proxy.url}/api/v1/generate/sounds", json=body) as resp,
    ):
        assert resp.status == 200
    assert load_recording(tmp_path).exchanges[0].body == body


async def send(
    proxy: Proxy, path: str, raw: bytes, headers: dict[str, str] | None = None
) -> tuple[int, bytes, str]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            proxy.url + path,
            data=raw,
            headers={"Content-Type": "application/json"} | (headers or {}),
        ) as resp,
    ):
        return resp.status, await resp.read(), resp.headers.get("Content-Type", "")


async def test_a_lone_surrogate_from_the_client_goes_through(
    tmp_path: Path, upstream: FakeUpstream, callback_receiver: CallbackReceiver
) -> None:
    raw = json.dumps(generate_body(callback_receiver.url, title="half \ud800 moon")).encode()
    assert b"\\ud800" in raw
    config = ProxyConfig(upstream=upstream.url, record_dir=tmp_path)
    async with Proxy(config) as proxy:
        status, answer, _ = await send(proxy, "/api/v1/generate", raw)
        proxy_url = proxy.url
    assert status == 200, answer
    assert json.loads(answer)["data"]["taskId"] == "task-1"
    sent = json.loads(upstream.seen[0])
    assert sent["title"] == "half \ud800 moon"  # as the client sent it
    assert sent["callBackUrl"].startswith(proxy_url)  # the proxy's endpoint, as always
    assert load_recording(tmp_path).exchanges[0].body["title"] == "half \ud800 moon"


@contextlib.asynccontextmanager
async def raw_upstream(answer: bytes) -> AsyncIterator[str]:
    """An upstream on loopback that answers every request with these exact bytes (headers no
    HTTP library would write)."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = re.search(rb"(?i)content-length: *(\d+)", head)
        await reader.readexactly(int(length.group(1)) if length else 0)
        writer.write(answer)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    async with server:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"


def http_answer(body: bytes, content_type: bytes = b"application/json") -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: " + content_type
        + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n"
        + body
    )  # fmt: skip


@pytest.mark.parametrize(
    ("body", "content_type", "passed_type"),
    [
        (b'{"code":200,"msg":"ok \\udc80","data":{"taskId":"t\\ud800"}}', b"application/json",
         "application/json"),
        (b'{"code":200,"msg":"\xff\xfe not UTF-8"}', b"application/json", "application/json"),
        (b'{"code":200,"msg":"ok","data":null}', b"application/json; charset=\xff",
         "application/octet-stream"),
    ],
    ids=["lone surrogate", "invalid UTF-8", "undecodable content type"],
)  # fmt: skip
async def test_a_hostile_upstream_answer_reaches_the_client(
    tmp_path: Path, body: bytes, content_type: bytes, passed_type: str
) -> None:
    async with raw_upstream(http_answer(body, content_type)) as upstream:
        config = ProxyConfig(upstream=upstream, record_dir=tmp_path)
        async with Proxy(config) as proxy:
            status, got, got_type = await send(proxy, "/api/v1/lyrics", b'{"prompt": "x"}')
    assert (status, got, got_type) == (200, body, passed_type)
    (exchange,) = load_recording(tmp_path).exchanges
    assert exchange.status == 200


async def test_a_long_or_deep_request_passes_through(
    tmp_path: Path, upstream: FakeUpstream
) -> None:
    long_path = "/api/v1/" + "segment/" * 40 + "end"
    assert len(long_path) > 255
    deep = b"[" * 100_000 + b"]" * 100_000
    config = ProxyConfig(upstream=upstream.url, record_dir=tmp_path)
    async with Proxy(config) as proxy:
        assert (await send(proxy, long_path, b"{}"))[0] == 200
        assert (await send(proxy, "/api/v1/lyrics", deep))[0] == 200
    assert upstream.seen[-1] == deep
    recording = load_recording(tmp_path)
    assert [e.path for e in recording.exchanges] == [long_path, "/api/v1/lyrics"]
    assert all(len(Path(e.file).name) < 100 for e in recording.exchanges)


@pytest.mark.parametrize(
    "header",
    [b"X-Suno-Mock-Token: \xc3\xa9", b"X-Suno-Mock-Token: \xe9", b"X-Suno-Mock-Token: \xff\xfe"],
    ids=["UTF-8 e-acute", "latin-1 e-acute", "invalid UTF-8"],
)
async def test_a_non_ascii_proxy_token_is_refused(upstream: FakeUpstream, header: bytes) -> None:
    config = ProxyConfig(upstream=upstream.url)
    async with Proxy(config, middlewares=[token_guard("proxy-token")]) as proxy:
        reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
        writer.write(
            b"GET /api/v1/generate/credit HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Connection: close\r\n" + header + b"\r\n\r\n"
        )
        raw = await asyncio.wait_for(reader.read(), 5)
        writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 401 "), head
    assert json.loads(body)["msg"] == (
        "Unauthorized: this proxy is exposed; send X-Suno-Mock-Token"
    )
    assert upstream.seen == []


def test_a_comment_line_cannot_start_a_key() -> None:
    text = scenario_yaml(
        {"version": 1, "description": "x\nerror: {after: .nan}"},
        "task t1\nerror: {after: .nan}\r\u2028\x85 end",
    )
    assert text.split("\n")[:2] == [
        "# task t1\\nerror: {after: .nan}\\r\\u2028\\u0085 end",
        "version: 1",
    ]
    assert yaml.safe_load(text) == {"version": 1, "description": "x\nerror: {after: .nan}"}


async def test_a_task_id_cannot_plant_a_key_in_a_recorded_scenario(
    tmp_path: Path, callback_receiver: CallbackReceiver, capsys: pytest.CaptureFixture[str]
) -> None:
    planted = "t1\nerror: {after: .nan}\n#"
    async with FakeUpstream(task_id=planted) as upstream:
        config = ProxyConfig(upstream=upstream.url, record_dir=tmp_path)
        async with Proxy(config) as proxy:
            status, answer, _ = await send(
                proxy, "/api/v1/generate", json.dumps(generate_body(callback_receiver.url)).encode()
            )
    assert status == 200, answer
    (path,) = (tmp_path / "scenarios").glob("*.yaml")
    scenario = yaml.safe_load(path.read_text())
    assert "error" not in scenario
    assert scenario["name"] == f"recorded-{planted}"  # kept whole, as a quoted value
    assert main(["check", str(path)]) == 0, capsys.readouterr()


def test_the_pattern_list_is_documented() -> None:
    from mock_server.capture import KEPT_NAMES, SECRET_PATTERNS
    from mock_server.capture.redact import normalised

    page = (ROOT / "docs" / "tools.md").read_text()
    missing = [p for p in SECRET_PATTERNS if f"`{p}`" not in page]
    assert missing == [], "add them to docs/tools.md (What a recording never holds)"
    assert all(name in normalised(page) for name in KEPT_NAMES)


async def test_a_recording_that_cannot_be_written_costs_the_client_nothing(
    tmp_path: Path, upstream: FakeUpstream
) -> None:
    config = ProxyConfig(upstream=upstream.url, record_dir=tmp_path)
    async with Proxy(config) as proxy:
        shutil.rmtree(tmp_path / "requests")
        (tmp_path / "requests").write_text("in the way")  # every fixture write now fails
        status, answer, _ = await send(proxy, "/api/v1/lyrics", b'{"prompt": "x"}')
        problems = list(proxy.problems)
    assert status == 200
    assert json.loads(answer)["msg"] == "success for None"  # the upstream's own answer
    (problem,) = problems
    assert problem.startswith("recording: POST /api/v1/lyrics not written: [Errno 20]")


def test_the_documented_redact_command() -> None:
    """docs/tools.md's --redact line (it forwards to the real service, so it is parsed here,
    not run): its names are secret for the recorder it configures."""
    page = (ROOT / "docs" / "tools.md").read_text()
    block = page.split(
        "<!-- run by: tests/product/test_proxy_input.py::test_the_documented_redact_", 1
    )
    command = block[1].split("```sh\n", 1)[1].split("```", 1)[0].replace("\\\n", " ")
    words = shlex.split(command)
    assert words[:2] == ["suno-mock", "proxy"]
    parser, _ = build_parser()
    args = parser.parse_args(words[1:])
    redactor = Redactor(args.redact)
    assert [redactor.secret(n) for n in ("X-Tenant", "userEmail", "X-Mail-To", "title")] == [
        True, True, True, False,
    ]  # fmt: skip
