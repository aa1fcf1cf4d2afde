"""`suno-mock probe` from the command line (in-process and as installed, its documented
commands, its report on a pipe) and from the plugin (`suno_mock.probe`), against the
receivers of test_probe.py (whose fixture and helpers this module uses)."""

from __future__ import annotations

import asyncio
import json
import shlex
import sys
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from mock_server.cli import main
from mock_server.probe import ERROR_CODES, case_names
from mock_server.testing import SunoMock
from tests.helpers import ROOT
from tests.product.test_probe import ALL_CASES, KEY, Make, endpoint, failed

__all__ = ["endpoint"]  # the fixture, shared with test_probe.py

TOOLS = ROOT / "docs" / "tools.md"


async def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`suno-mock probe ARGS` in-process (its own event loop, in a thread: the receivers run on
    this test's loop)."""
    code = await asyncio.to_thread(main, ["probe", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    ("behaviour", "args", "code", "failing"),
    [
        ({"key": KEY}, ["--webhook-hmac-key", KEY], 0, []),
        ({"fail_duplicates": True}, [], 1, ["duplicate-complete"]),
        ({"delay": 0.02}, ["--only", "sequence", "--budget", "0.001"], 0, []),
        ({"delay": 0.2}, ["--only", "sequence", "--timeout", "0.05"], 1, ["sequence"]),
        ({"strict_fields": True}, [], 1, ["unknown-field"]),
        ({"key": KEY, "check_signature": False}, ["--webhook-hmac-key", KEY], 1, ["bad-signature"]),
    ],
    ids=["conforming", "duplicates", "slow", "hangs", "strict", "lax-signature"],
)
async def test_probe_command(
    endpoint: Make,
    capsys: pytest.CaptureFixture[str],
    behaviour: dict[str, Any],
    args: list[str],
    code: int,
    failing: list[str],
) -> None:
    receiver = await endpoint(**behaviour)
    status, out, err = await run_cli(capsys, "--to", receiver.url, *args)
    assert status == code, out + err
    lines = out.splitlines()
    assert lines[0] == f"suno-mock probe {receiver.url}"
    assert [line.split()[1] for line in lines if line.startswith("FAIL")] == failing
    assert lines[-1].endswith("-> OK" if code == 0 else "-> FAILED")
    if "--budget" in args:
        assert lines[3].split() == ["CASE", "ANSWERS", "SLOWEST", "CALLBACKS"]
        assert lines[4].startswith("WARN  sequence  200 200 200")
        assert lines[5].startswith("      text: answered in ")
        assert lines[5].endswith(" ms, over the budget of 0.001 s")


async def test_probe_command_usage_errors(
    endpoint: Make, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = await run_cli(capsys, "--to", "http://files.invalid/cb")
    assert (status, out) == (2, "")
    assert "--allow-callback-host files.invalid" in err
    receiver = await endpoint()
    status, out, err = await run_cli(capsys, "--to", receiver.url, "--only", "nope")
    assert (status, out) == (2, "")
    assert "no probe case matches 'nope'" in err
    assert receiver.raw == []


async def test_probe_command_as_installed(endpoint: Make) -> None:
    """The real entry point in a subprocess, with the JUnit report a CI job would keep."""
    receiver = await endpoint(fail_duplicates=True)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mock_server", "probe", "--to", receiver.url,
        "--only", "dup*,seq*", "--format", "junit",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 1, err.decode()
    progress = err.decode().splitlines()  # stdout keeps the report alone
    assert [line.split()[:3] for line in progress] == [
        ["[1/2]", "PASS", "sequence"],
        ["[2/2]", "FAIL", "duplicate-complete"],
    ]
    root = ET.fromstring(out)  # noqa: S314 - our own output
    names = [tc.get("name") for tc in root.iter("testcase")]
    assert names == ["sequence", "duplicate-complete"]
    assert [tc.get("name") for tc in root.iter("testcase") if tc.find("failure") is not None] == [
        "duplicate-complete"
    ]


async def test_the_documented_commands(endpoint: Make, capsys: pytest.CaptureFixture[str]) -> None:
    """docs/tools.md's probe block, against a receiver that checks signatures."""
    text = TOOLS.read_text()
    section = text[text.index("## Probe your callback endpoint") :]
    block = section[section.index("```sh\n") + 6 : section.index("```\n", 10)]
    commands = [shlex.split(c) for c in block.replace("\\\n", " ").splitlines()]
    assert [c[:2] for c in commands] == [["suno-mock", "probe"]] * 2
    receiver, signing = await endpoint(), await endpoint(key="KEY")
    documented = "http://127.0.0.1:9000/suno/callback"

    plain = [receiver.url if arg == documented else arg for arg in commands[0][2:]]
    code, out, _ = await run_cli(capsys, *plain)
    assert code == 0
    assert (
        out.splitlines()[-1]
        == f"{len(ALL_CASES)} cases: {len(ALL_CASES) - 2} passed, 0 warned, 0 failed, "
        "2 skipped -> OK"
    )

    signed = [signing.url if arg == documented else arg for arg in commands[1][2:]]
    assert signed[-2:] == [">", "probe.xml"]
    code, out, _ = await run_cli(capsys, *signed[:-2])
    assert code == 0
    root = ET.fromstring(out)  # noqa: S314 - our own output
    assert [tc.get("name") for tc in root.iter("testcase")] == [
        "sequence",
        *(f"error-{code}" for code in ERROR_CODES),
    ]


@pytest.mark.suno_mock(seed=3, webhook_hmac_key=KEY, callback_timeout=2.0)
async def test_plugin_probe(suno_mock: SunoMock, endpoint: Make) -> None:
    good = await endpoint(key=KEY)
    report = await suno_mock.probe(good.url)
    assert report.ok, report.to_text()
    assert (report.seed, report.signed, report.timeout) == (3, True, 2.0)
    assert suno_mock.deliveries() == []  # the probe leaves the mock's journal alone
    lax = await endpoint(key=KEY, check_signature=False)
    report = await suno_mock.probe(lax.url, only=["*signature*"])
    assert failed(report) == ["bad-signature"]


async def test_probe_streams_each_case_into_a_pipe_as_it_finishes(endpoint: Make) -> None:
    """A slow receiver: the first case's line arrives while the probe still runs."""
    receiver = await endpoint(delay=0.3)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mock_server", "probe", "--to", receiver.url,
        "--only", "sequence,error-*", "--format", "json",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stderr is not None
    first = await asyncio.wait_for(proc.stderr.readline(), 30)
    assert proc.returncode is None, "the line came before the end"
    total = len([n for n in case_names() if n == "sequence" or n.startswith("error-")])
    assert first.decode().startswith(f"[1/{total}] PASS  sequence  200 200 200")
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    report = json.loads(out)
    sent = [c["payload"] for case in report["cases"] for c in case["callbacks"]]
    assert len(sent) >= total + 2
    assert all(isinstance(p, dict) and p["data"]["task_id"] for p in sent)


async def test_probe_timeout_message_names_the_flag_given(
    endpoint: Make, capsys: pytest.CaptureFixture[str]
) -> None:
    receiver = await endpoint(delay=0.2)
    status, out, _ = await run_cli(
        capsys, "--to", receiver.url, "--only", "sequence", "--timeout", "0.05"
    )
    assert status == 1
    assert "no answer within --timeout=0.05 s" in out
    assert "callback_timeout" not in out
