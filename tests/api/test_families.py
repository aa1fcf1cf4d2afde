"""Lyrics, WAV, vocal removal, MIDI, MP4, cover image; persona, timestamped lyrics, boost style."""

from __future__ import annotations

import io
from typing import Any

import aiohttp
import mutagen.mp4
import pytest
from PIL import Image

from mock_server import MockServer
from mock_server.families.music.tracks import Track
from mock_server.media.duration import audio_duration
from mock_server.testing import SunoMock
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import Api, generate_body

RECORD_KEYS = {
    "taskId",
    "musicId",
    "callbackUrl",
    "musicIndex",
    "completeTime",
    "response",
    "successFlag",
    "createTime",
    "errorCode",
    "errorMessage",
}


@pytest.fixture
async def track(api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver) -> Track:
    task_id = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    await suno_mock.clock.advance(150)
    callback_receiver.requests.clear()
    return suno_mock.task(task_id).tracks[0]


def task_of(server: MockServer, track: Track) -> str:
    return next(t.id for t in server.tasks() if track in t.tracks)


async def info(api: Api, family: str, task_id: str) -> Any:
    status, envelope = await api.get(f"/api/v1/{family}/record-info", params={"taskId": task_id})
    assert (status, envelope["code"]) == (200, 200), envelope
    return envelope["data"]


async def fetch(http: aiohttp.ClientSession, url: str) -> tuple[int, bytes]:
    async with http.get(url) as resp:
        return resp.status, await resp.read()


async def test_lyrics(suno_mock: SunoMock, api: Api, callback_receiver: CallbackReceiver) -> None:
    body = {"prompt": "a song about rain on a tin roof", "callBackUrl": callback_receiver.url}
    task_id = await api.submit("/api/v1/lyrics", body)
    pending = await info(api, "lyrics", task_id)
    assert pending == {
        "taskId": task_id, "param": '{"prompt":"a song about rain on a tin roof",'
        f'"callBackUrl":"{callback_receiver.url}"}}', "response": None, "status": "PENDING",
        "type": "LYRICS", "errorCode": None, "errorMessage": None,
    }  # fmt: skip
    await suno_mock.clock.advance(30)
    (callback,) = [r.json for r in callback_receiver.requests]
    assert (callback["code"], callback["msg"]) == (200, "All generated successfully.")
    assert set(callback["data"]) == {"callbackType", "taskId", "data"}  # camelCase taskId
    assert (callback["data"]["callbackType"], callback["data"]["taskId"]) == ("complete", task_id)
    items = callback["data"]["data"]
    assert len(items) == 2
    for item in items:
        assert set(item) == {"text", "title", "status", "errorMessage"}
        assert (item["status"], item["errorMessage"]) == ("complete", "")
        assert item["text"].startswith("[Verse]\n")
    done = await info(api, "lyrics", task_id)
    assert (done["status"], done["response"]) == ("SUCCESS", {"taskId": task_id, "data": items})


async def test_lyrics_rejections(api: Api) -> None:
    _, envelope = await api.post(
        "/api/v1/lyrics", {"prompt": "word " * 201, "callBackUrl": "http://127.0.0.1:9/cb"}
    )
    assert (envelope["code"], envelope["msg"]) == (413, "prompt: at most 200 words, got 201")
    _, envelope = await api.post("/api/v1/lyrics", {"prompt": "rain"})
    assert (envelope["code"], envelope["msg"]) == (400, "callBackUrl: required")
    _, envelope = await api.get("/api/v1/lyrics/record-info", params={"taskId": "x"})
    assert envelope["msg"] == "taskId: no lyrics task with id 'x'"


async def test_wav(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver,
    http: aiohttp.ClientSession, track: Track) -> None:  # fmt: skip
    body = {
        "taskId": task_of(suno_mock, track),
        "audioId": track.id,
        "callBackUrl": callback_receiver.url,
    }
    wav_id = await api.submit("/api/v1/wav/generate", body)
    assert (await info(api, "wav", wav_id))["successFlag"] == "PENDING"
    await suno_mock.clock.advance(30)
    (callback,) = [r.json for r in callback_receiver.requests]
    url = callback["data"]["audioWavUrl"]
    assert callback == {
        "code": 200,
        "msg": "success",
        "data": {"audioWavUrl": url, "task_id": wav_id},
    }
    record = await info(api, "wav", wav_id)
    assert set(record) == RECORD_KEYS - {"musicIndex"}
    assert (record["musicId"], record["successFlag"], record["response"]) == (
        track.id,
        "SUCCESS",
        {"audioWavUrl": url},
    )
    assert record["completeTime"] - record["createTime"] == 30_000
    status, data = await fetch(http, url)
    assert status == 200
    assert audio_duration(data) == pytest.approx(track.duration, abs=0.001)


async def test_track_jobs_need_a_finished_track_the_mock_made(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    task_id = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    audio_id = suno_mock.task(task_id).tracks[0].id
    body = {"taskId": task_id, "audioId": audio_id, "callBackUrl": callback_receiver.url}
    _, envelope = await api.post("/api/v1/mp4/generate", body)
    assert envelope["msg"] == (
        f"taskId: task {task_id} is not finished (status PENDING); wait for SUCCESS"
    )
    _, envelope = await api.post("/api/v1/wav/generate", dict(body, taskId="nope"))
    assert envelope["msg"] == "taskId: no task with id 'nope'"
    _, envelope = await api.post("/api/v1/vocal-removal/generate", dict(body, audioId=None))
    assert envelope["msg"].startswith("audioId: required (the task and track to separate")


STEM_KEYS = {
    "separate_vocal": ["vocal", "instrumental"],
    "split_stem": [
        "vocal", "backing_vocals", "drums", "bass", "guitar", "keyboard", "percussion",
        "strings", "synth", "fx", "brass", "woodwinds",
    ],
    "split_stem_advanced": ["drums"],
}  # fmt: skip
RECORD_URLS = [  # sunoapi.org's page: no pianoUrl (only kie.ai's has one)
    "instrumentalUrl", "vocalUrl", "backingVocalsUrl", "drumsUrl", "bassUrl", "guitarUrl",
    "keyboardUrl", "percussionUrl", "stringsUrl", "synthUrl", "fxUrl", "brassUrl",
    "woodwindsUrl",
]  # fmt: skip


@pytest.mark.parametrize("separation", list(STEM_KEYS))
async def test_vocal_removal_and_midi(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver,
    http: aiohttp.ClientSession, track: Track, separation: str) -> None:  # fmt: skip
    stems = STEM_KEYS[separation]
    body = {
        "taskId": task_of(suno_mock, track),
        "audioId": track.id,
        "callBackUrl": callback_receiver.url,
        "type": separation,
    }
    if separation == "split_stem_advanced":
        body["stemName"] = "Drum Kit"
    job_id = await api.submit("/api/v1/vocal-removal/generate", body)
    midi_body = {"taskId": job_id, "callBackUrl": callback_receiver.url}
    _, envelope = await api.post("/api/v1/midi/generate", midi_body)
    assert envelope["msg"] == f"taskId: vocal-removal task {job_id} is not finished yet"
    await suno_mock.clock.advance(30)
    callback = callback_receiver.requests[0].json
    assert callback["msg"] == "vocal Removal generated successfully."
    urls = callback["data"]["vocal_removal_info"]
    assert list(urls) == sorted(["origin_url", *(f"{stem}_url" for stem in stems)])
    assert urls["origin_url"] == ""  # as in the docs' example
    status, data = await fetch(http, urls[f"{stems[-1]}_url"])
    assert status == 200
    assert audio_duration(data) == pytest.approx(track.duration, abs=0.04)
    record = await info(api, "vocal-removal", job_id)
    assert set(record) == RECORD_KEYS - {"musicIndex"} | {"audioId"}
    assert (record["audioId"], record["successFlag"]) == (track.id, "SUCCESS")
    response = record["response"]
    assert list(response) == ["id", "originUrl", "originData", *RECORD_URLS]
    assert (response["id"], response["originUrl"]) == (None, None)
    assert (response["instrumentalUrl"] is None) == (separation != "separate_vocal")
    origin = response["originData"]
    assert [list(item) for item in origin] == [
        ["duration", "audio_url", "stem_type_group_name", "id"]
    ] * len(stems)
    assert [item["audio_url"] for item in origin] == [urls[f"{stem}_url"] for stem in stems]
    assert {item["duration"] for item in origin} == {track.duration}
    if separation == "separate_vocal":
        assert [i["stem_type_group_name"] for i in origin] == ["Vocals", "Instrumental"]

    _, envelope = await api.post("/api/v1/midi/generate", dict(midi_body, audioId=track.id))
    assert envelope["msg"].startswith(f"audioId: {track.id!r} is not a stem of vocal-removal")
    stem_id = origin[-1]["id"]  # the documented source of a MIDI audioId
    midi_id = await api.submit("/api/v1/midi/generate", dict(midi_body, audioId=stem_id))
    await suno_mock.clock.advance(30)
    midi = callback_receiver.requests[-1].json
    assert list(midi) == ["task_id", "code", "msg", "data"]  # task_id at the top level
    assert (midi["task_id"], midi["data"]["state"]) == (midi_id, "complete")
    assert {"name", "notes"} == set(midi["data"]["instruments"][0])
    notes = midi["data"]["instruments"][0]["notes"]
    assert {type(n["start"]) for n in notes} == {str, float}  # mixed, as documented
    record = await info(api, "midi", midi_id)
    assert (record["successFlag"], record["recordTaskId"], record["audioId"]) == (1, -1, stem_id)
    assert record["midiData"] == midi["data"]


async def test_vocal_removal_of_uploaded_audio(
    suno_mock_factory: Any, http: aiohttp.ClientSession, callback_receiver: CallbackReceiver
) -> None:
    server = await suno_mock_factory(default_upload_duration=90)
    api = Api(http, server.url)
    body = {
        "audioUrl": "https://files.invalid/song.mp3",  # not fetched: its length is assumed
        "callBackUrl": callback_receiver.url,
        "type": "split_stem_advanced",
        "stemName": "Kick",
    }
    job_id = await api.submit("/api/v1/vocal-removal/generate", body)
    await server.clock.advance(30)
    urls = callback_receiver.requests[0].json["data"]["vocal_removal_info"]
    assert list(urls) == ["kick_url", "origin_url"]
    record = await info(api, "vocal-removal", job_id)
    assert (record["audioId"], record["musicId"]) == ("", "")
    [kick] = record["response"]["originData"]
    assert (kick["stem_type_group_name"], kick["duration"]) == ("Kick", 90)
    assert all(record["response"][key] is None for key in RECORD_URLS)
    status, data = await fetch(http, kick["audio_url"])
    assert status == 200
    assert audio_duration(data) == pytest.approx(90, abs=0.04)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"type": "split_stem_advanced"}, "stemName: required when type is split_stem_advanced"),
        ({"type": "split_stem_advanced", "stemName": "Kazoo"}, "stemName: must be one of the 98"),
        ({"audioUrl": "https://files.invalid/a.mp3"}, "taskId: send either taskId + audioId"),
        ({"taskId": None}, "taskId: required (the task and track to separate"),
        ({"audioId": " "}, "audioId: required (the task and track to separate; or send audioUrl)"),
        ({"type": "karaoke"}, "type: input should be 'separate_vocal', 'split_stem' or"),
    ],
)
async def test_vocal_removal_rejections(
    api: Api, suno_mock: SunoMock, track: Track, changes: dict[str, Any], message: str
) -> None:
    body = {
        "taskId": task_of(suno_mock, track),
        "audioId": track.id,
        "callBackUrl": "http://x.invalid/",
    }
    _, envelope = await api.post("/api/v1/vocal-removal/generate", {**body, **changes})
    assert (envelope["code"], envelope["data"]) == (400, None)
    assert envelope["msg"].startswith(message), envelope["msg"]


async def test_music_video(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver,
    http: aiohttp.ClientSession, track: Track) -> None:  # fmt: skip
    body = {
        "taskId": task_of(suno_mock, track),
        "audioId": track.id,
        "callBackUrl": callback_receiver.url,
        "author": "Me",
        "domainName": "example.com",
    }
    _, envelope = await api.post("/api/v1/mp4/generate", dict(body, author="x" * 51))
    assert envelope["msg"].startswith("author: string should have at most 50 characters")
    video_id = await api.submit("/api/v1/mp4/generate", body)
    await suno_mock.clock.advance(30)
    callback = callback_receiver.requests[0].json
    assert (callback["msg"], callback["data"]["task_id"]) == (
        "MP4 generated successfully.",
        video_id,
    )
    status, data = await fetch(http, callback["data"]["video_url"])
    assert status == 200
    parsed: Any = mutagen.mp4.MP4(io.BytesIO(data)).info
    assert parsed.length == pytest.approx(track.duration, 0.001)
    record = await info(api, "mp4", video_id)
    assert record["response"] == {"videoUrl": callback["data"]["video_url"]}


async def test_cover_image(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver,
    http: aiohttp.ClientSession, track: Track) -> None:  # fmt: skip
    body = {"taskId": task_of(suno_mock, track), "callBackUrl": callback_receiver.url}
    cover_id = await api.submit("/api/v1/suno/cover/generate", body)
    _, envelope = await api.post("/api/v1/suno/cover/generate", body)
    assert envelope == {  # documented: a duplicate request answers the existing taskId
        "code": 400,
        "msg": "Cover already generated for this task",
        "data": {"taskId": cover_id},
    }
    assert (await info(api, "suno/cover", cover_id))["successFlag"] == 0
    await suno_mock.clock.advance(30)
    callback = callback_receiver.requests[0].json
    assert set(callback["data"]) == {"taskId", "images"}
    assert len(callback["data"]["images"]) == 2
    for url in callback["data"]["images"]:
        status, data = await fetch(http, url)
        assert (status, Image.open(io.BytesIO(data)).format) == (200, "PNG")
    record = await info(api, "suno/cover", cover_id)
    assert (record["successFlag"], record["parentTaskId"]) == (1, body["taskId"])
    assert record["response"] == {"images": callback["data"]["images"]}


async def test_persona(api: Api, suno_mock: SunoMock, track: Track) -> None:
    body = {
        "taskId": task_of(suno_mock, track),
        "audioId": track.id,
        "name": "Warm Alto",
        "description": "Breathy alto",
        "vocalStart": 10,
        "vocalEnd": 35.5,
    }
    _, envelope = await api.post("/api/v1/generate/generate-persona", body)
    persona = envelope["data"]
    assert set(persona) == {"personaId", "name", "description"}
    assert (persona["name"], persona["description"]) == ("Warm Alto", "Breathy alto")
    again = (await api.post("/api/v1/generate/generate-persona", dict(body, name="Renamed")))[1][
        "data"
    ]
    assert (again["personaId"], again["name"]) == (persona["personaId"], "Renamed")
    _, envelope = await api.post("/api/v1/generate/generate-persona", dict(body, vocalEnd=15))
    assert envelope["msg"] == "vocalEnd: vocalEnd - vocalStart must be 10-30 s, got 5 s"
    _, envelope = await api.post("/api/v1/generate/generate-persona", dict(body, name=""))
    assert envelope["msg"] == "name: required (persona)"


async def test_timestamped_lyrics(api: Api, suno_mock: SunoMock, track: Track) -> None:
    task_id = task_of(suno_mock, track)
    _, envelope = await api.post("/api/v1/generate/get-timestamped-lyrics", {"taskId": task_id})
    assert (envelope["code"], envelope["msg"]) == (400, "audioId: required")
    body = {"taskId": task_id, "audioId": track.id}
    _, envelope = await api.post("/api/v1/generate/get-timestamped-lyrics", body)
    data = envelope["data"]
    assert set(data) == {"alignedWords", "waveformData", "hootCer", "isStreamed"}
    words = data["alignedWords"]
    assert " ".join(w["word"] for w in words) == track.prompt
    assert words[0] == {
        "word": "[Verse]\nStreetlights",
        "success": True,
        "startS": 0.0,
        "endS": words[0]["endS"],
        "palign": 0,
    }
    assert words[-1]["endS"] <= track.duration
    other = next(t for t in suno_mock.task(task_id).tracks if t.id != track.id)
    second = (
        await api.post(
            "/api/v1/generate/get-timestamped-lyrics", {"taskId": task_id, "audioId": other.id}
        )
    )[1]["data"]
    assert second["waveformData"] != data["waveformData"]


async def test_boost_style(api: Api, suno_mock: SunoMock) -> None:
    _, envelope = await api.post("/api/v1/style/generate", {"content": "Pop, Mysterious"})
    data = envelope["data"]
    assert data["result"].startswith("Pop, Mysterious, ")
    assert (data["successFlag"], data["param"]) == ("1", '{"content":"Pop, Mysterious"}')
    assert data["creditsConsumed"] == 0.4
    assert data["creditsRemaining"] == suno_mock.engine.account.credits == 10_000 - 0.4
    _, envelope = await api.get("/api/v1/generate/credit")
    assert envelope["data"] == 9999  # the credit endpoint answers an integer
    _, envelope = await api.post("/api/v1/style/generate", {"content": " "})
    assert envelope["msg"] == "content: required (a short style description)"


async def test_jobs_cost_credits(api: Api, suno_mock: SunoMock, track: Track) -> None:
    before = suno_mock.engine.account.credits
    await api.submit("/api/v1/lyrics", {"prompt": "x", "callBackUrl": "http://127.0.0.1:9/c"})
    assert suno_mock.engine.account.credits == before - suno_mock.settings.task_cost


async def test_cover_uses_its_own_code_for_insufficient_credits(
    suno_mock_factory: Any, http: aiohttp.ClientSession, callback_receiver: CallbackReceiver
) -> None:
    server = await suno_mock_factory(credits=12, task_cost=12)
    api = Api(http, server.url)
    task_id = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    body = {"taskId": task_id, "callBackUrl": callback_receiver.url}
    _, envelope = await api.post("/api/v1/suno/cover/generate", body)
    assert (envelope["code"], envelope["msg"]) == (
        402,
        "The current credits are insufficient. Please top up.",
    )
    _, envelope = await api.post(
        "/api/v1/lyrics", {"prompt": "x", "callBackUrl": callback_receiver.url}
    )
    assert envelope["code"] == 429


async def test_uncertain_points_of_the_families_are_settings(
    suno_mock_factory: Any, http: aiohttp.ClientSession, callback_receiver: CallbackReceiver
) -> None:
    server = await suno_mock_factory(
        cover_repeat_code=409,
        vocal_removal_track_field="musicIndex",
        lyrics_limit_unit="characters",
    )
    api = Api(http, server.url)
    task_id = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    await server.clock.advance(150)
    body = {"taskId": task_id, "callBackUrl": callback_receiver.url}
    cover_id = await api.submit("/api/v1/suno/cover/generate", body)
    _, envelope = await api.post("/api/v1/suno/cover/generate", body)
    assert envelope == {
        "code": 409,
        "msg": "Cover already generated for this task",
        "data": {"taskId": cover_id},
    }
    track = server.task(task_id).tracks[1]
    job = {"taskId": task_id, "audioId": track.id, "callBackUrl": callback_receiver.url}
    job_id = await api.submit("/api/v1/vocal-removal/generate", job)
    record = await info(api, "vocal-removal", job_id)
    assert (record["musicIndex"], "audioId" in record) == (1, False)
    _, envelope = await api.post(
        "/api/v1/lyrics", {"prompt": "r" * 201, "callBackUrl": callback_receiver.url}
    )
    assert (envelope["code"], envelope["msg"]) == (413, "prompt: at most 200 characters, got 201")


async def test_vocal_removal_of_audio_that_cannot_be_fetched_fails(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    missing = f"{suno_mock.url}/files/tmp/nowhere/gone.mp3"  # the mock's own URL: it is fetched
    body = {"audioUrl": missing, "callBackUrl": callback_receiver.url}
    job_id = await api.submit("/api/v1/vocal-removal/generate", body)
    await suno_mock.clock.advance(30)
    callback = callback_receiver.requests[-1].json
    assert callback["code"] == 451
    assert callback["msg"].startswith("Unable to download the source audio file: ")
    assert callback["data"] == {"task_id": job_id, "vocal_removal_info": None}
    record = await info(api, "vocal-removal", job_id)
    assert (record["successFlag"], record["response"], record["errorCode"]) == (
        "CREATE_TASK_FAILED",
        None,
        451,
    )


async def test_personas_are_bounded_like_tasks(
    suno_mock_factory: Any, http: aiohttp.ClientSession, callback_receiver: CallbackReceiver
) -> None:
    server = await suno_mock_factory(task_limit=10, rate_limit="off")
    api = Api(http, server.url)
    ids = [
        await api.submit("/api/v1/generate", generate_body(callback_receiver.url)) for _ in range(6)
    ]
    await server.clock.advance(150)
    for task_id in ids:
        for track in server.task(task_id).tracks:
            body = {"taskId": task_id, "audioId": track.id, "name": "n", "description": "d"}
            assert (await api.post("/api/v1/generate/generate-persona", body))[1]["code"] == 200
    assert len(server.engine.ops.personas) == 10  # 12 made, the two oldest forgotten
