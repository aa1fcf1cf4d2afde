"""The documented facts of the third fidelity pass, each from the page's own words.

Pages re-read on 2026-12-07 (docs.sunoapi.org; the EN page and, where it says more, the newer CN
one). Each test names the page it quotes.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from mock_server import ManualClock
from mock_server.media.duration import audio_duration
from mock_server.testing import SunoMock
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import Api, SunoMockFactory, generate_body

GENERATE = "https://docs.sunoapi.org/suno-api/generate-music.md"
UPLOAD_EXTEND = "https://docs.sunoapi.org/suno-api/upload-and-extend-audio.md"
UPLOAD_EXTEND_CN = "https://docs.sunoapi.org/cn/suno-api/upload-and-extend-audio.md"
VOICE_REGENERATE = "https://docs.sunoapi.org/suno-api/suno-voice-regenerate.md"
VOICE_VALIDATE = "https://docs.sunoapi.org/suno-api/suno-voice-validate.md"
VOICE_CALLBACKS = "https://docs.sunoapi.org/suno-api/suno-voice-regenerate-callbacks.md"
BASE64_UPLOAD = "https://docs.sunoapi.org/file-upload-api/upload-file-base-64.md"
SEPARATION = "https://docs.sunoapi.org/cn/suno-api/get-vocal-separation-details"
READ_ON = "2026-12-07"

VOICE = "/api/v1/voice"
CB_INVALID = "https://files.invalid/cb"


def v6_custom(callback_url: str, **fields: Any) -> dict[str, Any]:
    return generate_body(callback_url, model="V6", **fields)


async def finished_track(api: Api, clock: ManualClock, callback_url: str) -> dict[str, Any]:
    """A track the mock made (120-240 s long), as record-info shows it."""
    task_id = await api.submit("/api/v1/generate", generate_body(callback_url))
    await clock.advance(150)
    track: dict[str, Any] = (await api.record_info(task_id))["response"]["sunoData"][0]
    return track | {"taskId": task_id}


async def served_length(http: aiohttp.ClientSession, url: str) -> float:
    async with http.get(url) as resp:
        assert resp.status == 200
        length = audio_duration(await resp.read())
    assert length is not None
    return length


# 1. duration ------------------------------------------------------------------------------


@pytest.mark.parametrize("asked", [10, 30, 360])
async def test_generate_tracks_last_the_requested_duration(
    suno_mock: SunoMock,
    api: Api,
    callback_receiver: CallbackReceiver,
    http: aiohttp.ClientSession,
    asked: int,
) -> None:
    # GENERATE, read on READ_ON: duration "Audio duration in seconds, range 10-360" (V6, custom
    # mode). The mock's tracks last that, within 2 s (setting duration_spread).
    task_id = await api.submit("/api/v1/generate", v6_custom(callback_receiver.url, duration=asked))
    await suno_mock.clock.advance(150)
    tracks = (await api.record_info(task_id))["response"]["sunoData"]
    complete = callback_receiver.requests[-1].json["data"]["data"]
    assert [t["duration"] for t in tracks] == [t["duration"] for t in complete]
    for track in tracks:
        assert abs(track["duration"] - asked) <= 2, track["duration"]
        assert abs(await served_length(http, track["audioUrl"]) - track["duration"]) < 0.05


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/generate/upload-cover",
         {"uploadUrl": "https://files.invalid/a.mp3", "model": "V6", "duration": 45}),
        ("/api/v1/generate/mashup",
         {"uploadUrlList": ["https://files.invalid/a.mp3", "https://files.invalid/b.mp3"],
          "model": "V6", "duration": 45}),
    ],
)  # fmt: skip
async def test_upload_endpoints_honour_duration_too(
    suno_mock: SunoMock,
    api: Api,
    callback_receiver: CallbackReceiver,
    path: str,
    body: dict[str, Any],
) -> None:
    # The upload-cover and mashup pages type `duration` an integer (10-360) as well.
    task_id = await api.submit(path, body | {"callBackUrl": callback_receiver.url})
    await suno_mock.clock.advance(150)
    tracks = (await api.record_info(task_id))["response"]["sunoData"]
    assert all(abs(t["duration"] - 45) <= 2 for t in tracks), tracks


async def test_duration_spread_zero_is_exact_and_bounds_are_checked(
    suno_mock_factory: SunoMockFactory,
    http: aiohttp.ClientSession,
    callback_receiver: CallbackReceiver,
) -> None:
    server = await suno_mock_factory(duration_spread=0)
    api = Api(http, server.url)
    task_id = await api.submit("/api/v1/generate", v6_custom(callback_receiver.url, duration=42))
    assert [t.duration for t in server.task(task_id).tracks] == [42, 42]
    for bad in (9, 361):
        _, envelope = await api.post(
            "/api/v1/generate", v6_custom(callback_receiver.url, duration=bad)
        )
        assert envelope["code"] == 400
        assert envelope["msg"].startswith("duration: input should be"), envelope["msg"]


async def test_duration_is_seeded(
    suno_mock_factory: SunoMockFactory,
    http: aiohttp.ClientSession,
    callback_receiver: CallbackReceiver,
) -> None:
    lengths = []
    for _ in range(2):
        server = await suno_mock_factory(seed=7)
        task_id = await Api(http, server.url).submit(
            "/api/v1/generate", v6_custom(callback_receiver.url, duration=100)
        )
        lengths.append([t.duration for t in server.task(task_id).tracks])
    assert lengths[0] == lengths[1]
    assert lengths[0][0] != lengths[0][1]  # a spread, not one number


# 2. upload length per endpoint ------------------------------------------------------------


async def test_upload_extend_v4_5all_takes_one_minute_upload_cover_eight(
    suno_mock: SunoMock, api: Api, callback_receiver: CallbackReceiver
) -> None:
    # UPLOAD_EXTEND, read on READ_ON: "When using the V4_5ALL model, the uploaded audio file must
    # not exceed 1 minute in length"; UPLOAD_EXTEND_CN the same ("不得超过 1 分钟"). The
    # upload-cover page allows 8 minutes for every model.
    track = await finished_track(api, suno_mock.clock, callback_receiver.url)
    assert track["duration"] > 60
    extend = {
        "uploadUrl": track["audioUrl"], "defaultParamFlag": False, "model": "V4_5ALL",
        "callBackUrl": CB_INVALID,
    }  # fmt: skip
    _, envelope = await api.post("/api/v1/generate/upload-extend", extend)
    assert envelope["code"] == 400
    assert "upload-extend with model V4_5ALL accepts uploads of at most 60 s" in envelope["msg"]
    assert envelope["msg"].endswith("(setting upload_extend_max_duration_v4_5all)")
    cover = {"uploadUrl": track["audioUrl"], "model": "V4_5ALL", "callBackUrl": CB_INVALID}
    assert (await api.post("/api/v1/generate/upload-cover", cover))[1]["code"] == 200


# 3. voice regenerate: calBackUrl ----------------------------------------------------------


async def validated(api: Api, clock: ManualClock) -> str:
    body = {"voiceUrl": "https://files.invalid/me.mp3", "vocalStartS": 0, "vocalEndS": 10}
    task_id = await api.submit(f"{VOICE}/validate", body)
    await clock.advance(30)
    return task_id


async def test_regenerate_requires_cal_back_url_as_spelled(
    suno_mock: SunoMock, api: Api, callback_receiver: CallbackReceiver
) -> None:
    # VOICE_REGENERATE, read on READ_ON: "The API schema uses `calBackUrl` for the callback URL
    # field"; its schema requires taskId and calBackUrl ("注意:该接口字段名为 calBackUrl").
    task_id = await validated(api, suno_mock.clock)
    _, envelope = await api.post(f"{VOICE}/regenerate", {"taskId": task_id})
    assert (envelope["code"], envelope["data"]) == (400, None)
    assert envelope["msg"].startswith("calBackUrl: required")
    _, envelope = await api.post(
        f"{VOICE}/regenerate", {"taskId": task_id, "callBackUrl": callback_receiver.url}
    )
    assert envelope["code"] == 400
    assert envelope["msg"].startswith(
        "calBackUrl: required; this endpoint spells it calBackUrl (one l), got callBackUrl"
    )
    url = callback_receiver.url + "/regenerated"
    await api.submit(f"{VOICE}/regenerate", {"taskId": task_id, "calBackUrl": url})
    await suno_mock.clock.advance(30)
    sent = callback_receiver.requests[-1]
    assert sent.path.endswith("/regenerated")
    # VOICE_CALLBACKS: the same shape as the validation phrase callback.
    assert sent.json["data"]["status"] == "wait_validating"
    assert (sent.json["data"]["errorCode"], sent.json["data"]["errorMessage"]) == (0, "")


async def test_a_setting_takes_either_spelling(
    suno_mock_factory: SunoMockFactory,
    http: aiohttp.ClientSession,
    callback_receiver: CallbackReceiver,
) -> None:
    server = await suno_mock_factory(voice_regenerate_callback="either")
    api = Api(http, server.url)
    assert isinstance(server.clock, ManualClock)
    task_id = await validated(api, server.clock)
    await api.submit(
        f"{VOICE}/regenerate", {"taskId": task_id, "callBackUrl": callback_receiver.url}
    )
    await server.clock.advance(30)
    assert [r.json["data"]["taskId"] for r in callback_receiver.requests] == [task_id]


# 4. File Upload API: HTTP statuses --------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"base64Data": "aGk="}, "Missing required parameter: uploadPath"),
        ({"base64Data": "%%%", "uploadPath": "a"},
         "Base64 decoding failed: Invalid Base64 format"),
    ],
)  # fmt: skip
async def test_file_upload_errors_are_http_statuses(
    api: Api, body: dict[str, Any], message: str
) -> None:
    # BASE64_UPLOAD, read on READ_ON: its OpenAPI documents responses '400', '401' and '500'
    # with {success: false, code, msg}, e.g. "Missing required parameter: uploadPath".
    status, envelope = await api.post("/api/file-base64-upload", body)
    assert (status, envelope) == (400, {"success": False, "code": 400, "msg": message,
                                        "data": None})  # fmt: skip
    # The api/v1 family keeps HTTP 200 (mirror_http_status is off).
    status, envelope = await api.post("/api/v1/lyrics", {"callBackUrl": CB_INVALID})
    assert (status, envelope["code"]) == (200, 400)


async def test_file_upload_authentication_and_the_setting(
    suno_mock_factory: SunoMockFactory, http: aiohttp.ClientSession
) -> None:
    body = {"base64Data": "aGk=", "uploadPath": "a"}
    server = await suno_mock_factory(api_keys=("right",))
    headers = {"Authorization": "Bearer wrong"}
    async with http.post(f"{server.url}/api/file-base64-upload", json=body, headers=headers) as r:
        assert (r.status, await r.json()) == (401, {
            "success": False, "code": 401, "msg": "Authentication failed: Invalid API Key",
            "data": None,
        })  # fmt: skip
    lenient = Api(http, (await suno_mock_factory(upload_api_http_200=True)).url)
    status, envelope = await lenient.post("/api/file-base64-upload", {"base64Data": "aGk="})
    assert (status, envelope["code"]) == (200, 400)


# 5 and 6. voice validate: integers; errorCode/errorMessage --------------------------------


async def test_vocal_window_is_whole_seconds(api: Api) -> None:
    # VOICE_VALIDATE, read on READ_ON: vocalStartS and vocalEndS are `integer` in its schema.
    body = {"voiceUrl": "https://files.invalid/me.mp3", "vocalStartS": 0.5, "vocalEndS": 10}
    status, envelope = await api.post(f"{VOICE}/validate", body)
    assert (status, envelope) == (200, {
        "code": 400, "msg": "vocalStartS: must be a whole number, got 0.5", "data": None,
    })  # fmt: skip
    assert (await api.post(f"{VOICE}/validate", body | {"vocalStartS": 1}))[1]["code"] == 200


async def test_voice_details_report_no_error_as_the_callbacks_do(
    suno_mock: SunoMock, api: Api
) -> None:
    # The schema types errorCode an integer; the callbacks send "errorCode": 0, "errorMessage": "".
    task_id = await validated(api, suno_mock.clock)
    _, envelope = await api.get(f"{VOICE}/validate-info", params={"taskId": task_id})
    data = envelope["data"]
    assert (data["status"], data["errorCode"], data["errorMessage"]) == ("wait_validating", 0, "")
    body = {"taskId": task_id, "verifyUrl": "https://files.invalid/phrase.mp3"}
    voice_task = await api.submit(f"{VOICE}/generate", body)
    await suno_mock.clock.advance(30)
    _, envelope = await api.get(f"{VOICE}/record-info", params={"taskId": voice_task})
    data = envelope["data"]
    assert (data["status"], data["errorCode"], data["errorMessage"]) == ("success", 0, "")


# 7. vocal-removal record-info: pianoUrl only in kie.ai's flavour --------------------------


@pytest.mark.parametrize(("flavour", "piano"), [("audioId", False), ("musicIndex", True)])
async def test_piano_url_only_in_the_kie_flavour(
    suno_mock_factory: SunoMockFactory,
    http: aiohttp.ClientSession,
    callback_receiver: CallbackReceiver,
    flavour: str,
    piano: bool,
) -> None:
    # SEPARATION (sunoapi.org), read on READ_ON: no pianoUrl in its record-info; kie.ai's has it.
    server = await suno_mock_factory(vocal_removal_track_field=flavour)
    api = Api(http, server.url)
    assert isinstance(server.clock, ManualClock)
    track = await finished_track(api, server.clock, callback_receiver.url)
    body = {"taskId": track["taskId"], "audioId": track["id"], "callBackUrl": callback_receiver.url,
            "type": "split_stem_advanced", "stemName": "Piano"}  # fmt: skip
    job_id = await api.submit("/api/v1/vocal-removal/generate", body)
    await server.clock.advance(30)
    _, envelope = await api.get("/api/v1/vocal-removal/record-info", params={"taskId": job_id})
    response = envelope["data"]["response"]
    assert ("pianoUrl" in response) is piano
    assert [item["stem_type_group_name"] for item in response["originData"]] == ["Piano"]
