"""add-instrumental, add-vocals, mashup and replace-section: accepted end to end, and rejected."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server.testing import SunoMock
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import DROP, Api, SunoMockFactory, edited, generate_body

ADD_INSTRUMENTAL = "/api/v1/generate/add-instrumental"
ADD_VOCALS = "/api/v1/generate/add-vocals"
MASHUP = "/api/v1/generate/mashup"
REPLACE = "/api/v1/generate/replace-section"
CB = "http://127.0.0.1:9/callback"

BASE: dict[str, dict[str, Any]] = {
    ADD_INSTRUMENTAL: {
        "uploadUrl": "https://files.invalid/vocal-stem.mp3",
        "title": "Night Drive Backing",
        "tags": "synthwave, warm bass",
        "negativeTags": "acoustic guitar",
        "callBackUrl": CB,
    },
    ADD_VOCALS: {
        "uploadUrl": "https://files.invalid/beat.mp3",
        "prompt": "[Verse]\nCity lights",
        "title": "Calling Home",
        "style": "r&b, smooth",
        "negativeTags": "screaming",
        "vocalGender": "m",
        "callBackUrl": CB,
    },
    MASHUP: {
        "uploadUrlList": ["https://files.invalid/a.mp3", "https://files.invalid/b.mp3"],
        "customMode": True,
        "instrumental": False,
        "model": "V5",
        "prompt": "[Verse]\nTwo rivers meet tonight",
        "style": "electro swing",
        "title": "Two Rivers",
        "callBackUrl": CB,
    },
    REPLACE: {
        "uploadUrl": "https://files.invalid/own.mp3",
        "model": "V4_5PLUS",
        "prompt": "[Chorus]\nNew words",
        "tags": "indie pop",
        "title": "Silver Moon",
        "infillStartS": 30.25,
        "infillEndS": 48.5,
        "fullLyrics": "[Verse]\nold\n[Chorus]\nNew",
        "callBackUrl": CB,
    },
}


def body_for(path: str, **changes: Any) -> dict[str, Any]:
    return edited(BASE[path], **changes)


@pytest.mark.parametrize(
    ("path", "changes", "operation"),
    [
        (ADD_INSTRUMENTAL, {}, "add_instrumental"),
        (ADD_INSTRUMENTAL, {"model": "V6", "lyrics": "hum"}, "add_instrumental"),
        (ADD_VOCALS, {}, "add_vocals"),
        (MASHUP, {}, "mashup"),
        (MASHUP, {"customMode": DROP, "style": DROP, "title": DROP, "prompt": DROP}, "mashup"),
        (ADD_VOCALS, {"prompt": DROP, "lyrics": "[Verse]\nCity lights"}, "add_vocals"),
        (ADD_VOCALS, {"prompt": DROP}, "add_vocals"),
        (REPLACE, {}, "replace_section"),
        (REPLACE, {"callBackUrl": DROP}, "replace_section"),
    ],
)
async def test_accepted_and_run_to_the_end(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver,
    path: str, changes: dict[str, Any], operation: str) -> None:  # fmt: skip
    body = body_for(path, **changes)
    if "callBackUrl" in body:
        body["callBackUrl"] = callback_receiver.url
    task_id = await api.submit(path, body)
    await suno_mock.clock.advance(150)
    info = await api.record_info(task_id)
    assert (info["operationType"], info["status"]) == (operation, "SUCCESS")
    tracks = info["response"]["sunoData"]
    assert len(tracks) == 2
    expected = ["text", "first", "complete"] if "callBackUrl" in body else []
    assert [r.callback_type for r in callback_receiver.requests] == expected
    if path == ADD_INSTRUMENTAL:
        assert {(t["title"], t["tags"], t["prompt"]) for t in tracks} == {
            ("Night Drive Backing", "synthwave, warm bass", "")
        }
        assert tracks[0]["modelName"] == "chirp-v6"  # the default model is V6
    if path == ADD_VOCALS:
        assert tracks[0]["modelName"] == "chirp-v6"
        if "prompt" in body or "lyrics" in body:
            assert tracks[0]["prompt"] == "[Verse]\nCity lights"
        else:
            assert tracks[0]["prompt"]  # lyrics were written for it
    if path == REPLACE:
        assert [t["duration"] for t in tracks] == [120.0, 120.0]  # the upload's (assumed) length
        assert tracks[0]["prompt"] == body["fullLyrics"]


async def test_replace_section_of_a_track_the_mock_made(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    source_task = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    source = suno_mock.task(source_task).tracks[1]
    edit = body_for(
        REPLACE,
        uploadUrl=DROP,
        model=DROP,
        taskId=source_task,
        audioId=source.id,
        infillStartS=20,
        infillEndS=40,
    )
    _, envelope = await api.post(REPLACE, edit)
    assert envelope["code"] == 400
    assert envelope["msg"] == (
        f"taskId: task {source_task} is not finished (status PENDING); wait for SUCCESS"
    )
    await suno_mock.clock.advance(150)
    task_id = await api.submit(REPLACE, edit)
    await suno_mock.clock.advance(150)
    info = await api.record_info(task_id)
    assert (info["parentMusicId"], info["type"]) == (source.id, "chirp-bluejay")
    assert [t["duration"] for t in info["response"]["sunoData"]] == [source.duration] * 2

    other = dict(edit, audioId="nope")
    _, envelope = await api.post(REPLACE, other)
    assert envelope["msg"].startswith(f"audioId: 'nope' is not a track of task {source_task}")


REJECTED = [
    (ADD_INSTRUMENTAL, {"negativeTags": DROP}, 400, "negativeTags: required (add-instrumental)"),
    (ADD_INSTRUMENTAL, {"tags": " "}, 400, "tags: required (add-instrumental)"),
    (ADD_INSTRUMENTAL, {"uploadUrl": DROP}, 400, "uploadUrl: required"),
    (ADD_INSTRUMENTAL, {"model": "V3_5"}, 400, "model: must be one of V6, V6_WILD, V6_MINI"),
    (ADD_INSTRUMENTAL, {"title": "t" * 81}, 413, "title: at most 80 characters"),
    (ADD_VOCALS, {"style": DROP}, 400, "style: required (add-vocals)"),
    (ADD_VOCALS, {"title": DROP}, 400, "title: required (add-vocals)"),
    (ADD_VOCALS, {"model": "V4", "prompt": "p" * 3001}, 413, "prompt: at most 3000"),
    (
        MASHUP,
        {"uploadUrlList": ["https://files.invalid/a.mp3"]},
        400,
        "uploadUrlList: exactly 2 URLs (the two songs to blend), got 1",
    ),
    (MASHUP, {"uploadUrlList": ["https://files.invalid/a.mp3"] * 3}, 400, "exactly 2 URLs"),
    (MASHUP, {"uploadUrlList": ["a.mp3", "b.mp3"]}, 400, "uploadUrlList.0: must be an absolute"),
    (MASHUP, {"model": "V3_5"}, 400, "model: must be one of V6, V6_WILD, V6_MINI"),
    (MASHUP, {"prompt": "p" * 5001}, 413, "prompt: at most 5000"),
    (MASHUP, {"model": "V4", "style": "s" * 201}, 413, "style: at most 200"),
    (MASHUP, {"title": "t" * 81}, 413, "title: at most 80"),
    (
        REPLACE,
        {"taskId": "t1", "audioId": "a1"},
        400,
        "uploadUrl: send either taskId + audioId (a track the API made) or uploadUrl + model",
    ),
    (REPLACE, {"uploadUrl": DROP}, 400, "uploadUrl: required (or send taskId + audioId)"),
    (REPLACE, {"model": DROP}, 400, "model: required with uploadUrl"),
    (REPLACE, {"uploadUrl": DROP, "model": DROP, "taskId": "t1"}, 400, "audioId: required with"),
    (
        REPLACE,
        {"uploadUrl": DROP, "taskId": "t1", "audioId": "a1"},
        400,
        "model: send either taskId + audioId (a track the API made) or uploadUrl + model",
    ),
    (REPLACE, {"prompt": DROP, "lyrics": "x"}, 400, "prompt: required (replace-section)"),
    (REPLACE, {"fullLyrics": DROP}, 400, "fullLyrics: required (replace-section)"),
    (
        REPLACE,
        {"infillEndS": 30.25},
        400,
        "infillEndS: must be greater than infillStartS (30.25), got 30.25",
    ),
    (
        REPLACE,
        {"infillEndS": 38},
        400,
        "infillEndS: the window infillEndS - infillStartS must be at least 10 s, got 7.75 s",
    ),
    (REPLACE, {"infillStartS": 30.123}, 400, "infillStartS: must be a multiple of 0.01"),
    (REPLACE, {"infillStartS": -1}, 400, "infillStartS: input should be greater than or equal"),
    (
        REPLACE,
        {"uploadUrl": DROP, "model": DROP, "taskId": "nope", "audioId": "x"},
        400,
        "taskId: no task with id 'nope'",
    ),
]


@pytest.mark.parametrize(
    ("path", "changes", "code", "message"),
    [pytest.param(*c, id=f"{c[0].rsplit('/', 1)[-1]}-{c[3][:40]}") for c in REJECTED],
)
async def test_rejections(
    api: Api, suno_mock: SunoMock, path: str, changes: dict[str, Any], code: int, message: str
) -> None:
    _, envelope = await api.post(path, body_for(path, **changes))
    assert (envelope["code"], envelope["data"]) == (code, None), envelope
    assert message in envelope["msg"]
    assert suno_mock.tasks() == []


async def test_infill_window_is_a_setting(suno_mock_factory: SunoMockFactory, http: Any) -> None:
    today = Api(http, (await suno_mock_factory(default_upload_duration=300)).url)
    long_window = body_for(REPLACE, infillStartS=0, infillEndS=140)  # no ceiling today
    assert (await today.post(REPLACE, long_window))[1]["code"] == 200
    older = Api(http, (await suno_mock_factory(infill_min_seconds=6, infill_max_seconds=60)).url)
    _, envelope = await older.post(REPLACE, body_for(REPLACE, infillStartS=0, infillEndS=61))
    assert envelope["msg"] == (
        "infillEndS: the window infillEndS - infillStartS must be 6-60 s, got 61 s"
    )
    assert (await older.post(REPLACE, body_for(REPLACE, infillStartS=0, infillEndS=7)))[1][
        "code"
    ] == 200


async def test_window_must_fit_the_track(suno_mock_factory: SunoMockFactory, http: Any) -> None:
    api = Api(http, (await suno_mock_factory(default_upload_duration=100)).url)
    _, envelope = await api.post(REPLACE, body_for(REPLACE, infillStartS=10, infillEndS=65))
    assert envelope["msg"] == (
        "infillEndS: the window (55 s) must not exceed half of the track (50 s)"
    )
    _, envelope = await api.post(REPLACE, body_for(REPLACE, infillStartS=90, infillEndS=101))
    assert envelope["msg"] == "infillEndS: must lie within the track (100 s), got 101"


async def test_a_scenario_keeps_the_replaced_tracks_length(
    suno_mock_factory: SunoMockFactory, http: Any
) -> None:
    # A scenario without payload durations used to drop the upload's length from the tracks.
    server = await suno_mock_factory(scenario="happy-path", default_upload_duration=100)
    task_id = await Api(http, server.url).submit(REPLACE, body_for(REPLACE))
    assert [t.duration for t in server.task(task_id).tracks] == [100.0, 100.0]
