"""POST /api/v1/generate/sounds: short clips, polled through the music record-info."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from mock_server import ManualClock, MockServer
from mock_server.media.duration import audio_duration
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
    api: Api, clock: ManualClock, receiver: CallbackReceiver, http: aiohttp.ClientSession
) -> None:
    body = edited(BODY, soundLoop=True, soundKey="D#m", callBackUrl=receiver.url, model="V6")
    task_id = await api.submit(SOUNDS, body)
    await clock.advance(150)
    assert [r.callback_type for r in receiver.requests] == ["text", "first", "complete"]
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


async def test_without_a_callback_url_it_is_polled(
    api: Api, server: MockServer, clock: ManualClock
) -> None:
    task_id = await api.submit(SOUNDS, BODY)  # callBackUrl is optional here
    await clock.advance(150)
    info = await api.record_info(task_id)
    assert info["status"] == "SUCCESS"
    assert all(1 <= t["duration"] <= 4 for t in info["response"]["sunoData"])  # one-shots
    assert server.engine.journal.deliveries(task_id) == []


async def test_same_seed_and_request_same_lengths(
    api: Api, server: MockServer, make_server: Any, http: aiohttp.ClientSession
) -> None:
    first = server.task(await api.submit(SOUNDS, BODY))
    again = server.task(await api.submit(SOUNDS, BODY))
    assert [t.duration for t in first.tracks] == [t.duration for t in again.tracks]
    other = await make_server(seed=1)
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
    api: Api, server: MockServer, changes: dict[str, Any], code: int, message: str
) -> None:
    _, envelope = await api.post(SOUNDS, edited(BODY, **changes))
    assert (envelope["code"], envelope["data"]) == (code, None)
    assert envelope["msg"].startswith(message), envelope["msg"]
    assert server.tasks() == []


async def test_a_blank_callback_url_counts_as_not_sent(api: Api, server: MockServer) -> None:
    task_id = await api.submit(SOUNDS, edited(BODY, callBackUrl=""))
    assert server.task(task_id).callback_url == ""
