"""Every number a user gives is finite and ranged: scenario durations, settings and flags, the
control plane's clock. A NaN that slipped through anyway cannot stop the clock's timers."""

from __future__ import annotations

import math
from pathlib import Path

import aiohttp
import pytest
from pydantic import ValidationError

from mock_server import ManualClock, Settings
from mock_server.cli import main
from mock_server.core.clock import ScaledClock
from mock_server.core.errors import ScenarioError
from mock_server.scripting.scenario import Match, Scenario, load_scenario
from mock_server.testing import SunoMock
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import Api, SunoMockFactory, generate_body

DAYS_30 = "a duration from 0 to 2592000 s (30 days)"
HOSTILE = {
    "stages.text": ("stages: {text: VALUE}", DAYS_30),
    "error.after": ("error: {after: VALUE, code: 500, msg: boom}", DAYS_30),
    "delivery.retry_delays[0]": ("delivery: {retry_delays: [VALUE]}", DAYS_30),
    "delivery.late.text": ("delivery: {late: {text: VALUE}}", DAYS_30),
    "delivery.timeout": ("delivery: {timeout: VALUE}", "a duration from 0 to 86400 s (1 day)"),
    "api.latency": ("api: {latency: VALUE}", "a duration from 0 to 86400 s (1 day)"),
    "payload.durations[0]": (
        "payload: {durations: [VALUE]}",
        "a duration from 0 to 3600 s (1 hour)",
    ),
}


@pytest.mark.parametrize("value", [".nan", ".inf", "1.0e+308"])
@pytest.mark.parametrize("key", HOSTILE)
def test_check_refuses_non_finite_and_huge_numbers_naming_the_key_and_range(
    key: str, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line, allowed = HOSTILE[key]
    path = tmp_path / "hostile.yaml"
    path.write_text(f"version: 1\n{line.replace('VALUE', value)}\n")
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}: line 2: {key}: " in err, err  # the YAML line, then the key
    assert allowed in err, err
    assert "ok" not in capsys.readouterr().out


def test_a_duration_string_past_the_range_is_refused() -> None:
    with pytest.raises(ScenarioError, match=r"stages\.complete: a duration from 0 to 2592000 s"):
        load_scenario("x.yaml", "version: 1\nstages: {complete: 9999999h}\n")
    assert load_scenario("x.yaml", "version: 1\nstages: {complete: 30d}\n".replace("30d", "720h"))


async def test_a_hostile_scenario_file_in_a_scenarios_dir_is_refused_at_start(
    tmp_path: Path, suno_mock_factory: SunoMockFactory
) -> None:
    (tmp_path / "nan.yaml").write_text(
        "version: 1\nmatch: {prompt_contains: hostile}\nstages: {text: .nan}\n"
    )
    with pytest.raises(
        ScenarioError, match=r"nan\.yaml: line \d+: stages\.text: a duration from 0"
    ):
        await suno_mock_factory(scenario_dirs=(str(tmp_path),))


async def test_a_nan_that_slipped_through_stops_no_other_task(
    suno_mock: SunoMock, api: Api, callback_receiver: CallbackReceiver
) -> None:
    # Built without validation, as if a check were missed: the clock's heap must stay whole.
    hostile = Scenario.model_construct(
        version=1,
        name="hostile",
        match=Match(prompt_contains="hostile"),
        stages={"text": math.nan, "first": math.nan, "complete": math.nan},
    )
    suno_mock.engine.scenarios.rules.insert(0, hostile)
    await api.post("/api/v1/generate", generate_body(callback_receiver.url, prompt="hostile"))
    healthy = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    await suno_mock.clock.advance(150)
    assert [(r.json["data"]["task_id"], r.callback_type) for r in callback_receiver.requests] == [
        (healthy, "text"),
        (healthy, "first"),
        (healthy, "complete"),
    ]
    assert (await api.record_info(healthy))["status"] == "SUCCESS"
    suno_mock.engine.errors.clear()  # the refused timer is reported as the mock's own bug


async def test_the_clock_refuses_nan_infinite_and_huge_steps() -> None:
    clock = ManualClock()

    async def nothing() -> None:
        return None

    for bad in (math.nan, math.inf):
        with pytest.raises(ValueError, match="a timer needs a finite time"):
            clock.call_at(bad, nothing)
        with pytest.raises(ValueError, match=r"advance: seconds from 0 to 31622400 \(a year\)"):
            await clock.advance(bad)
    with pytest.raises(ValueError, match="advance: seconds from 0 to 31622400"):
        await clock.advance(1e13)
    for scale in (math.nan, math.inf, 0.0, 1e-9):
        with pytest.raises(ValueError, match="time scale must be from 1e-06 to 1e"):
            ScaledClock(scale)
    clock.call_later(math.nan, nothing)  # a NaN delay is "now", never a NaN in the heap
    assert clock.next_due() == clock.now()


@pytest.mark.parametrize("advance", ["1e13", "1e308", "-1", "NaN", "Infinity", "1e400"])
async def test_control_plane_clock_advance_is_bounded(
    advance: str, suno_mock: SunoMock, http: aiohttp.ClientSession
) -> None:
    body = f'{{"advance": {advance}}}'.encode()
    headers = {"Content-Type": "application/json"}
    before = suno_mock.clock.now()
    async with http.post(f"{suno_mock.url}/__mock__/clock", data=body, headers=headers) as resp:
        assert resp.status == 400
        msg = (await resp.json())["msg"]
    allowed = ("advance: seconds from 0 to 31622400", "advance: seconds >= 0, got -1")
    assert msg.startswith((*allowed, "body: malformed JSON")), msg
    assert suno_mock.clock.now() == before
    assert suno_mock.engine.errors == []


async def test_uploads_keep_working_after_the_largest_clock_advance(
    suno_mock: SunoMock, api: Api, http: aiohttp.ClientSession
) -> None:
    for _ in range(3):
        async with http.post(f"{suno_mock.url}/__mock__/clock", json={"advance": 31_622_400}) as r:
            assert r.status == 200
    body = {"base64Data": "aGVsbG8=", "uploadPath": "late", "fileName": "a.txt"}
    status, envelope = await api.post("/api/file-base64-upload", body)
    assert (status, envelope["code"]) == (200, 200), envelope
    assert suno_mock.engine.errors == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("job_delay", math.nan),
        ("job_delay", math.inf),
        ("callback_timeout", 1e308),
        ("upload_retention", math.nan),
        ("default_source_duration", 300_000.0),
        ("start_time", math.inf),
        ("retry_delays", (60.0, math.nan)),
        ("stage_delays", {"text": math.nan}),
        ("rate_limit", "1/" + "9" * 400),
    ],
)
def test_settings_refuse_non_finite_and_huge_numbers(field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        Settings.model_validate({field: value})


@pytest.mark.parametrize(
    "argv",
    [
        ["--time-scale", "nan"],
        ["--time-scale", "inf"],
        ["--job-delay", "nan"],
        ["--callback-timeout", "1e308"],
        ["--retry-delays", "60,inf"],
        ["--stage-delays", "text=nan"],
    ],
)
def test_serve_flags_refuse_non_finite_numbers(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["serve", "--port", "0", *argv])
    assert stopped.value.code == 2
    assert "error" in capsys.readouterr().err
