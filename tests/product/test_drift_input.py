"""`suno-mock drift` on a hand-edited recording: whatever a fixture says, only files inside the
recording are read, and a recording that cannot be replayed ends with one line and exit 2
(exit 1 means drift was found, nothing else)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from mock_server.capture.proxy import Proxy, ProxyConfig
from mock_server.cli import main
from mock_server.testing import SunoMock
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import generate_body

OUTSIDE = b"a file outside the recording"


async def record(folder: Path) -> None:
    """A music task (three callbacks) and a multipart upload, through a real proxy."""
    async with (
        SunoMock() as upstream,
        CallbackReceiver() as receiver,
        Proxy(ProxyConfig(upstream=upstream.url, record_dir=folder), clock=upstream.clock) as proxy,
        aiohttp.ClientSession(headers={"Authorization": "Bearer k"}) as http,
    ):
        async with http.post(f"{proxy.url}/api/v1/generate", json=generate_body(receiver.url)):
            pass
        await upstream.clock.advance(200)
        form = aiohttp.FormData({"uploadPath": "stems", "fileName": "a.mp3"})
        form.add_field("file", b"ID3 stem", filename="a.mp3", content_type="audio/mpeg")
        async with http.post(f"{proxy.url}/api/file-stream-upload", data=form) as resp:
            assert resp.status == 200
        await proxy.idle()


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("drift-input") / "rec"
    asyncio.run(record(folder))
    return folder


def upload_fixture(folder: Path) -> Path:
    (found,) = folder.glob("requests/*-file-stream-upload.json")
    return found


def edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


Change = Callable[[Path, Path], None]
"""An edit of the recording (folder) that may name a file outside it (outside)."""


def set_field(key: str, value: Any) -> Change:
    return lambda folder, _: edit(upload_fixture(folder), lambda data: data.update({key: value}))


def odd_client_status(folder: Path, _: Path) -> None:
    (first, *_rest) = sorted(folder.glob("callbacks/*.json"))
    edit(first, lambda data: data.update(clientStatus="200 OK"))


def absolute_body_file(folder: Path, outside: Path) -> None:
    set_field("bodyFile", str(outside))(folder, outside)


def body_file_is_a_link(folder: Path, outside: Path) -> None:
    (body,) = folder.glob("requests/*-body.bin")
    body.unlink()
    body.symlink_to(outside)


def drop_body_file(folder: Path, _: Path) -> None:
    (body,) = folder.glob("requests/*-body.bin")
    body.unlink()


def huge_body_file(folder: Path, _: Path) -> None:
    (body,) = folder.glob("requests/*-body.bin")
    os.truncate(body, 300 * 1024 * 1024)  # sparse: no disk used


def append_bytes(pattern: str) -> Change:
    def apply(folder: Path, _: Path) -> None:
        (path,) = folder.glob(pattern)
        path.write_bytes(path.read_bytes() + b"\xff\xfe")

    return apply


CANNOT_RUN = [
    ("missing bodyFile", drop_body_file, "bodyFile: 'requests/0005-body.bin' does not exist in"),
    ("absolute bodyFile", absolute_body_file, "is not a relative path inside the recording"),
    ("../ bodyFile", set_field("bodyFile", "../outside.bin"), "is not a relative path inside"),
    ("linked bodyFile", body_file_is_a_link, "leads outside the recording (a link)"),
    ("huge bodyFile", huge_body_file, "bytes is larger than 268435456 bytes"),
    ("bodyFile not a path", set_field("bodyFile", 7), "expected a path inside the recording"),
    ("non-UTF-8 fixture", append_bytes("requests/*-generate.json"), "cannot read: 'utf-8' codec"),
    ("non-UTF-8 scenario", append_bytes("scenarios/*.yaml"), ": not UTF-8 text (byte 0xff"),
    ("NaN time", set_field("at", float("nan")), "at: expected seconds from 0 to"),
    ("path off the API", set_field("path", "@files.invalid/x"), "path: expected a path starting"),
    ("client status not a status", odd_client_status, "clientStatus: expected an HTTP status"),
    ("query not texts", set_field("query", {"taskId": [1]}), "query: expected an object of"),
    ("header on two lines", set_field("headers", {"X-A": "1\r\nX-B: 2"}), "headers: expected"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "expected"), [case[1:] for case in CANNOT_RUN], ids=[case[0] for case in CANNOT_RUN]
)
def test_a_recording_that_cannot_run_is_one_line_and_exit_2(
    recorded: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: Change,
    expected: str,
) -> None:
    folder = tmp_path / "rec"
    shutil.copytree(recorded, folder)
    outside = tmp_path / "outside.bin"
    outside.write_bytes(OUTSIDE)
    change(folder, outside)
    code = main(["drift", str(folder)])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.startswith("suno-mock: error: ")
    assert err.count("\n") == 1, err
    assert expected in err


def test_exit_1_means_drift_and_0_none(
    recorded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "rec"
    shutil.copytree(recorded, folder)
    assert main(["drift", str(folder)]) == 0
    assert capsys.readouterr().out.endswith("every answer and callback has the recorded shape\n")
    edit(upload_fixture(folder), lambda data: data["response"].update(code="200"))
    assert main(["drift", str(folder)]) == 1
    assert capsys.readouterr().out.endswith("drift: 1 difference(s) from the recorded shapes\n")


async def test_the_process_exits_2(recorded: Path, tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    shutil.copytree(recorded, folder)
    drop_body_file(folder, tmp_path)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mock_server", "drift", str(folder),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert (proc.returncode, out) == (2, b"")
    assert err.decode().count("\n") == 1
