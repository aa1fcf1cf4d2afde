"""The control plane is safe by default (cross-site, rebound and unauthenticated requests are
refused; scenario names never become file paths), and slow clients are cut off."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from mock_server import MockServer, Settings
from mock_server.cli import banner, browser_urls
from mock_server.core.net import Exposure, is_loopback
from mock_server.testing import SunoMock
from tests.helpers import SunoMockFactory, generate_body
from tests.product.test_cli import start

JSON = {"Content-Type": "application/json"}
TOKEN = "s3cret"  # noqa: S105 (a test's token)
ANY = "0.0.0.0"  # noqa: S104 (never bound: only the names are tested)


async def call(server: MockServer, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, server.url + path, **kwargs) as resp,
    ):
        body = await resp.json() if resp.content_type == "application/json" else None
        return resp.status, body


async def test_a_cross_origin_request_is_refused(suno_mock: SunoMock) -> None:
    evil = {"Origin": "http://evil.invalid"}
    status, body = await call(suno_mock, "POST", "/__mock__/reset", json={}, headers=evil)
    assert status == 403
    assert body == {
        "code": 403,
        "msg": "control plane: cross-site request from Origin 'http://evil.invalid' refused; "
        "only pages served by the mock itself may call it",
        "data": None,
    }
    # Another port on the same host is another origin too; so is a sandboxed page ("null").
    other_port = {"Origin": suno_mock.url.rsplit(":", 1)[0] + ":1"}
    assert (await call(suno_mock, "POST", "/__mock__/reset", json={}, headers=other_port))[0] == 403
    null = {"Origin": "null"}
    assert (await call(suno_mock, "GET", "/__mock__/requests", headers=null))[0] == 403
    # The mock's own pages (the dashboard) send their own origin.
    own = {"Origin": suno_mock.url}
    assert (await call(suno_mock, "POST", "/__mock__/reset", json={}, headers=own))[0] == 200


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("text/plain", b'{"default": "maintenance"}'),
        ("application/x-www-form-urlencoded", b"default=maintenance"),
        (None, None),
    ],
    ids=["text/plain", "form", "no body"],
)
async def test_control_plane_posts_must_be_json(
    suno_mock: SunoMock, content_type: str | None, data: bytes | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    status, body = await call(suno_mock, "POST", "/__mock__/scenario", data=data, headers=headers)
    assert status == 415
    assert body["msg"].startswith("Content-Type: must be application/json")
    assert suno_mock.engine.scenarios.default is None
    status, _ = await call(suno_mock, "POST", "/__mock__/reset", data=data, headers=headers)
    assert status == 415


async def test_a_rebound_host_name_is_refused(suno_mock: SunoMock) -> None:
    # DNS rebinding: a page on rebind.invalid whose name now resolves to 127.0.0.1.
    status, body = await call(
        suno_mock, "GET", "/__mock__/requests", headers={"Host": "rebind.invalid:80"}
    )
    assert status == 403
    assert body["msg"].startswith("control plane: Host 'rebind.invalid' is not this server's")
    port = suno_mock.port
    for host in ("localhost", f"localhost:{port}", f"127.0.0.1:{port}", "[::1]"):
        assert (await call(suno_mock, "GET", "/__mock__/requests", headers={"Host": host}))[
            0
        ] == 200
    # Health stays open (a container HEALTHCHECK), and the API keeps its own rules.
    assert (await call(suno_mock, "GET", "/__mock__/health", headers={"Host": "x.invalid"}))[
        0
    ] == 200


async def test_a_token_protects_the_control_plane(suno_mock_factory: SunoMockFactory) -> None:
    server = await suno_mock_factory(control_token=TOKEN)
    status, body = await call(server, "GET", "/__mock__/tasks")
    assert status == 401
    assert body["msg"].startswith("control plane: missing or wrong token; send header X-Suno")
    wrong = {"X-Suno-Mock-Token": "guess"}
    assert (await call(server, "POST", "/__mock__/reset", json={}, headers=wrong))[0] == 401
    right = {"X-Suno-Mock-Token": "s3cret"}
    assert (await call(server, "POST", "/__mock__/reset", json={}, headers=right))[0] == 200
    assert (await call(server, "GET", "/__mock__/health"))[0] == 200
    async with aiohttp.ClientSession(headers={"Authorization": "Bearer k"}) as http:
        body = generate_body("http://127.0.0.1:9/cb")
        async with http.post(server.url + "/api/v1/generate", json=body) as resp:
            assert (await resp.json())["code"] == 200  # the API: Bearer rules only


@pytest.mark.parametrize(
    "line",
    [
        b"X-Suno-Mock-Token: \xc3\xa9",
        b"X-Suno-Mock-Token: \xe9",
        b"X-Suno-Mock-Token: \xff\xfe" + TOKEN.encode(),
        b"Cookie: suno_mock_token=\xc3\xa9",
        b"Cookie: suno_mock_token=\xff",
    ],
    ids=["header UTF-8", "header latin-1", "header invalid UTF-8", "cookie UTF-8",
         "cookie invalid UTF-8"],
)  # fmt: skip
async def test_a_non_ascii_token_is_a_wrong_token(
    suno_mock_factory: SunoMockFactory, line: bytes
) -> None:
    """Compared as bytes: whatever a client sends, the answer is the usual 401."""
    server = await suno_mock_factory(control_token=TOKEN)
    reader, writer = await open_raw(server)
    writer.write(
        b"GET /__mock__/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        + line + b"\r\n\r\n"
    )  # fmt: skip
    said = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    head, _, body = said.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 401 "), head
    assert json.loads(body)["msg"].startswith("control plane: missing or wrong token")


async def test_the_dashboard_link_with_the_token_sets_a_strict_cookie(
    suno_mock_factory: SunoMockFactory,
) -> None:
    server = await suno_mock_factory(control_token=TOKEN)
    jar = aiohttp.CookieJar(unsafe=True)  # cookies for an IP address host
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        async with http.get(server.url + "/__mock__/") as resp:
            assert resp.status == 401
        async with http.get(server.url + "/__mock__/?token=s3cret") as resp:
            assert resp.status == 200
            cookie = resp.headers["Set-Cookie"]
        assert "suno_mock_token=s3cret" in cookie
        assert "HttpOnly" in cookie
        assert "SameSite=Strict" in cookie
        assert "Path=/__mock__/" in cookie
        # The page's own fetches and its event stream now carry the cookie.
        async with http.get(server.url + "/__mock__/tasks") as resp:
            assert resp.status == 200
        async with http.post(server.url + "/__mock__/clock", json={"advance": 1}) as resp:
            assert resp.status == 200
        # ... but a cross-site page still cannot use it.
        evil = {"Origin": "http://evil.invalid"}
        async with http.post(server.url + "/__mock__/reset", json={}, headers=evil) as resp:
            assert resp.status == 403


def test_a_non_loopback_bind_generates_a_token() -> None:
    assert [is_loopback(h) for h in ("127.0.0.1", "::1", "[::1]", "localhost", "a.localhost")] == [
        True
    ] * 5
    assert [is_loopback(h) for h in (ANY, "::", "", "192.0.2.1", "files.invalid")] == [False] * 5
    assert Exposure.of("127.0.0.1", None).token is None
    assert Exposure.of("127.0.0.1", TOKEN).token == TOKEN
    generated = Exposure.of(ANY, None).token
    assert generated is not None
    assert len(generated) >= 32
    assert Exposure.of(ANY, None).token != generated
    assert Exposure.of("::", TOKEN).token == TOKEN
    # Constructing does not bind; the handle tells the token the banner prints.
    unbound = MockServer(Settings(), host=ANY)
    assert unbound.control_token is not None


def test_the_banner_prints_urls_a_browser_can_open() -> None:
    assert browser_urls("127.0.0.1", 8080) == ["http://127.0.0.1:8080"]
    assert browser_urls("::1", 8080) == ["http://[::1]:8080"]
    first, other = browser_urls(ANY, 8080)
    assert first == "http://127.0.0.1:8080"
    assert other.endswith(":8080")
    assert ANY not in other
    assert browser_urls("::", 8080)[0] == "http://[::1]:8080"
    lines = banner(Settings(), ANY, 8080, "tok-en", 1.0)
    assert lines[0].startswith(
        "suno-mock-server 0.1.0 listening on http://127.0.0.1:8080 "
        "(bound to 0.0.0.0, not loopback; seed 0"
    )
    assert lines[1] == "  dashboard:    http://127.0.0.1:8080/__mock__/?token=tok-en"
    assert lines[-1].startswith("  control token: tok-en (send header X-Suno-Mock-Token;")
    assert "http://0.0.0.0" not in "\n".join(lines)
    plain = banner(Settings(), "127.0.0.1", 8080, None, 1.0)
    assert plain[1] == "  dashboard:    http://127.0.0.1:8080/__mock__/"
    assert not any("token" in line for line in plain)


async def test_a_non_loopback_bind_logs_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    # Tests bind loopback only: the server is told it is exposed instead of being exposed.
    server = MockServer(Settings(), host="127.0.0.1")
    server.exposure = Exposure("192.0.2.1", "t")
    async with server:
        pass
    assert "a non-loopback address: anyone who can reach it can call the API" in caplog.text


# Finding 5: the control plane takes scenario names, never paths.


@pytest.mark.parametrize(
    "name",
    [
        "/etc/secret.yaml",
        "../outside/secret.yaml",
        "../outside/secret",
        "sub/secret",
        "..",
        "C:\\secret.yaml",
        "%2e%2e/secret",
        "",
    ],
)
async def test_scenario_names_never_become_paths(
    suno_mock_factory: SunoMockFactory, tmp_path: Path, name: str
) -> None:
    inside = tmp_path / "scenarios"
    inside.mkdir()
    (inside / "mine.yaml").write_text("version: 1\ndescription: mine\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("version: 1\npassword: hunter2\n")
    server = await suno_mock_factory(scenario_dirs=(str(inside),))
    name = name.replace("/etc/secret.yaml", str(outside / "secret.yaml"))
    for key in ("default", "next"):
        status, body = await call(server, "POST", "/__mock__/scenario", json={key: name})
        if name == "" and key == "default":
            assert status == 200  # an empty default is "no default"
            continue
        assert status == 400, body
        assert "hunter2" not in body["msg"]
        assert "password" not in body["msg"]
    assert server.engine.scenarios.default is None
    assert server.engine.scenarios.queued == []
    status, body = await call(server, "POST", "/__mock__/scenario", json={"default": "mine"})
    assert (status, body["default"]) == (200, "mine")
    status, body = await call(server, "POST", "/__mock__/scenario", json={"next": "maintenance"})
    assert (status, body["queued"]) == (200, ["maintenance"])


async def test_a_broken_scenario_in_a_folder_is_reported_without_its_content(
    suno_mock_factory: SunoMockFactory, tmp_path: Path
) -> None:
    server = await suno_mock_factory(scenario_dirs=(str(tmp_path),))
    # Broken after start (a broken file at start-up stops the server with the same message).
    (tmp_path / "broken.yaml").write_text("version: 1\ndescription: [hunter2\n")
    (tmp_path / "scalar.yaml").write_text("hunter2\n")
    for name in ("broken", "scalar"):
        status, body = await call(server, "POST", "/__mock__/scenario", json={"default": name})
        assert status == 400
        assert body["msg"].startswith(f"{tmp_path / name}.yaml: ")
        assert "hunter2" not in body["msg"]
    status, body = await call(server, "POST", "/__mock__/scenario", json={"default": 7})
    assert (status, body["msg"]) == (400, "default: a scenario name (string), got 7")


# Finding 9: read timeouts for headers and bodies.


async def open_raw(server: MockServer) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", server.port)


async def trickle(writer: asyncio.StreamWriter, pieces: list[bytes], every: float) -> None:
    with contextlib.suppress(ConnectionError):
        for piece in pieces:
            writer.write(piece)
            await writer.drain()
            await asyncio.sleep(every)


async def answer_and_close(
    server: MockServer, head: bytes, pieces: list[bytes], within: float = 3.0
) -> bytes:
    """Send `head`, then a piece every 0.05 s; return what the server said before it closed
    the connection (a client still sending may see the close as a reset)."""
    reader, writer = await open_raw(server)
    writer.write(head)
    sending = asyncio.create_task(trickle(writer, pieces, 0.05))
    said = b""
    try:
        async with asyncio.timeout(within):
            while chunk := await reader.read(65536):
                said += chunk
    except ConnectionResetError:
        pass
    finally:
        sending.cancel()
        writer.close()
    return said


async def test_slow_headers_are_cut_off(suno_mock_factory: SunoMockFactory) -> None:
    server = await suno_mock_factory(header_read_timeout=0.3)
    loop = asyncio.get_running_loop()
    started = loop.time()
    said = await answer_and_close(
        server, b"GET /__mock__/health HTTP/1.1\r\n", [b"X-Slow: %d\r\n" % i for i in range(200)]
    )
    assert said == b""
    assert 0.25 < loop.time() - started < 2.0
    # An idle connection is closed after the same time; a prompt request is answered.
    reader, writer = await open_raw(server)
    writer.write(b"GET /__mock__/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
    assert (await reader.readline()).startswith(b"HTTP/1.1 200")
    async with asyncio.timeout(2.0):
        while await reader.read(65536):
            pass
    writer.close()


@pytest.mark.parametrize(
    ("path", "head_extra", "pieces"),
    [
        ("/api/v1/generate", b"Content-Length: 1000\r\n", [b"{"] + [b" "] * 200),
        ("/api/v1/generate", b"Transfer-Encoding: chunked\r\n", [b"1\r\n{\r\n"] + [b""] * 200),
        (
            "/api/file-stream-upload",
            b"Content-Type: multipart/form-data; boundary=XX\r\nContent-Length: 100000\r\n",
            [b'--XX\r\nContent-Disposition: form-data; name="file"\r\n\r\n'] + [b"x"] * 200,
        ),
        ("/__mock__/clock", b"Content-Length: 1000\r\n", [b"{"] + [b" "] * 200),
    ],
    ids=["trickled", "unfinished chunked", "trickled upload", "control plane"],
)
async def test_slow_bodies_are_cut_off(
    suno_mock_factory: SunoMockFactory, path: str, head_extra: bytes, pieces: list[bytes]
) -> None:
    server = await suno_mock_factory(body_read_timeout=0.3)
    loop = asyncio.get_running_loop()
    started = loop.time()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer k\r\n".encode()
        + (b"" if b"Content-Type" in head_extra else b"Content-Type: application/json\r\n")
        + head_extra
        + b"\r\n"
    )
    said = await answer_and_close(server, head, [p for p in pieces if p])
    assert said.startswith(b"HTTP/1.1 408 "), said[:200]
    assert b"not received within 0.3 s (setting body_read_timeout)" in said
    assert 0.25 < loop.time() - started < 2.0
    assert server.engine.errors == []


async def test_record_sends_the_control_token(suno_mock_factory: SunoMockFactory) -> None:
    server = await suno_mock_factory(control_token=TOKEN)
    async with (
        aiohttp.ClientSession(headers={"Authorization": "Bearer k"}) as http,
        http.post(
            server.url + "/api/v1/generate", json=generate_body("http://127.0.0.1:9/cb")
        ) as resp,
    ):
        task_id = (await resp.json())["data"]["taskId"]

    async def record(*extra: str) -> tuple[int | None, str]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "mock_server", "record", task_id, "--from", server.url, *extra,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), 20)
        return proc.returncode, (out + err).decode()

    code, said = await record()
    assert code == 1
    assert "HTTP 401" in said
    code, said = await record("--control-token", TOKEN)
    assert code == 0
    assert f"recorded-{task_id}" in said


async def test_control_token_from_the_environment() -> None:
    served = await start("--port", "0", env={"SUNO_MOCK_CONTROL_TOKEN": "from-env"})
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(served.url + "/__mock__/tasks") as resp:
                assert resp.status == 401
            headers = {"X-Suno-Mock-Token": "from-env"}
            async with http.get(served.url + "/__mock__/tasks", headers=headers) as resp:
                assert resp.status == 200
            async with http.get(served.url + "/__mock__/health") as resp:
                assert resp.status == 200
    finally:
        code, out, _ = await served.stop()
    assert code == 0
    assert f"  dashboard:    {served.url}/__mock__/?token=from-env" in out
    assert "  control token: from-env (send header X-Suno-Mock-Token;" in out


async def test_listening_on_the_ipv6_wildcard_takes_ipv4_too() -> None:
    server = MockServer(Settings(), host="::", port=0)
    await server.start()
    try:
        for origin in (f"http://127.0.0.1:{server.port}", f"http://[::1]:{server.port}"):
            async with (
                aiohttp.ClientSession() as http,
                http.get(f"{origin}/__mock__/health") as resp,
            ):
                assert resp.status == 200
    finally:
        await server.close()


def test_loopback_answers_are_remembered_for_short_hosts_only() -> None:
    from mock_server.core import net

    long = "b" * 65 + ".example"
    hosts = ("127.0.0.1", "::1", "[::1]", "LOCALHOST.", "192.0.2.1", "a" * 65 + ".localhost", long)
    first = [is_loopback(h) for h in hosts]
    assert first == [True, True, True, True, False, True, False]
    assert [is_loopback(h) for h in hosts] == first  # from what it remembers
    assert net._ADDRESSES["::1"] is True
    assert net._ADDRESSES["192.0.2.1"] is False
    assert "a" * 65 + ".localhost" not in net._ADDRESSES
    assert long not in net._ADDRESSES
    assert len(net._ADDRESSES) <= 256
