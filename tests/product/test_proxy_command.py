"""`suno-mock proxy` from the command line: the round trip docs/tools.md writes (serve, proxy
--record, check, replay, drift) and the token a proxy bound beyond loopback makes up."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import shlex
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import yaml

from mock_server.capture.proxy import CALLBACK_PREFIX
from mock_server.cli import build_parser
from mock_server.testing import SunoMock
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import ROOT, generate_body
from tests.product.test_proxy import kinds


async def test_the_round_trip_from_the_command_line(
    tmp_path: Path, callback_receiver: CallbackReceiver
) -> None:
    """The README's commands: serve (the upstream), proxy --record, check, replay, drift."""
    folder = tmp_path / "rec"
    async with (
        cli_process("serve", "--port", "0", "--time-scale", "0.002") as upstream,
        cli_process("proxy", "--upstream", upstream, "--port", "0", "--record", str(folder),
                    "--time-scale", "0.002")
        as proxy,
        aiohttp.ClientSession(headers={"Authorization": "Bearer my-key"}) as http,
    ):  # fmt: skip
        async with http.post(
            f"{proxy}/api/v1/generate", json=generate_body(callback_receiver.url)
        ) as resp:
            task_id = (await resp.json())["data"]["taskId"]
        await callback_receiver.wait_for(3)
    assert kinds(callback_receiver.requests) == ["text", "first", "complete"]
    scenario = folder / "scenarios" / f"{task_id}.yaml"
    code, out, _ = await run_cli("check", str(scenario))
    assert (code, out) == (0, f"{scenario}: ok (Recorded through suno-mock proxy: task "
                               f"{task_id} (generate, last seen: complete).)\n")  # fmt: skip
    stages = yaml.safe_load(scenario.read_text())["stages"]
    assert 30 <= stages["text"] < stages["first"] < stages["complete"] < 300  # upstream seconds
    async with CallbackReceiver() as target:
        code, out, _ = await run_cli(
            "replay", str(scenario), "--to", target.url, "--time-scale", "0.002"
        )
        assert code == 0, out
        assert kinds(target.requests) == ["text", "first", "complete"]
    code, out, _ = await run_cli("drift", str(folder))
    assert code == 0, out
    assert out.endswith("no drift: every answer and callback has the recorded shape\n")
    complete = next((folder / "callbacks").glob("*-complete.json"))
    doctor = json.loads(complete.read_text())
    doctor["body"]["data"]["callbackType"] = "completed"
    complete.write_text(json.dumps(doctor))
    code, out, _ = await run_cli("drift", str(folder), "--json")
    assert code == 1
    assert [d["location"] for d in json.loads(out)["differences"]] == ["callback order"]
    code, _, err = await run_cli("drift", str(tmp_path))
    assert code == 2
    assert "not a recording (no requests/ folder)" in err


async def run_cli(*args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mock_server", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


@contextlib.asynccontextmanager
async def cli_process(*args: str) -> AsyncIterator[str]:
    """A `suno-mock` server command running until the block ends; yields its URL."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mock_server", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        first = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
        found = re.search(r"listening on (\S+)", first)
        assert found, first
        yield found.group(1)
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 10)


async def test_an_exposed_proxy_follows_the_token_rule(suno_mock: SunoMock) -> None:
    """Bound beyond loopback, the proxy makes up a token, prints it, and refuses requests
    without it; the upstream's callbacks (their own random key) get through. All traffic
    here goes to 127.0.0.1."""
    upstream = suno_mock
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mock_server", "proxy", "--upstream", upstream.url,
        "--host", "0.0.0.0", "--port", "0",  # noqa: S104 - bound wide, reached on loopback
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        first = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
        second = (await asyncio.wait_for(proc.stdout.readline(), 5)).decode()
        port = re.search(r"listening on http://\S+:(\d+)", first)
        token = re.search(r"control token: (\S+)", second)
        assert port, first
        assert token, second
        base = f"http://127.0.0.1:{port.group(1)}"
        headers = {"Authorization": "Bearer k"}
        async with aiohttp.ClientSession(headers=headers) as http:
            async with http.get(f"{base}/api/v1/generate/credit") as resp:
                assert resp.status == 401
                assert "X-Suno-Mock-Token" in (await resp.json())["msg"]
            with_token = {"X-Suno-Mock-Token": token.group(1)}
            async with http.get(f"{base}/api/v1/generate/credit", headers=with_token) as r:
                assert (r.status, (await r.json())["code"]) == (200, 200)
            async with http.post(f"{base}{CALLBACK_PREFIX}unknown-key", json={}) as resp:
                assert resp.status != 401  # the callback path is not behind the token
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 10)


def test_the_round_trip_commands_parse() -> None:
    """Every `suno-mock` command of docs/tools.md's proxy/drift round trip uses real flags."""
    tools = (ROOT / "docs" / "tools.md").read_text()
    section = tools.split("## Record the real API", 1)[1].split("\n## ", 1)[0]
    block = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)[0].replace("\\\n", " ")
    commands = [
        line.split("#")[0].rstrip(" &")
        for line in block.splitlines()
        if line.startswith("suno-mock ")
    ]
    parser, _ = build_parser()
    seen = set()
    for command in commands:
        words = shlex.split(command)[1:]
        parser.parse_args(words)  # exits (fails the test) on an unknown flag
        seen.add(words[0])
    assert seen == {"serve", "proxy", "check", "replay", "drift"}
