"""Points where the docs disagree with themselves: one documented default and a setting each
(docs/divergences.md lists them). Pages re-read on 2026-12-07."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from mock_server import ManualClock, Settings
from mock_server.testing import SunoMock
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import ROOT, Api, SunoMockFactory, generate_body

WAV = "https://docs.sunoapi.org/suno-api/convert-to-wav-format.md"
WAV_CN = "https://docs.sunoapi.org/cn/suno-api/convert-to-wav-format"
UPLOAD_COVER = "https://docs.sunoapi.org/suno-api/upload-and-cover-audio.md"
READ_ON = "2026-12-07"
REAL = ROOT / "tests" / "fixtures" / "real"
CB = "https://files.invalid/cb"


async def finished(api: Api, clock: ManualClock, callback_url: str) -> tuple[str, str]:
    task_id = await api.submit("/api/v1/generate", generate_body(callback_url))
    await clock.advance(150)
    return task_id, (await api.record_info(task_id))["response"]["sunoData"][1]["id"]


async def make(factory: SunoMockFactory, http: aiohttp.ClientSession, **settings: Any) -> Api:
    return Api(http, (await factory(**settings)).url)


def extend(audio_id: str) -> dict[str, Any]:
    return {"defaultParamFlag": False, "audioId": audio_id, "model": "V4_5PLUS",
            "callBackUrl": CB}  # fmt: skip


async def test_unknown_audio_id_is_accepted_with_a_note_or_refused(
    suno_mock: SunoMock, api: Api, suno_mock_factory: SunoMockFactory, http: aiohttp.ClientSession
) -> None:
    # Default: accepted (an id the mock never made may be a real track from before it started);
    # the task's history says production would refuse it.
    task_id = await api.submit("/api/v1/generate/extend", extend("nope"))
    notes = [what for _, what in suno_mock.task(task_id).history]
    assert any("'nope' is not a track this mock made" in note for note in notes), notes
    strict = await make(suno_mock_factory, http, unknown_audio_id="refuse")
    _, envelope = await strict.post("/api/v1/generate/extend", extend("nope"))
    assert (envelope["code"], envelope["data"]) == (400, None)
    assert envelope["msg"].startswith("audioId: no track with id 'nope'")


async def server_with(
    factory: SunoMockFactory, http: aiohttp.ClientSession, **settings: Any
) -> tuple[Api, ManualClock]:
    server = await factory(**settings)
    assert isinstance(server.clock, ManualClock)
    return Api(http, server.url), server.clock


@pytest.mark.parametrize(("kind", "label"), [("wav", "WAV"), ("mp4", "MP4")])
async def test_second_file_of_a_track_is_a_conflict(
    suno_mock: SunoMock,
    api: Api,
    callback_receiver: CallbackReceiver,
    suno_mock_factory: SunoMockFactory,
    http: aiohttp.ClientSession,
    kind: str,
    label: str,
) -> None:
    # WAV_CN, read on READ_ON: "409 - 冲突 - WAV记录已存在" (conflict, WAV record already exists);
    # the MP4 page lists the same for MP4. A new task every time is the setting.
    task_id, audio_id = await finished(api, suno_mock.clock, callback_receiver.url)
    body = {"taskId": task_id, "audioId": audio_id, "callBackUrl": CB}
    await api.submit(f"/api/v1/{kind}/generate", body)
    _, envelope = await api.post(f"/api/v1/{kind}/generate", body)
    assert envelope == {"code": 409, "msg": f"{label} record already exists", "data": None}
    other, other_clock = await server_with(suno_mock_factory, http, repeat_file_job="new_task")
    task_id, audio_id = await finished(other, other_clock, callback_receiver.url)
    body = {"taskId": task_id, "audioId": audio_id, "callBackUrl": CB}
    ids = [await other.submit(f"/api/v1/{kind}/generate", body) for _ in range(2)]
    assert ids[0] != ids[1]


async def test_upload_cover_legacy_custom_mode_false(
    api: Api, suno_mock_factory: SunoMockFactory, http: aiohttp.ClientSession
) -> None:
    # UPLOAD_COVER, read on READ_ON: it "always runs in custom mode"; `customMode` is gone.
    body = {"uploadUrl": "https://files.invalid/a.mp3", "model": "V6", "customMode": False,
            "prompt": "a calm cover", "callBackUrl": CB}  # fmt: skip
    assert (await api.post("/api/v1/generate/upload-cover", body))[1]["code"] == 200
    strict = await make(suno_mock_factory, http, legacy_custom_mode="refuse")
    _, envelope = await strict.post("/api/v1/generate/upload-cover", body)
    assert envelope["code"] == 400
    assert envelope["msg"].startswith("customMode: upload-cover always runs in custom mode")
    assert (await strict.post("/api/v1/generate/upload-cover", body | {"customMode": True}))[1][
        "code"
    ] == 200


async def test_wav_needs_both_ids_or_either_under_the_setting(
    suno_mock: SunoMock,
    api: Api,
    callback_receiver: CallbackReceiver,
    suno_mock_factory: SunoMockFactory,
    http: aiohttp.ClientSession,
) -> None:
    # WAV, read on READ_ON: the usage guide says "Provide either taskId or audioId", its schema
    # `required: [taskId, audioId, callBackUrl]`. Default: the schema.
    task_id, audio_id = await finished(api, suno_mock.clock, callback_receiver.url)
    _, envelope = await api.post("/api/v1/wav/generate", {"audioId": audio_id, "callBackUrl": CB})
    assert (envelope["code"], envelope["msg"]) == (
        400, "taskId: required (the task and track to work on)",
    )  # fmt: skip
    either, either_clock = await server_with(suno_mock_factory, http, wav_source="either")
    task_id, audio_id = await finished(either, either_clock, callback_receiver.url)
    by_audio = await either.submit("/api/v1/wav/generate", {"audioId": audio_id, "callBackUrl": CB})
    by_task = await either.submit("/api/v1/wav/generate", {"taskId": task_id, "callBackUrl": CB})
    music_ids = []
    for job in (by_audio, by_task):
        _, envelope = await either.get("/api/v1/wav/record-info", params={"taskId": job})
        music_ids.append(envelope["data"]["musicId"])
    first = (await either.record_info(task_id))["response"]["sunoData"][0]["id"]
    assert music_ids == [audio_id, first]
    _, envelope = await either.post("/api/v1/wav/generate", {"callBackUrl": CB})
    assert envelope["msg"].startswith("taskId: required, or audioId")


def captured_create_times() -> list[Any]:
    """Every `createTime` in the payloads captured from the real service (not docs examples)."""
    found: list[Any] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            found.extend(v for k, v in value.items() if k == "createTime")
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for path in sorted(REAL.glob("*.json")):
        if not path.name.startswith("docs-"):
            walk(json.loads(path.read_text()))
    return found


async def test_create_time_default_follows_the_captures(
    suno_mock: SunoMock, api: Api, callback_receiver: CallbackReceiver
) -> None:
    # The docs' examples write "createTime": "2025-01-01 00:00:00"; every capture has epoch ms.
    captured = captured_create_times()
    assert len(captured) >= 5
    assert all(isinstance(t, int) and t > 1_600_000_000_000 for t in captured), captured
    assert Settings().create_time_format == "epoch_ms"
    await finished(api, suno_mock.clock, callback_receiver.url)
    tracks = callback_receiver.requests[-1].json["data"]["data"]
    assert all(isinstance(t["createTime"], int) for t in tracks)
