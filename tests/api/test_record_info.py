"""GET /api/v1/generate/record-info at every stage of a task."""

from __future__ import annotations

import json

from mock_server.testing import SunoMock
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import Api, generate_body

DATA_KEYS = {
    "taskId",
    "parentMusicId",
    "param",
    "response",
    "status",
    "type",
    "operationType",
    "errorCode",
    "errorMessage",
    "createTime",
}
TRACK_KEYS = {
    "id",
    "audioUrl",
    "sourceAudioUrl",
    "streamAudioUrl",
    "sourceStreamAudioUrl",
    "imageUrl",
    "sourceImageUrl",
    "prompt",
    "modelName",
    "title",
    "tags",
    "createTime",
    "duration",
}


async def test_record_info_follows_the_stages(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    body = generate_body(
        callback_receiver.url,
        model="V4",
        customMode=False,
        prompt="a rainy night",
        style=None,
        title=None,
    )
    task_id = await api.submit("/api/v1/generate", body)

    info = await api.record_info(task_id)
    assert set(info) == DATA_KEYS
    assert info["status"] == "PENDING"
    assert info["response"] is None
    assert isinstance(info["param"], str)
    assert json.loads(info["param"]) == body
    assert (info["taskId"], info["parentMusicId"], info["operationType"]) == (
        task_id,
        "",
        "generate",
    )
    assert (info["type"], info["errorCode"], info["errorMessage"]) == ("chirp-v4", None, None)
    assert info["createTime"] == int(suno_mock.clock.now() * 1000)

    await suno_mock.clock.advance(30)
    info = await api.record_info(task_id)
    assert info["status"] == "TEXT_SUCCESS"
    assert info["response"]["taskId"] == task_id
    tracks = info["response"]["sunoData"]
    assert len(tracks) == 2
    for track in tracks:
        assert set(track) == TRACK_KEYS
        assert (track["audioUrl"], track["sourceAudioUrl"], track["duration"]) == ("", None, None)
        assert track["streamAudioUrl"] == f"{suno_mock.url}/files/stream/{track['id']}"
        assert track["modelName"] == "chirp-v4"
        assert track["prompt"].startswith("[Verse]\n")  # lyrics written for the simple prompt
        assert track["title"]
        assert track["tags"]

    await suno_mock.clock.advance(30)
    info = await api.record_info(task_id)
    assert info["status"] == "FIRST_SUCCESS"
    one, two = info["response"]["sunoData"]
    assert one["audioUrl"] == f"{suno_mock.url}/files/audio/{one['id']}.mp3"
    assert one["sourceAudioUrl"] == f"{suno_mock.url}/files/source-audio/{one['id']}.mp3"
    assert isinstance(one["duration"], float)
    assert (two["audioUrl"], two["duration"]) == ("", None)

    await suno_mock.clock.advance(90)
    info = await api.record_info(task_id)
    assert info["status"] == "SUCCESS"
    assert all(isinstance(t["duration"], float) for t in info["response"]["sunoData"])
    callback_tracks = callback_receiver.requests[-1].json["data"]["data"]
    assert [t["id"] for t in info["response"]["sunoData"]] == [t["id"] for t in callback_tracks]
    assert [t["duration"] for t in info["response"]["sunoData"]] == [
        t["duration"] for t in callback_tracks
    ]


async def test_operation_types(api: Api, callback_receiver: CallbackReceiver) -> None:
    cover = {
        "uploadUrl": "https://files.invalid/a.mp3",
        "customMode": False,
        "instrumental": True,
        "model": "V4_5",
        "prompt": "hum",
        "callBackUrl": callback_receiver.url,
    }
    upload_extend = {
        "uploadUrl": "https://files.invalid/a.mp3",
        "defaultParamFlag": False,
        "model": "V4",
        "callBackUrl": callback_receiver.url,
    }
    for path, body, operation in (
        ("/api/v1/generate/upload-cover", cover, "upload_cover"),
        ("/api/v1/generate/upload-extend", upload_extend, "upload_extend"),
    ):
        info = await api.record_info(await api.submit(path, body))
        assert (info["operationType"], info["parentMusicId"]) == (operation, "")


async def test_instrumental_tracks_carry_no_lyrics(
    suno_mock: SunoMock, api: Api, callback_receiver: CallbackReceiver
) -> None:
    body = generate_body(callback_receiver.url, instrumental=True, prompt=None)
    task_id = await api.submit("/api/v1/generate", body)
    await suno_mock.clock.advance(150)
    tracks = (await api.record_info(task_id))["response"]["sunoData"]
    assert [t["prompt"] for t in tracks] == ["", ""]


async def test_extend_without_custom_parameters_inherits_the_source(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    source_task = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    source = suno_mock.task(source_task).tracks[1]
    body = {
        "defaultParamFlag": False,
        "audioId": source.id,
        "model": "V4_5PLUS",
        "callBackUrl": callback_receiver.url,
    }
    task_id = await api.submit("/api/v1/generate/extend", body)
    await suno_mock.clock.advance(150)
    info = await api.record_info(task_id)
    assert (info["operationType"], info["parentMusicId"]) == ("extend", source.id)
    for track in info["response"]["sunoData"]:
        assert (track["title"], track["tags"], track["prompt"]) == (
            source.title,
            source.tags,
            source.prompt,
        )


async def test_extended_track_is_longer_than_continue_at(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    source_task = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    source = suno_mock.task(source_task).tracks[0]
    body = {
        "defaultParamFlag": True,
        "audioId": source.id,
        "model": "V4_5PLUS",
        "continueAt": 100,
        "prompt": "[Bridge]\nhold on",
        "style": "indie pop",
        "title": "Silver Moon (Extended)",
        "callBackUrl": callback_receiver.url,
    }
    task_id = await api.submit("/api/v1/generate/extend", body)
    await suno_mock.clock.advance(150)
    tracks = (await api.record_info(task_id))["response"]["sunoData"]
    assert all(160 <= t["duration"] <= 250 for t in tracks)
    assert {t["title"] for t in tracks} == {"Silver Moon (Extended)"}
