"""`suno-mock drift`: a recording replayed against a mock; doctored fixtures are reported with
their location."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mock_server import MockServer, Settings
from mock_server.capture import RecordingError, load_recording
from mock_server.core.clock import ScaledClock
from mock_server.drift import DriftReport, drift
from mock_server.scripting.scenario import bundled_names, load_bundled
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import SunoMockFactory, generate_body
from tests.product.test_proxy import record_three_tasks, started_rig


@pytest.fixture
async def recorded(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A recording of four tasks (plain, error, retry, upload-cover) and their real ids."""
    folder = tmp_path / "rec"
    async with CallbackReceiver() as receiver, started_rig(folder, receiver) as rig:
        tasks = await record_three_tasks(rig)
    return folder, tasks


def doctor(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def fixture(folder: Path, pattern: str) -> Path:
    (found,) = sorted(folder.glob(pattern))[-1:]
    return found


def lines(report: DriftReport) -> list[str]:
    return [f"{f.file}: {f.difference}" for f in report.findings]


async def test_a_recording_shows_no_drift_against_the_mock(
    recorded: tuple[Path, dict[str, str]],
) -> None:
    folder, _ = recorded
    report = await drift(load_recording(folder))
    assert lines(report) == []
    assert (report.requests, report.callbacks) == (10, 13)
    assert report.text().splitlines()[-1] == (
        "no drift: every answer and callback has the recorded shape"
    )
    assert report.to_json()["drift"] is False


async def test_doctored_fields_are_reported_with_their_location(
    recorded: tuple[Path, dict[str, str]],
) -> None:
    folder, tasks = recorded
    plain = tasks["plain"]
    complete = fixture(folder, f"callbacks/*-{plain}-complete.json")
    credit = fixture(folder, "requests/*-generate-credit.json")
    first_poll, polled = sorted(folder.glob("requests/*-generate-record-info.json"))[:2]

    def renamed_key(data: dict[str, Any]) -> None:
        track = data["body"]["data"]["data"][0]
        track["durationSeconds"] = track.pop("duration")

    def number_to_string(data: dict[str, Any]) -> None:
        data["response"]["data"] = str(data["response"]["data"])

    def new_enum_value(data: dict[str, Any]) -> None:
        data["response"]["data"]["status"] = "SUCCEEDED"

    doctor(complete, renamed_key)
    doctor(credit, number_to_string)
    doctor(polled, new_enum_value)
    report = await drift(load_recording(folder))
    complete_file, credit_file, polled_file, first_poll_file = (
        p.relative_to(folder).as_posix() for p in (complete, credit, polled, first_poll)
    )
    assert lines(report) == [
        f"{polled_file}: $.data.status: enum value differs "
        "(reference: 'SUCCEEDED'; got: 'SUCCESS')",
        f"{credit_file}: $.data: type differs (reference: string; got: number)",
        f"{complete_file}: $.data.data[0].durationSeconds: key missing "
        "(reference: number; got: absent)",
        f"{complete_file}: $.data.data[0].duration: key not in the reference "
        "(reference: absent; got: number)",
        f"{first_poll_file}: status walk: sequence differs "
        "(reference: TEXT_SUCCESS -> SUCCEEDED; got: TEXT_SUCCESS -> SUCCESS)",
    ]
    text = report.text()
    assert f"{credit_file} (GET /api/v1/generate/credit, answer)\n" in text
    assert f"{complete_file} (task {plain}, callback 3: complete)\n" in text
    assert text.endswith("drift: 5 difference(s) from the recorded shapes\n")
    first = report.to_json()["differences"][0]
    assert first == {
        "file": polled_file,
        "subject": "GET /api/v1/generate/record-info, answer",
        "location": "$.data.status",
        "kind": "enum",
        "expected": "'SUCCEEDED'",
        "actual": "'SUCCESS'",
    }

    ignoring = await drift(
        load_recording(folder), ignore=["status", "status walk", "$.data.data[*]", "$.data"]
    )
    assert lines(ignoring) == []


async def test_a_missing_callback_is_an_order_difference(
    recorded: tuple[Path, dict[str, str]],
) -> None:
    folder, tasks = recorded
    fixture(folder, f"callbacks/*-{tasks['error']}-first.json").unlink()
    report = await drift(load_recording(folder))
    assert [str(f.difference) for f in report.findings] == [
        "callback order: sequence differs (reference: text, error; got: text, first, error)"
    ]


@pytest.mark.parametrize("scale", [None, 0.01])
async def test_drift_against_a_running_mock(
    recorded: tuple[Path, dict[str, str]], scale: float | None
) -> None:
    """Against a server with a manual clock, or a running (scaled) one, which is paused for the
    replay and resumed after."""
    folder, _ = recorded
    clock = ScaledClock(scale) if scale else None
    settings = Settings(scenario_dirs=(str(folder / "scenarios"),))  # names only over HTTP
    async with MockServer(settings, clock=clock) as server:
        report = await drift(load_recording(folder), against=server.url)
        assert lines(report) == []
        assert report.against == server.url
        assert [t.status for t in server.tasks()] == [
            "SUCCESS", "GENERATE_AUDIO_FAILED", "SUCCESS", "SUCCESS",
        ]  # fmt: skip
        assert server.clock.paused is (scale is None)


async def test_not_a_recording(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="not a recording"):
        load_recording(tmp_path)
    (tmp_path / "requests").mkdir()
    (tmp_path / "requests" / "0001-x.json").write_text('{"seq": 1}')
    with pytest.raises(RecordingError, match=r"requests/0001-x.json: missing field 'at'"):
        load_recording(tmp_path)


async def test_a_second_session_continues_the_recording(
    recorded: tuple[Path, dict[str, str]],
) -> None:
    folder, tasks = recorded
    before = load_recording(folder)
    async with CallbackReceiver() as receiver, started_rig(folder, receiver, seed=7) as rig:
        rig.upstream.next_task(scenario="skip-to-complete")
        more = await rig.submit(generate_body(receiver.url))
        await rig.clock.advance(200)
    after = load_recording(folder)
    assert after.exchanges[: len(before.exchanges)] == before.exchanges  # nothing overwritten
    added = after.exchanges[-1]
    last = max([e.seq for e in before.exchanges] + [c.seq for c in before.callbacks])
    assert (added.seq, added.task_id) == (last + 1, more)
    assert added.at >= before.exchanges[-1].at + 1
    assert [c.after for c in after.callbacks if c.task_id == more] == [90]
    assert more not in tasks.values()
    assert lines(await drift(after)) == []


async def test_a_submit_the_account_refused_is_answered_as_recorded(tmp_path: Path) -> None:
    """A 430 (too frequent) says nothing about the request: the replay gets the same answer
    instead of a false drift; a request the real service rejected as invalid is replayed as is
    (the mock must reject it too)."""
    folder = tmp_path / "rec"
    async with CallbackReceiver() as receiver, started_rig(folder, receiver) as rig:
        rig.upstream.next_task(scenario="too-frequent")
        refused = await rig.post("/api/v1/generate", generate_body(receiver.url))
        invalid = await rig.post("/api/v1/generate", generate_body(receiver.url, model="V9"))
        accepted = await rig.submit(generate_body(receiver.url))
        await rig.clock.advance(200)
    assert (refused["code"], invalid["code"]) == (430, 400)
    report = await drift(load_recording(folder))
    assert lines(report) == []
    assert [c.task_id for c in load_recording(folder).callbacks] == [accepted] * 3


SIMULATED = {name for name in bundled_names() if load_bundled(name).delivery.receiver}
"""Bundled scenarios that play a receiver fault inside the upstream: no callback reaches the
recording proxy, so there is nothing to record. A real receiver failing the same way is the
`flaky-receiver` case."""


@pytest.mark.parametrize(
    "scenario", [*(n for n in bundled_names() if n not in SIMULATED), "flaky-receiver"]
)
async def test_every_bundled_behaviour_recorded_replays_without_drift(
    tmp_path: Path, scenario: str
) -> None:
    """The upstream runs a bundled scenario; the recording of what it did (inferred stage
    times, error, retries, duplicates, reordering) replays to the same answers and callbacks."""
    folder = tmp_path / "rec"
    async with CallbackReceiver() as receiver, started_rig(folder, receiver) as rig:
        if scenario == "flaky-receiver":
            receiver.respond_with([503, 503, 200])
            scenario = str(tmp_path / "flaky-receiver.yaml")
            await asyncio.to_thread(
                Path(scenario).write_text, "version: 1\ndelivery: {retry_delays: [10s, 20s, 30s]}\n"
            )
        rig.upstream.next_task(scenario=scenario)
        answer = await rig.post("/api/v1/generate", generate_body(receiver.url))
        for _ in range(6):
            await rig.clock.advance(60)
            if answer["code"] == 200:
                await rig.poll(answer["data"]["taskId"])
    report = await drift(load_recording(folder))
    assert lines(report) == []


async def test_other_task_families_replay_with_the_mock_ids(tmp_path: Path) -> None:
    """Lyrics, a WAV of a finished track and an extend of it: the later requests name the real
    task and track ids, which the replay swaps for the mock's (another seed: other ids)."""
    folder = tmp_path / "rec"
    async with CallbackReceiver() as receiver, started_rig(folder, receiver, seed=7) as rig:
        task_id = await rig.submit(generate_body(receiver.url))
        await rig.clock.advance(200)
        track = (await rig.poll(task_id))["response"]["sunoData"][0]["id"]
        await rig.submit({"prompt": "neon rivers", "callBackUrl": receiver.url}, "/api/v1/lyrics")
        await rig.submit(
            {"taskId": task_id, "audioId": track, "callBackUrl": receiver.url},
            "/api/v1/wav/generate",
        )
        extend = {"defaultParamFlag": False, "audioId": track, "model": "V4_5PLUS",
                  "callBackUrl": receiver.url}  # fmt: skip
        await rig.submit(extend, "/api/v1/generate/extend")
        await rig.clock.advance(200)
    recording = load_recording(folder)
    assert len(recording.callbacks) == 3 + 1 + 1 + 3
    assert lines(await drift(recording)) == []


async def test_drift_sends_the_control_token_of_a_running_mock(
    recorded: tuple[Path, dict[str, str]], suno_mock_factory: SunoMockFactory
) -> None:
    folder, _ = recorded
    token = "a-test-token"  # noqa: S105 - not a secret
    server = await suno_mock_factory(
        scenario_dirs=(str(folder / "scenarios"),), control_token=token
    )
    with pytest.raises(RuntimeError, match="401"):
        await drift(load_recording(folder), against=server.url)
    report = await drift(load_recording(folder), against=server.url, control_token=token)
    assert lines(report) == []
