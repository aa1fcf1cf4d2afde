"""POST /api/v1/generate/sounds: short clips, polled through the music record-info."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from mock_server.media.duration import audio_duration
from mock_server.testing import SunoMock
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import DROP, Api, edited

SOUNDS = "/api/v1/generate/sounds"
BODY: dict[str, Any] = {  # the docs' example, with the example's model
    "prompt": "A soft rain ambience with distant thunder and gentle wind",
    "model": "V5",
    "soundLoop": False,
    "soundTempo": 120,
    "soundKey": "Any",
    "grabLyrics": False,
}


async def test_a_loop_runs_to_the_end_with_short_tracks(
    suno_mock: SunoMock, api: Api, callback_receiver: CallbackReceiver, http: aiohttp.ClientSession
) -> None:
    body = edited(
        BODY, soundLoop=True, soundKey="D#m", callBackUrl=callback_receiver.url, model="V6"
    )
    task_id = await api.submit(SOUNDS, body)
    await suno_mock.clock.advance(150)
    assert [r.callback_type for r in callback_receiver.requests] == ["text", "first", "complete"]
    info = await api.record_info(task_id)
    assert (info["operationType"], info["status"], info["type"]) == (
        "sounds",
        "SUCCESS",
        "chirp-v6",
    )
    tracks = info["response"]["sunoData"]
    assert len(tracks) == 2
    assert all(4 <= t["duration"] <= 13 for t in tracks)
    assert {t["tags"] for t in tracks} == {"loop, 120 BPM, D#m"}
    assert {t["prompt"] for t in tracks} == {""}  # instrumental
    async with http.get(tracks[0]["audioUrl"]) as resp:
        assert audio_duration(await resp.read()) == pytest.approx(tracks[0]["duration"], abs=0.04)


async def test_without_a_callback_url_it_is_polled(api: Api, suno_mock: SunoMock) -> None:
    task_id = await api.submit(SOUNDS, BODY)  # callBackUrl is optional here
    await suno_mock.clock.advance(150)
    info = await api.record_info(task_id)
    assert info["status"] == "SUCCESS"
    assert all(1 <= t["duration"] <= 4 for t in info["response"]["sunoData"])  # one-shots
    assert suno_mock.engine.journal.deliveries(task_id) == []


async def test_same_seed_and_request_same_lengths(
    api: Api, suno_mock: SunoMock, suno_mock_factory: Any, http: aiohttp.ClientSession
) -> None:
    first = suno_mock.task(await api.submit(SOUNDS, BODY))
    again = suno_mock.task(await api.submit(SOUNDS, BODY))
    assert [t.duration for t in first.tracks] == [t.duration for t in again.tracks]
    other = await suno_mock_factory(seed=1)
    reseeded = other.task(await Api(http, other.url).submit(SOUNDS, BODY))
    assert [t.duration for t in reseeded.tracks] != [t.duration for t in first.tracks]


@pytest.mark.parametrize(
    ("changes", "code", "message"),
    [
        ({"prompt": "p" * 501}, 413, "prompt: at most 500 characters with model V5, got 501"),
        ({"prompt": " "}, 400, "prompt: required (what the sound should be)"),
        ({"model": DROP}, 400, "model: required"),
        ({"model": "V3_5"}, 400, "model: must be one of V6, V6_WILD"),
        ({"soundTempo": 301}, 400, "soundTempo: input should be less than or equal to 300"),
        ({"soundTempo": 90.5}, 400, "soundTempo: must be a whole number"),
        ({"soundKey": "Db"}, 400, "soundKey: input should be 'Any', 'Cm'"),
        ({"soundLoop": "yes"}, 400, "soundLoop: must be a JSON boolean"),
        ({"callBackUrl": "nope"}, 400, "callBackUrl: must be an absolute http(s) URL"),
    ],
)
async def test_rejections(
    api: Api, suno_mock: SunoMock, changes: dict[str, Any], code: int, message: str
) -> None:
    _, envelope = await api.post(SOUNDS, edited(BODY, **changes))
    assert (envelope["code"], envelope["data"]) == (code, None)
    assert envelope["msg"].startswith(message), envelope["msg"]
    assert suno_mock.tasks() == []


async def test_a_blank_callback_url_counts_as_not_sent(api: Api, suno_mock: SunoMock) -> None:
    task_id = await api.submit(SOUNDS, edited(BODY, callBackUrl=""))
    assert suno_mock.task(task_id).callback_url == ""
