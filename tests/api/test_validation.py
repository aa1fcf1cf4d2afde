"""Every request rule of the music endpoints, as the client under test sees it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mock_server.testing import SunoMock
from tests.helpers import DROP, Api, SunoMockFactory, edited

CB = "http://127.0.0.1:9/callback"  # never contacted: the clock does not move in these tests

GENERATE = "/api/v1/generate"
JSON = {"Content-Type": "application/json"}
EXTEND = "/api/v1/generate/extend"
COVER = "/api/v1/generate/upload-cover"
UPLOAD_EXTEND = "/api/v1/generate/upload-extend"

BASE: dict[str, dict[str, Any]] = {
    GENERATE: {
        "customMode": True,
        "instrumental": False,
        "model": "V4_5PLUS",
        "prompt": "[Verse]\nla la",
        "style": "indie pop",
        "title": "Silver Moon",
        "callBackUrl": CB,
    },
    EXTEND: {
        "defaultParamFlag": True,
        "audioId": "e3225e2d-16ec-4f5c-9dcc-16fd548631e1",
        "continueAt": 95.5,
        "prompt": "[Bridge]\nhold on",
        "style": "indie pop",
        "title": "Silver Moon (Extended)",
        "model": "V4_5PLUS",
        "callBackUrl": CB,
    },
    COVER: {
        "uploadUrl": "https://files.invalid/hum.mp3",
        "customMode": True,
        "instrumental": False,
        "model": "V4_5",
        "style": "bossa nova",
        "title": "Hum in Bossa",
        "prompt": "[Verse]\nSoft rain",
        "callBackUrl": CB,
    },
    UPLOAD_EXTEND: {
        "uploadUrl": "https://files.invalid/demo.mp3",
        "defaultParamFlag": True,
        "instrumental": True,
        "continueAt": 42,
        "style": "lofi hip hop",
        "title": "Demo Continued",
        "model": "V4",
        "callBackUrl": CB,
    },
}


def body_for(path: str, **changes: Any) -> dict[str, Any]:
    return edited(BASE[path], **changes)


ACCEPTED = [
    pytest.param(GENERATE, {}, id="generate-custom-vocals"),
    pytest.param(GENERATE, {"instrumental": True, "prompt": DROP}, id="generate-instrumental"),
    pytest.param(
        GENERATE, {"customMode": False, "style": DROP, "title": DROP}, id="generate-simple"
    ),
    pytest.param(
        GENERATE,
        {"model": "V4", "prompt": "x" * 3000, "style": "s" * 200, "title": "t" * 80},
        id="generate-v4-at-limits",
    ),
    pytest.param(
        GENERATE,
        {"prompt": "x" * 5000, "style": "s" * 1000, "title": "t" * 80},
        id="generate-v4_5plus-at-limits",
    ),
    pytest.param(
        GENERATE,
        {"model": "V5", "customMode": False, "style": DROP, "title": DROP, "prompt": "p" * 3000},
        id="generate-simple-at-limit-every-model",
    ),
    pytest.param(
        GENERATE,
        {"model": "V5", "title": DROP, "style": DROP},
        id="generate-custom-title-and-style-optional-every-model",
    ),
    pytest.param(
        GENERATE,
        {"customMode": False, "prompt": DROP, "title": DROP},
        id="generate-simple-style-only",
    ),
    pytest.param(
        GENERATE,
        {"customMode": False, "title": "", "style": DROP, "personaId": "p1"},
        id="generate-simple-blank-title-and-persona",
    ),
    pytest.param(GENERATE, {"variety": 1.0, "duration": 30.0, "model": "V5_5"}, id="whole-floats"),
    pytest.param(
        GENERATE,
        {
            "negativeTags": "metal",
            "vocalGender": "f",
            "styleWeight": 0.7,
            "weirdnessConstraint": 0,
            "audioWeight": 1,
            "personaId": "p1",
            "personaModel": "voice_persona",
            "variety": 0,
            "model": "V5",
        },
        id="generate-all-tuning",
    ),
    pytest.param(GENERATE, {"unknownField": {"kept": True}}, id="generate-unknown-field"),
    pytest.param(GENERATE, {"model": "V6", "title": DROP, "prompt": DROP}, id="generate-v6-style"),
    pytest.param(
        GENERATE,
        {
            "model": "V6_MINI",
            "customMode": False,
            "style": DROP,
            "title": DROP,
            "prompt": "p" * 3000,
        },
        id="generate-v6-simple-3000",
    ),
    pytest.param(GENERATE, {"model": "V6", "duration": 120, "variety": 4}, id="generate-v6-dur"),
    pytest.param(EXTEND, {}, id="extend-custom"),
    pytest.param(
        EXTEND,
        {
            "defaultParamFlag": False,
            "continueAt": DROP,
            "prompt": DROP,
            "style": DROP,
            "title": DROP,
        },
        id="extend-inherit",
    ),
    pytest.param(COVER, {}, id="cover"),
    pytest.param(
        COVER,
        {"model": "V6", "customMode": DROP, "instrumental": DROP},
        id="cover-v6-always-custom",
    ),
    pytest.param(
        COVER,
        {
            "model": "V6",
            "customMode": DROP,
            "instrumental": DROP,
            "style": DROP,
            "title": DROP,
            "prompt": DROP,
        },
        id="cover-upload-alone-V6",
    ),
    pytest.param(
        COVER,
        {
            "model": "V5",
            "customMode": DROP,
            "instrumental": DROP,
            "style": DROP,
            "title": DROP,
            "prompt": DROP,
        },
        id="cover-upload-alone-V5",
    ),
    pytest.param(
        COVER,
        {
            "model": "V4",
            "customMode": DROP,
            "instrumental": DROP,
            "style": DROP,
            "title": DROP,
            "prompt": DROP,
        },
        id="cover-upload-alone-V4",
    ),
    pytest.param(COVER, {"customMode": False}, id="cover-customMode-ignored"),
    pytest.param(UPLOAD_EXTEND, {}, id="upload-extend-instrumental"),
    pytest.param(
        UPLOAD_EXTEND, {"instrumental": False, "prompt": "[Verse]\nla"}, id="upload-extend-vocals"
    ),
    pytest.param(
        UPLOAD_EXTEND,
        {"defaultParamFlag": False, "continueAt": DROP, "style": DROP, "title": DROP},
        id="upload-extend-inherit",
    ),
]


@pytest.mark.parametrize(("path", "changes"), ACCEPTED)
async def test_valid_requests_are_accepted(
    api: Api, suno_mock: SunoMock, path: str, changes: dict[str, Any]
) -> None:
    body = body_for(path, **changes)
    status, envelope = await api.post(path, body)
    assert status == 200
    assert envelope["code"] == 200, envelope["msg"]
    assert envelope["msg"] == "success"
    task_id = envelope["data"]["taskId"]
    assert suno_mock.task(task_id).request == body


REJECTED = [
    # generate: required fields and types
    (GENERATE, {"callBackUrl": DROP}, 400, "callBackUrl: required"),
    (GENERATE, {"callBackUrl": "not a url"}, 400, "callBackUrl: must be an absolute http(s) URL"),
    (GENERATE, {"callBackUrl": "ftp://example.com/cb"}, 400, "callBackUrl: must be an absolute"),
    (GENERATE, {"callBackUrl": 42}, 400, "callBackUrl: must be a JSON string"),
    (GENERATE, {"model": DROP}, 400, "model: required"),
    (GENERATE, {"model": "V3.5"}, 400, "model: must be one of V6, V6_WILD, V6_MINI, V5_5, V5,"),
    (GENERATE, {"model": "V3_5"}, 400, "got 'V3_5'"),
    (GENERATE, {"model": "v4"}, 400, "got 'v4'"),
    (GENERATE, {"customMode": "true"}, 400, "customMode: must be a JSON boolean"),
    (GENERATE, {"customMode": DROP}, 400, "customMode: required"),
    (GENERATE, {"instrumental": DROP}, 400, "instrumental: required"),
    (GENERATE, {"instrumental": 1}, 400, "instrumental: must be a JSON boolean"),
    # generate: customMode / instrumental rules
    (
        GENERATE,
        {"style": "  ", "prompt": DROP},
        400,
        "style: in custom mode at least one of style, lyrics (or prompt) and negativeTags",
    ),
    (
        GENERATE,
        {"customMode": False, "prompt": DROP, "style": DROP, "title": DROP},
        400,
        "prompt: when customMode is false send a prompt or at least one of style, lyrics,",
    ),
    (
        GENERATE,
        {"customMode": False},
        400,
        "title: only allowed in custom mode (customMode: true)",
    ),
    (
        GENERATE,
        {"customMode": False, "title": DROP, "variety": 1},
        400,
        "variety: only allowed in custom mode",
    ),
    # generate: per-model limits answer 413
    (
        GENERATE,
        {"customMode": False, "title": DROP, "prompt": "p" * 3001},
        413,
        "prompt: at most 3000 characters with model V4_5PLUS, got 3001",
    ),
    (GENERATE, {"model": "V4", "prompt": "p" * 3001}, 413, "prompt: at most 3000"),
    (GENERATE, {"model": "V4", "style": "s" * 201}, 413, "style: at most 200"),
    (GENERATE, {"model": "V4", "title": "t" * 81}, 413, "title: at most 80"),
    (GENERATE, {"model": "V5", "prompt": "p" * 5001}, 413, "prompt: at most 5000"),
    (GENERATE, {"model": "V4_5", "style": "s" * 1001}, 413, "style: at most 1000"),
    (GENERATE, {"model": "V4_5", "title": "t" * 81}, 413, "title: at most 80"),
    (GENERATE, {"model": "V5", "title": "t" * 81}, 413, "title: at most 80"),
    (GENERATE, {"negativeTags": "n" * 1001}, 413, "negativeTags: at most 1000"),
    (GENERATE, {"model": "V4", "title": "t" * 81, "style": "s" * 201}, 413, "style: at most 200"),
    # generate: tuning fields
    (GENERATE, {"styleWeight": 1.5}, 400, "styleWeight: input should be less than or equal to 1"),
    (GENERATE, {"audioWeight": -0.1}, 400, "audioWeight: input should be greater than or equal"),
    (GENERATE, {"weirdnessConstraint": 0.333}, 400, "must be a multiple of 0.01, got 0.333"),
    (GENERATE, {"styleWeight": "0.5"}, 400, "styleWeight:"),
    (GENERATE, {"vocalGender": "x"}, 400, "vocalGender: input should be 'm' or 'f'"),
    (
        GENERATE,
        {"model": "V4", "personaModel": "style_persona"},
        400,
        "personaModel: only supported by models",
    ),
    (GENERATE, {"duration": 60}, 400, "duration: only allowed in custom mode with models"),
    (GENERATE, {"variety": 1.5}, 400, "variety: must be a whole number, got 1.5"),
    (GENERATE, {"variety": "1"}, 400, "variety: must be a JSON number"),
    (GENERATE, {"model": "V6", "duration": 30.5}, 400, "duration: must be a whole number"),
    # generate: V6 (G3) rules
    (
        GENERATE,
        {"model": "V6", "style": DROP, "prompt": DROP},
        400,
        "at least one of style, lyrics (or prompt) and negativeTags",
    ),
    (
        GENERATE,
        {"model": "V4", "customMode": False, "title": DROP, "negativeTags": "x"},
        400,
        "negativeTags: only allowed in custom mode",
    ),
    (
        GENERATE,
        {
            "model": "V6",
            "customMode": False,
            "title": DROP,
            "imageUrls": ["https://x.invalid/a.png"] * 6,
        },
        400,
        "imageUrls: at most 5 items",
    ),
    (GENERATE, {"model": "V6", "duration": 5}, 400, "duration: input should be greater than"),
    # extend
    (EXTEND, {"audioId": DROP}, 400, "audioId: required"),
    (EXTEND, {"audioId": ""}, 400, "audioId: required"),
    (EXTEND, {"defaultParamFlag": DROP}, 400, "defaultParamFlag: required"),
    (EXTEND, {"continueAt": DROP}, 400, "continueAt: required when defaultParamFlag is true"),
    (EXTEND, {"title": DROP}, 400, "title: required when defaultParamFlag is true"),
    (EXTEND, {"continueAt": 0}, 400, "continueAt: input should be greater than 0"),
    (EXTEND, {"continueAt": -3}, 400, "continueAt: input should be greater than 0"),
    (
        EXTEND,
        {"continueAt": 240},
        400,
        "continueAt: must be greater than 0 and less than the source audio's duration (240 s)",
    ),
    (EXTEND, {"model": "V4", "title": "t" * 81}, 413, "title: at most 80"),
    (EXTEND, {"model": "V4_5", "title": "t" * 101}, 413, "title: at most 100"),
    # upload-cover
    (COVER, {"uploadUrl": DROP}, 400, "uploadUrl: required"),
    (COVER, {"uploadUrl": "hum.mp3"}, 400, "uploadUrl: must be an absolute http(s) URL"),
    (COVER, {"model": "V5", "title": "t" * 81}, 413, "title: at most 80"),
    (COVER, {"model": "V4", "style": "s" * 201}, 413, "style: at most 200"),
    (COVER, {"model": "V6", "duration": 9}, 400, "duration: input should be greater than"),
    (COVER, {"model": "V5", "duration": 30}, 400, "duration: only allowed in custom mode with"),
    # upload-extend
    (UPLOAD_EXTEND, {"instrumental": False}, 400, "prompt: required when defaultParamFlag"),
    (UPLOAD_EXTEND, {"continueAt": 120}, 400, "less than the source audio's duration (120 s)"),
    (UPLOAD_EXTEND, {"defaultParamFlag": "yes"}, 400, "defaultParamFlag: must be a JSON boolean"),
    (UPLOAD_EXTEND, {"style": DROP}, 400, "style: required when defaultParamFlag is true"),
]


@pytest.mark.parametrize(
    ("path", "changes", "code", "message"),
    [pytest.param(*case, id=f"{case[0].rsplit('/', 1)[-1]}-{case[3][:40]}") for case in REJECTED],
)
async def test_invalid_requests_get_the_documented_envelope(
    api: Api, suno_mock: SunoMock, path: str, changes: dict[str, Any], code: int, message: str
) -> None:
    status, envelope = await api.post(path, body_for(path, **changes))
    assert status == 200  # documented transport: the business code travels in the body
    assert envelope["code"] == code
    assert message in envelope["msg"]
    assert envelope["data"] is None
    assert suno_mock.tasks() == []


async def test_every_bad_field_is_named_once(api: Api) -> None:
    body = body_for(GENERATE, model="V3.5", customMode="true", styleWeight=2, callBackUrl=DROP)
    _, envelope = await api.post(GENERATE, body)
    msg = envelope["msg"]
    for field in ("callBackUrl: required", "model:", "customMode:", "styleWeight:"):
        assert msg.count(field) == 1, msg


async def test_title_limit_setting_settles_the_80_vs_100_conflict(
    suno_mock_factory: SunoMockFactory, http: Any
) -> None:
    server = await suno_mock_factory(title_limit_v4_5=80)
    api = Api(http, server.url)
    _, envelope = await api.post(GENERATE, body_for(GENERATE, model="V4_5", title="t" * 81))
    assert (envelope["code"], envelope["msg"]) == (
        413,
        "title: at most 80 characters with model V4_5, got 81",
    )


async def test_upload_extend_prompt_requirement_is_configurable(
    suno_mock_factory: SunoMockFactory, http: Any
) -> None:
    inherit = body_for(UPLOAD_EXTEND, defaultParamFlag=False, continueAt=DROP)
    lenient = Api(http, (await suno_mock_factory()).url)
    strict = Api(http, (await suno_mock_factory(upload_extend_default_requires_prompt=True)).url)
    assert (await lenient.post(UPLOAD_EXTEND, inherit))[1]["code"] == 200
    _, envelope = await strict.post(UPLOAD_EXTEND, inherit)
    assert envelope["code"] == 400
    assert envelope["msg"].startswith("prompt: required when defaultParamFlag is false")


async def test_extend_checks_continue_at_against_the_track_the_mock_made(
    api: Api, suno_mock: SunoMock
) -> None:
    task_id = await api.submit(GENERATE, body_for(GENERATE))
    track = suno_mock.task(task_id).tracks[0]
    too_late = body_for(EXTEND, audioId=track.id, continueAt=track.duration)
    _, envelope = await api.post(EXTEND, too_late)
    assert envelope["code"] == 400
    assert f"({track.duration:g} s), got {track.duration:g}" in envelope["msg"]

    wrong_model = body_for(EXTEND, audioId=track.id, model="V5", continueAt=10)
    _, envelope = await api.post(EXTEND, wrong_model)
    assert envelope["code"] == 400
    assert "model: must match the source track's model" in envelope["msg"]

    ok = body_for(EXTEND, audioId=track.id, continueAt=track.duration - 1)
    extend_id = await api.submit(EXTEND, ok)
    info = await api.record_info(extend_id)
    assert (info["operationType"], info["parentMusicId"]) == ("extend", track.id)


async def test_default_source_duration_is_a_setting(
    suno_mock_factory: SunoMockFactory, http: Any
) -> None:
    api = Api(http, (await suno_mock_factory(default_source_duration=500)).url)
    status, envelope = await api.post(EXTEND, body_for(EXTEND, continueAt=400))
    assert (status, envelope["code"]) == (200, 200)


@pytest.mark.parametrize("field", ["variety", "duration", "styleWeight"])
async def test_huge_integers_are_refused_not_crashed_on(api: Api, field: str) -> None:
    body = body_for(GENERATE, model="V6")
    raw = json.dumps(body)[:-1] + f', "{field}": 1{"0" * 400}}}'
    _, envelope = await api.post(GENERATE, None, data=raw, headers=JSON)
    assert envelope["code"] == 400
    assert (
        envelope["msg"]
        == f"{field}: must be a finite JSON number, got 1{'0' * 59}… (401 characters)"
    )
