"""Suno Voice (validate -> phrase -> generate -> voiceId) and Recovery Audio, end to end."""

from __future__ import annotations

from typing import Any

import pytest

from mock_server.families.recovery.schema import RecoveryCallback
from mock_server.families.voice.schema import VoiceCallback
from mock_server.testing import SunoMock
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import Api, generate_body

VOICE = "/api/v1/voice"


async def _get(api: Api, path: str, **query: str) -> Any:
    status, envelope = await api.get(path, params=query)
    assert status == 200
    return envelope


async def test_the_whole_voice_flow(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    validate = {
        "voiceUrl": "https://files.invalid/me.mp3", "vocalStartS": 0, "vocalEndS": 10,
        "language": "en", "callBackUrl": callback_receiver.url,
    }  # fmt: skip
    first = await api.submit(f"{VOICE}/validate", validate)
    info = (await _get(api, f"{VOICE}/validate-info", taskId=first))["data"]
    assert (info["status"], info["validateInfo"]) == ("processing_validate", "")
    verify = {"taskId": first, "verifyUrl": "https://files.invalid/phrase.mp3"}
    _, envelope = await api.post(f"{VOICE}/generate", verify)
    assert envelope["code"] == 400
    assert "is processing_validate; generate needs its phrase recorded" in envelope["msg"]

    await suno_mock.clock.advance(30)
    info = (await _get(api, f"{VOICE}/validate-info", taskId=first))["data"]
    assert list(info) == ["taskId", "validateInfo", "status", "errorCode", "errorMessage"]
    assert info["status"] == "wait_validating"
    phrase = info["validateInfo"]
    assert phrase
    callback = callback_receiver.requests[-1].json
    assert callback == {
        "code": 200,
        "msg": "success",
        "data": {"taskId": first, "validateInfo": phrase, "status": "wait_validating",
                 "errorCode": 0, "errorMessage": ""},
    }  # fmt: skip

    again = await api.submit(
        f"{VOICE}/regenerate", {"taskId": first, "calBackUrl": callback_receiver.url}
    )
    assert again == first
    await suno_mock.clock.advance(30)
    new_phrase = (await _get(api, f"{VOICE}/validate-info", taskId=first))["data"]["validateInfo"]
    assert new_phrase != phrase
    assert [d.callback_type for d in suno_mock.deliveries(first)] == ["validate", "regenerate"]

    second = await api.submit(f"{VOICE}/generate", dict(verify, callBackUrl=callback_receiver.url))
    assert second != first
    record = (await _get(api, f"{VOICE}/record-info", taskId=second))["data"]
    assert (record["status"], record["voiceId"]) == ("processing_validate", "")
    _, envelope = await api.post(f"{VOICE}/check-voice", {"task_id": second})
    assert envelope["data"] == {"isAvailable": False}
    await suno_mock.clock.advance(30)
    record = (await _get(api, f"{VOICE}/record-info", taskId=second))["data"]
    assert list(record) == ["taskId", "voiceId", "status", "errorCode", "errorMessage"]
    assert record["status"] == "success"
    voice_id = record["voiceId"]
    assert voice_id.startswith("voice_")
    assert callback_receiver.requests[-1].json["data"]["voiceId"] == voice_id
    for task_id in (first, second):
        _, envelope = await api.post(f"{VOICE}/check-voice", {"task_id": task_id})
        assert envelope["data"] == {"isAvailable": True}

    for received in callback_receiver.requests:  # every callback as /openapi.json documents it
        VoiceCallback.model_validate(received.json)

    # The voice as a persona (custom mode, personaModel voice_persona).
    body = generate_body(
        callback_receiver.url, model="V6", personaId=voice_id, personaModel="voice_persona"
    )
    await api.submit("/api/v1/generate", body)


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("validate", {"voiceUrl": "x"}, "voiceUrl: must be an absolute http(s) URL"),
        (
            "validate",
            {"voiceUrl": "https://files.invalid/a.mp3", "vocalStartS": 5, "vocalEndS": 5},
            "vocalEndS: must be greater than vocalStartS (5), got 5",
        ),
        (
            "validate",
            {"voiceUrl": "https://files.invalid/a.mp3", "vocalStartS": 0, "vocalEndS": 9,
             "language": "xx"},
            "language: input should be 'en', 'zh'",
        ),
        ("generate", {"taskId": "nope", "verifyUrl": "https://files.invalid/p.mp3"},
         "taskId: no voice validation task with id 'nope'"),
        ("generate", {"taskId": "t"}, "verifyUrl: required"),
        ("regenerate", {"taskId": "nope", "calBackUrl": "https://files.invalid/cb"},
         "taskId: no voice validation task with id 'nope'"),
        ("check-voice", {"taskId": "t"}, "task_id: required"),
        ("check-voice", {"task_id": "nope"}, "task_id: no voice task with id 'nope'"),
    ],
)  # fmt: skip
async def test_voice_rejections(api: Api, path: str, body: dict[str, Any], message: str) -> None:
    _, envelope = await api.post(f"{VOICE}/{path}", body)
    assert (envelope["code"], envelope["data"]) == (400, None)
    assert envelope["msg"].startswith(message), envelope["msg"]


async def test_unknown_voice_ids_in_queries(api: Api) -> None:
    for path, name in (("validate-info", "voice validation"), ("record-info", "voice generation")):
        envelope = await _get(api, f"{VOICE}/{path}", taskId="nope")
        assert (envelope["code"], envelope["msg"]) == (
            400,
            f"taskId: no {name} task with id 'nope'",
        )


async def test_recovery_audio(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    music = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    body = {"sunoTaskId": music, "callBackUrl": callback_receiver.url}
    _, envelope = await api.post("/api/v1/suno/recovery", body)
    assert envelope["msg"] == f"sunoTaskId: task {music} is not finished (status PENDING); " \
        "wait for SUCCESS"  # fmt: skip
    await suno_mock.clock.advance(150)
    _, envelope = await api.post("/api/v1/suno/recovery", body)
    assert (envelope["code"], list(envelope["data"])) == (200, ["task_id"])  # snake_case
    task_id = envelope["data"]["task_id"]
    pending = await _get(api, "/api/v1/suno/recovery/record-info", task_id=task_id)
    assert pending == {"code": 201, "task_id": task_id, "msg": "processing", "data": None}
    await suno_mock.clock.advance(30)
    done = await _get(api, "/api/v1/suno/recovery/record-info", task_id=task_id)
    tracks = suno_mock.task(music).tracks
    assert (done["code"], done["task_id"]) == (200, task_id)
    assert [(i["id"], i["title"], i["status"], i["error"]) for i in done["data"]] == [
        (t.id, t.title, "success", "") for t in tracks
    ]
    callback = callback_receiver.requests[-1].json
    RecoveryCallback.model_validate(callback)
    assert list(callback) == ["code", "msg", "task_id", "data"]  # task_id at the top level
    assert callback["data"] == done["data"]
    missing = await _get(api, "/api/v1/suno/recovery/record-info", task_id="nope")
    assert (missing["code"], missing["msg"]) == (400, "task_id: no recovery task with id 'nope'")
