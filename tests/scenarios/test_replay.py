"""`replay` (a scenario's callbacks at a URL, no API request) and `record` (a task -> scenario)."""

from __future__ import annotations

import asyncio
import io
import sys
from typing import Any

import aiohttp
import pytest

from mock_server import Settings
from mock_server.cli.replay import replay
from mock_server.scripting.scenario import load_bundled, load_scenario
from mock_server.testing import SunoMock
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import Api, generate_body

FAST = 0.0005  # 150 s of mock time in 75 ms


async def run(scenario: str, to: str, **kwargs: Any) -> tuple[int, str]:
    out = io.StringIO()
    code = await replay(
        load_bundled(scenario), to, settings=Settings(), time_scale=FAST, out=out, **kwargs
    )
    return code, out.getvalue()


async def test_replay_sends_the_stages(callback_receiver: CallbackReceiver) -> None:
    code, out = await run("happy-path", callback_receiver.url, task_id="replayed")
    assert code == 0
    assert [r.callback_type for r in callback_receiver.requests] == ["text", "first", "complete"]
    assert {r.json["data"]["task_id"] for r in callback_receiver.requests} == {"replayed"}
    lines = out.splitlines()
    expected = f"replaying 'happy-path' as task replayed to {callback_receiver.url}"
    assert lines[0].startswith(expected)
    assert [line.split()[2] for line in lines[1:4]] == ["text", "first", "complete"]
    assert all("attempt 1: HTTP 200 in" in line for line in lines[1:4])
    assert lines[-1] == "done: 3/3 callbacks accepted; task status SUCCESS"


async def test_replay_retries_a_failing_receiver(callback_receiver: CallbackReceiver) -> None:
    callback_receiver.respond_with([500, 200])
    code, out = await run("skip-to-complete", callback_receiver.url)
    assert code == 0
    assert "complete attempt 1: HTTP 500" in " ".join(out.split())
    assert "retry 2 in 60 s" in out
    assert "complete attempt 2: HTTP 200" in " ".join(out.split())


async def test_replay_fails_when_nothing_is_accepted(callback_receiver: CallbackReceiver) -> None:
    callback_receiver.respond_with([503])
    code, out = await run("receiver-down", callback_receiver.url)
    assert code == 1
    assert out.count("retries exhausted") == 3
    assert out.splitlines()[-1] == "done: 0/3 callbacks accepted; task status CALLBACK_EXCEPTION"


async def test_replay_of_an_api_fault_has_nothing_to_send(
    callback_receiver: CallbackReceiver,
) -> None:
    code, out = await run("too-frequent", callback_receiver.url)
    assert code == 1
    assert out == (
        "scenario 'too-frequent' answers the submit request with code 430: no task, no callbacks\n"
    )
    assert callback_receiver.requests == []


async def test_replay_respects_the_allow_list() -> None:
    code, out = await run("skip-to-complete", "http://files.invalid/cb")
    assert code == 1
    assert "blocked: not sent: 'files.invalid' is not a loopback host" in out


async def test_record_then_replay_gives_the_same_callbacks(
    api: Api, suno_mock: SunoMock, http: aiohttp.ClientSession
) -> None:
    async with CallbackReceiver() as live, CallbackReceiver() as replayed:
        scenario = {"next": "generation-failed"}
        async with http.post(f"{suno_mock.url}/__mock__/scenario", json=scenario):
            pass
        task_id = await api.submit("/api/v1/generate", generate_body(live.url))
        await suno_mock.clock.advance(minutes=10)
        async with http.get(f"{suno_mock.url}/__mock__/tasks/{task_id}/scenario") as resp:
            assert resp.status == 200
            assert resp.content_type == "application/yaml"
            text = await resp.text()
        assert text.startswith(f"# suno-mock record {task_id}")
        recorded = load_scenario("recorded.yaml", text)
        assert recorded.stages == {"text": 30, "first": 60}
        assert recorded.error is not None
        assert (recorded.error.after, recorded.error.code) == (90, 501)

        settings = Settings(public_base_url=suno_mock.url)
        code = await replay(
            recorded,
            replayed.url,
            settings=settings,
            time_scale=FAST,
            task_id=task_id,
            out=io.StringIO(),
        )
        assert code == 0

    def comparable(body: Any) -> Any:
        for track in body["data"]["data"] or []:
            track.pop("createTime")  # the replay's clock is a real one
        return body

    assert [comparable(r.json) for r in replayed.requests] == [
        comparable(r.json) for r in live.requests
    ]
    assert [r.callback_type for r in live.requests] == ["text", "first", "error"]


async def test_record_command(suno_mock: SunoMock, api: Api) -> None:
    task_id = await api.submit("/api/v1/generate", generate_body("http://127.0.0.1:9/cb"))
    await suno_mock.clock.advance(1)

    async def cli(*args: str) -> tuple[int, str, str]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "mock_server", *args,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), 20)
        assert proc.returncode is not None
        return proc.returncode, out.decode(), err.decode()

    code, out, _ = await cli("record", task_id, "--from", suno_mock.url)
    assert code == 0
    assert load_scenario("x.yaml", out).name == f"recorded-{task_id}"
    code, _, err = await cli("record", "nope", "--from", suno_mock.url)
    assert code == 1
    assert "HTTP 404" in err
    assert "no task with id 'nope'" in err


@pytest.mark.parametrize("name", ["happy-path", "out-of-order"])
async def test_replay_command(name: str, callback_receiver: CallbackReceiver) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mock_server", "replay", name, "--to", callback_receiver.url,
        "--time-scale", str(FAST), stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 0, err.decode()
    assert out.decode().splitlines()[-1] == "done: 3/3 callbacks accepted; task status SUCCESS"
    expected = (
        ["text", "first", "complete"] if name == "happy-path" else ["text", "complete", "first"]
    )
    assert [r.callback_type for r in callback_receiver.requests] == expected


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


async def test_replay_shows_progress_on_a_terminal(callback_receiver: CallbackReceiver) -> None:
    out = Terminal()
    code = await replay(
        load_bundled("skip-to-complete"),
        callback_receiver.url,
        settings=Settings(),
        time_scale=0.002,
        out=out,
    )  # 90 mock seconds = 0.18 s
    assert code == 0
    text = out.getvalue()
    assert "... next event in" in text
    assert "\r\033[K[+" in text  # the attempt line wipes the progress line


async def test_replay_marks_a_duplicate(callback_receiver: CallbackReceiver) -> None:
    code, out = await run("duplicate-delivery", callback_receiver.url)
    assert code == 0
    completes = [line for line in out.splitlines() if " complete " in f"{line} "]
    assert len(completes) == 2, out
    assert "(duplicate)" not in completes[0]
    assert "complete (duplicate) attempt 1: HTTP 200" in " ".join(completes[1].split())
