"""The README is a front door that works as written: short, with the two set-up commands of a
clone, and a quick start whose curl sequence runs against a real `suno-mock serve` with every
callback delivered on its first attempt, to the inbox that comes with the mock."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.docblocks import ROOT, Block, blocks, run_shell, served

README = ROOT / "README.md"


def test_the_readme_is_short() -> None:
    assert len(README.read_text().splitlines()) <= 300


def test_readme_names_the_two_setup_commands() -> None:
    text = README.read_text()
    assert "python3 dev.py serve" in text
    assert "python3 dev.py test" in text
    assert "python3 dev.py test" in (ROOT / ".ci" / "run").read_text()


def test_readme_shows_the_pytest_example_file() -> None:
    (block,) = [b for b in blocks(README) if b.lang == "python"]
    assert block.body == (ROOT / "tests" / "examples" / "test_extend_flow.py").read_text()


def quick_start() -> tuple[Block, Block]:
    """The quick start's server block and its curl sequence."""
    section = [b for b in blocks(README) if b.lang == "sh" and b.runs_here]
    server, sequence = section
    assert server.server_command == "suno-mock serve"
    assert sequence.body.startswith("MOCK=http://127.0.0.1:8080\n")
    return server, sequence


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - loopback
        return json.load(resp)


def _settled(url: str) -> list[dict[str, Any]]:
    """The deliveries once none is pending (real time: the dev server's clock is scaled)."""
    deadline = time.monotonic() + 10
    while True:
        found = _get(f"{url}/__mock__/deliveries?limit=200")["deliveries"]
        if all(d["state"] != "pending" for d in found) or time.monotonic() > deadline:
            return list(found)
        time.sleep(0.05)


def test_the_quick_start_runs_with_no_failed_delivery(tmp_path: Path) -> None:
    server, sequence = quick_start()
    assert server.server_command is not None
    with served(server.server_command, tmp_path) as url:
        shown = run_shell(sequence, tmp_path, url).stdout.strip().splitlines()[-1]
        deliveries = _settled(url)
        inbox = _get(f"{url}/__mock__/inbox/quickstart?limit=200")
        tasks = _get(f"{url}/__mock__/tasks")["tasks"]
        extended = _get(f"{url}/__mock__/tasks/{tasks[1]['taskId']}")["request"]["audioId"]
        song_tracks = _get(f"{url}/__mock__/tasks/{tasks[0]['taskId']}")["recordInfo"]

    assert json.loads(shown)["total"] == 8  # the block's last answer lists every callback
    assert [(d["state"], len(d["attempts"])) for d in deliveries] == [("delivered", 1)] * 8
    assert {d["url"] for d in deliveries} == {f"{url}/__mock__/inbox/quickstart"}
    song, extend, failing = tasks
    assert (song["operationType"], song["status"]) == ("generate", "SUCCESS")
    assert (extend["operationType"], extend["status"]) == ("extend", "SUCCESS")
    assert (failing["scenario"], failing["status"]) == (
        "copyright-violation",
        "GENERATE_AUDIO_FAILED",
    )
    by_task: dict[str, list[str]] = {}
    for received in inbox["callbacks"]:
        by_task.setdefault(received["taskId"], []).append(received["callbackType"])
    assert by_task == {
        song["taskId"]: ["text", "first", "complete"],
        extend["taskId"]: ["text", "first", "complete"],
        failing["taskId"]: ["text", "error"],
    }
    (error,) = [c["body"] for c in inbox["callbacks"] if c["callbackType"] == "error"]
    assert error["code"] == 400
    assert extended == song_tracks["response"]["sunoData"][0]["id"]  # the song's first track
