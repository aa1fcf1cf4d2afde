"""`suno-mock serve` as a real process: flags, environment, a task end to end, SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
from collections.abc import AsyncIterator

import aiohttp
import pytest

from mock_server.cli import build_parser, main, parse_args, settings_from_args
from mock_server.cli.serve import loop_factory
from mock_server.core.settings import Settings
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import generate_body

URL = re.compile(r"http://127\.0\.0\.1:(\d+)")


class Served:
    def __init__(self, proc: asyncio.subprocess.Process, first_line: str) -> None:
        self.proc = proc
        self.first_line = first_line
        match = URL.search(first_line)
        assert match, f"first line has no URL: {first_line!r}"
        self.url = match.group(0)
        self.loop = ""
        """The event loop it should report (set by the fixture)."""

    async def stop(self) -> tuple[int, str, str]:
        self.proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(self.proc.communicate(), timeout=10)
        assert self.proc.returncode is not None
        return self.proc.returncode, out.decode(), err.decode()


async def start(*args: str, env: dict[str, str] | None = None) -> Served:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "mock_server",
        "serve",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), timeout=20)
    return Served(proc, line.decode())


@pytest.fixture(params=["auto", "asyncio"])
async def served(request: pytest.FixtureRequest) -> AsyncIterator[Served]:
    """The server on uvloop (`auto`: it is a dependency here) and on asyncio's own loop."""
    server = await start(
        "--port", "0", "--time-scale", "0.001", "--seed", "3", "--event-loop", request.param
    )  # fmt: skip
    server.loop = "uvloop" if request.param == "auto" else "asyncio"
    yield server
    if server.proc.returncode is None:
        server.proc.kill()
        await server.proc.wait()


async def test_serve_completes_a_task_and_stops_on_sigterm(
    served: Served, callback_receiver: CallbackReceiver
) -> None:
    assert "listening on http://127.0.0.1:" in served.first_line
    assert "seed 3, time scale 0.001" in served.first_line
    async with aiohttp.ClientSession(headers={"Authorization": "Bearer k"}) as http:
        body = generate_body(callback_receiver.url)
        async with http.post(served.url + "/api/v1/generate", json=body) as resp:
            task_id = (await resp.json())["data"]["taskId"]
        # 150 mock seconds at scale 0.001 = 0.15 real seconds.
        callbacks = await callback_receiver.wait_for(3, timeout=10)
        assert [c.callback_type for c in callbacks] == ["text", "first", "complete"]
        url = f"{served.url}/api/v1/generate/record-info?taskId={task_id}"
        async with http.get(url) as resp:
            assert (await resp.json())["data"]["status"] == "SUCCESS"
        async with http.get(served.url + "/__mock__/tasks") as resp:
            assert [t["taskId"] for t in (await resp.json())["tasks"]] == [task_id]
    code, out, err = await served.stop()
    assert code == 0, err
    assert "suno-mock-server stopped" in out
    assert "shutting down" in err
    assert re.search(r"^\d\d:\d\d:\d\d POST /api/v1/generate -> 200 code=200$", err, re.M)
    assert re.search(r"^\d\d:\d\d:\d\d callback complete #1 task \w+ -> 200 in ", err, re.M)
    assert "\033[" not in err  # no colour when stderr is not a terminal
    assert f"  dashboard:    {served.url}/__mock__/" in out
    assert f"  event loop:   {served.loop} (--event-loop)" in out


async def test_sigterm_cancels_pending_deliveries(callback_receiver: CallbackReceiver) -> None:
    served = await start("--port", "0", "--stage-delays", "text=3600,first=3600,complete=3600")
    async with (
        aiohttp.ClientSession(headers={"Authorization": "Bearer k"}) as http,
        http.post(
            served.url + "/api/v1/generate", json=generate_body(callback_receiver.url)
        ) as resp,
    ):
        assert (await resp.json())["code"] == 200
    code, _, err = await served.stop()
    assert code == 0
    assert "cancelling 1 pending stage/retry timers" in err
    assert callback_receiver.requests == []


async def test_environment_configures_the_server() -> None:
    served = await start(
        env={
            "SUNO_MOCK_PORT": "0",
            "SUNO_MOCK_API_KEY": "k1,k2",
            "SUNO_MOCK_CREDITS": "77",
            "SUNO_MOCK_RATE_LIMIT": "1/1h",
        }
    )
    try:
        async with aiohttp.ClientSession() as http:
            for key, expected in (
                ("k2", {"code": 200, "msg": "success", "data": 77}),
                ("nope", {"code": 401}),
            ):
                async with http.get(
                    served.url + "/api/v1/generate/credit",
                    headers={"Authorization": f"Bearer {key}"},
                ) as resp:
                    answer = await resp.json()
                assert {k: answer[k] for k in expected} == expected
            codes = []
            for _ in range(2):
                async with http.post(
                    served.url + "/api/v1/lyrics",
                    json={"prompt": "rain", "callBackUrl": "http://127.0.0.1:9/cb"},
                    headers={"Authorization": "Bearer k1"},
                ) as resp:
                    codes.append((await resp.json())["code"])
            assert codes == [200, 430]  # SUNO_MOCK_RATE_LIMIT=1/1h
    finally:
        code, _, _ = await served.stop()
    assert code == 0


@pytest.mark.parametrize(
    ("argv", "env", "message"),
    [
        (["serve", "--port", "x"], {}, "argument --port: invalid int value: 'x'"),
        (["serve", "--stage-delays", "text=1,middle=2"], {}, "expected text=30,first=60"),
        (["serve", "--retry-delays", "-5"], {}, "retry delays: at most 100, each 0 to 2592000 s"),
        (["serve", "--time-scale", "0"], {}, "must be above 0 and at most 1e+06, got 0"),
        (["serve"], {"SUNO_MOCK_SEED": "abc"}, "SUNO_MOCK_SEED='abc'"),
        (["serve", "--stage-delays", "text=90,first=60"], {}, "stage delays must not decrease"),
        (["bogus"], {}, "invalid choice: 'bogus'"),
        (["serve", "--rate-limit", "lots"], {}, "rate limit must look like '20/10s'"),
        (["serve"], {"SUNO_MOCK_RATE_LIMIT": "20 per 10s"}, "SUNO_MOCK_RATE_LIMIT='20 per 10s'"),
        (["serve", "--event-loop", "uv"], {}, "choose from 'auto', 'uvloop', 'asyncio'"),
        (["serve"], {"SUNO_MOCK_EVENT_LOOP": "trio"}, "SUNO_MOCK_EVENT_LOOP='trio'"),
    ],
)
def test_bad_flags_are_usage_errors(
    argv: list[str],
    env: dict[str, str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_an_event_loop_that_is_not_installed_is_named_with_the_fix(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)  # as where it is not installed
    assert loop_factory("auto") is None  # asyncio's own, without a word
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--port", "0", "--event-loop", "uvloop"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == (
        "suno-mock: error: --event-loop uvloop: uvloop is not installed here; install it "
        "(pip install uvloop) or use --event-loop asyncio\n"
    )


def test_unknown_default_scenario_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", "0", "--scenario", "nonesuch"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("suno-mock: error: unknown scenario 'nonesuch'; allowed: ")


async def test_serve_with_a_scenario(callback_receiver: CallbackReceiver) -> None:
    served = await start("--port", "0", "--time-scale", "0.001", "--scenario", "download-failed")
    assert "scenario download-failed" in served.first_line
    async with (
        aiohttp.ClientSession(headers={"Authorization": "Bearer k"}) as http,
        http.post(
            served.url + "/api/v1/generate", json=generate_body(callback_receiver.url)
        ) as resp,
    ):
        assert (await resp.json())["code"] == 200
    (error,) = await callback_receiver.wait_for(1, timeout=10)
    assert (error.callback_type, error.json["code"]) == ("error", 451)
    code, _, _ = await served.stop()
    assert code == 0


async def test_json_log_format(callback_receiver: CallbackReceiver) -> None:
    served = await start("--port", "0", "--time-scale", "0.001", "--log-format", "json")
    async with (
        aiohttp.ClientSession(headers={"Authorization": "Bearer k"}) as http,
        http.post(
            served.url + "/api/v1/generate", json=generate_body(callback_receiver.url, model="V9")
        ) as resp,
    ):
        assert (await resp.json())["code"] == 400
    code, _, err = await served.stop()
    assert code == 0
    lines = [json.loads(line) for line in err.splitlines()]
    (request,) = [line for line in lines if line.get("event") == "request"]
    assert {k: request[k] for k in ("method", "path", "status", "code", "level")} == {
        "method": "POST", "path": "/api/v1/generate", "status": 200, "code": 400,
        "level": "INFO",
    }  # fmt: skip
    assert request["api_msg"].startswith("model: must be one of")


def test_every_setting_is_a_flag_and_a_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    _, serve = build_parser()
    flags = {flag for action in serve._actions for flag in action.option_strings}
    fields = Settings.model_fields
    plural = {"api_keys": "--api-key", "allow_callback_hosts": "--allow-callback-host",
              "scenario_dirs": "--scenarios-dir"}  # fmt: skip
    assert [n for n in fields if plural.get(n, "--" + n.replace("_", "-")) not in flags] == []
    monkeypatch.setenv("SUNO_MOCK_RATE_LIMIT_CODE", "405")
    monkeypatch.setenv("SUNO_MOCK_TASK_LIMIT", "none")
    monkeypatch.setenv("SUNO_MOCK_UPLOAD_EXTEND_DEFAULT_REQUIRES_PROMPT", "true")
    args = parse_args(["serve", "--job-delay", "5", "--vocal-removal-track-field",
                       "musicIndex", "--infill-max-seconds", "60"])  # fmt: skip
    settings = settings_from_args(args)
    assert (settings.rate_limit_code, settings.task_limit, settings.job_delay) == (405, None, 5.0)
    assert settings.upload_extend_default_requires_prompt is True
    assert (settings.vocal_removal_track_field, settings.infill_max_seconds) == ("musicIndex", 60)
    with pytest.raises(SystemExit):
        parse_args(["serve", "--rate-limit-code", "429"])
