"""uploadUrl: the mock downloads allowed URLs and uses the real audio's duration."""

from __future__ import annotations

import io
import struct
import wave
from typing import Any

import mutagen.mp3
import pytest

from mock_server import ManualClock
from mock_server.media.duration import audio_duration
from mock_server.media.synth import FRAME_SECONDS, cover_jpeg, silent_mp3
from mock_server.testing import SunoMock
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import Api, SunoMockFactory, generate_body

UPLOAD_EXTEND = "/api/v1/generate/upload-extend"


def wav(seconds: float, rate: int = 8000, channels: int = 1) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\0\0" * channels * int(rate * seconds))
    return buffer.getvalue()


@pytest.mark.parametrize("seconds", [1.0, 59.5, 163.88])
def test_mp3_duration_agrees_with_mutagen(seconds: float) -> None:
    data = silent_mp3(seconds)
    info: Any = mutagen.mp3.MP3(io.BytesIO(data)).info
    duration = audio_duration(data)
    assert duration is not None
    assert abs(duration - info.length) < 1e-6
    assert abs(duration - seconds) <= FRAME_SECONDS


def test_mp3_without_info_frame_and_with_id3_tag() -> None:
    frames = silent_mp3(10.0)[36:]  # drop the Info frame: plain CBR
    assert audio_duration(frames) == pytest.approx(10.0, abs=FRAME_SECONDS)
    tag = b"ID3\x04\x00\x00" + struct.pack(">I", 20) + bytes(20)  # syncsafe 20 fits in 7 bits
    assert audio_duration(tag + silent_mp3(5.0)) == pytest.approx(5.0, abs=FRAME_SECONDS)


def test_wav_duration() -> None:
    assert audio_duration(wav(3.0)) == pytest.approx(3.0)
    assert audio_duration(wav(1.5, rate=44100, channels=2)) == pytest.approx(1.5)


@pytest.mark.parametrize(
    "data", [b"", b"hello", cover_jpeg(), b"\xff\xfb\x90\x00" + b"junk" * 50, b"RIFF\0\0\0\0WAVE"]
)
def test_not_audio(data: bytes) -> None:
    assert audio_duration(data) is None


@pytest.fixture
async def finished_track(
    suno_mock: SunoMock, api: Api, callback_receiver: CallbackReceiver
) -> dict[str, Any]:
    task_id = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    await suno_mock.clock.advance(150)
    return dict((await api.record_info(task_id))["response"]["sunoData"][0])


def upload_extend(url: str, callback: str, **changes: Any) -> dict[str, Any]:
    body = {
        "uploadUrl": url, "defaultParamFlag": True, "instrumental": True, "continueAt": 42,
        "style": "lofi hip hop", "title": "Demo Continued", "model": "V4", "callBackUrl": callback,
    }  # fmt: skip
    body.update(changes)
    return body


async def test_continue_at_is_checked_against_the_downloaded_audio(
    suno_mock: SunoMock,
    api: Api,
    callback_receiver: CallbackReceiver,
    finished_track: dict[str, Any],
) -> None:
    url, duration = finished_track["audioUrl"], finished_track["duration"]
    real = audio_duration(silent_mp3(duration))
    assert real is not None
    _, envelope = await api.post(
        UPLOAD_EXTEND, upload_extend(url, callback_receiver.url, continueAt=real)
    )
    assert envelope["code"] == 400
    assert f"less than the source audio's duration ({real:g} s)" in envelope["msg"]

    task_id = await api.submit(
        UPLOAD_EXTEND, upload_extend(url, callback_receiver.url, continueAt=130)
    )
    await suno_mock.clock.advance(150)
    tracks = (await api.record_info(task_id))["response"]["sunoData"]
    assert all(130 + 60 <= t["duration"] <= 130 + 150 for t in tracks)


async def test_a_download_that_fails_is_a_451_error_callback(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    missing = f"{suno_mock.url}/files/audio/nope.mp3"
    task_id = await api.submit(UPLOAD_EXTEND, upload_extend(missing, callback_receiver.url))
    await suno_mock.clock.advance(150)
    (error,) = [r.json for r in callback_receiver.requests if r.callback_type == "error"]
    assert error["code"] == 451
    assert error["msg"] == (
        f"Unable to download the source audio file: GET {missing} answered HTTP 404"
    )
    assert error["data"] == {"callbackType": "error", "task_id": task_id, "data": None}
    info = await api.record_info(task_id)
    assert (info["status"], info["errorCode"], info["response"]) == (
        "CREATE_TASK_FAILED",
        451,
        None,
    )


async def test_a_file_that_is_not_audio_is_a_400_error_callback(
    suno_mock: SunoMock,
    api: Api,
    callback_receiver: CallbackReceiver,
    finished_track: dict[str, Any],
) -> None:
    image = finished_track["imageUrl"]
    task_id = await api.submit(UPLOAD_EXTEND, upload_extend(image, callback_receiver.url))
    await suno_mock.clock.advance(150)
    info = await api.record_info(task_id)
    assert (info["status"], info["errorCode"]) == ("CREATE_TASK_FAILED", 400)
    assert info["errorMessage"] == f"Unsupported audio file format: {image} is neither MP3 nor WAV"


async def test_uploads_over_the_model_limit_are_rejected(
    suno_mock_factory: SunoMockFactory, http: Any, callback_receiver: CallbackReceiver
) -> None:
    # upload-extend with V4_5ALL: 1 minute (both upload-extend pages); here made stricter still.
    server = await suno_mock_factory(upload_extend_max_duration_v4_5all=30)
    api = Api(http, server.url)
    task_id = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    assert isinstance(server.clock, ManualClock)
    await server.clock.advance(150)
    track = (await api.record_info(task_id))["response"]["sunoData"][0]
    body = upload_extend(track["audioUrl"], "http://127.0.0.1:9/cb", model="V4_5ALL", continueAt=10)
    _, envelope = await api.post(UPLOAD_EXTEND, body)
    real = audio_duration(silent_mp3(track["duration"]))
    assert (envelope["code"], envelope["msg"]) == (
        400,
        f"uploadUrl: the audio is {real:g} s long; upload-extend with model V4_5ALL accepts "
        "uploads of at most 30 s (setting upload_extend_max_duration_v4_5all)",
    )
    assert len(server.tasks()) == 1  # only the source task
    lenient = Api(http, (await suno_mock_factory(upload_extend_max_duration_v4_5all=480)).url)
    assert (await lenient.post(UPLOAD_EXTEND, body))[1]["code"] == 200


async def test_g1_upload_limit_is_a_setting(
    suno_mock_factory: SunoMockFactory, http: Any, callback_receiver: CallbackReceiver
) -> None:
    server = await suno_mock_factory(max_upload_duration=120)
    api = Api(http, server.url)
    task_id = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    assert isinstance(server.clock, ManualClock)
    await server.clock.advance(150)
    track = server.task(task_id).tracks[0]
    cover = {
        "uploadUrl": f"{server.url}/files/audio/{track.id}.mp3",
        "customMode": False,
        "instrumental": True,
        "model": "V4",
        "prompt": "hum",
        "callBackUrl": callback_receiver.url,
    }
    _, envelope = await api.post("/api/v1/generate/upload-cover", cover)
    assert envelope["code"] == 400
    assert "accepts uploads of at most 120 s" in envelope["msg"]


async def test_other_hosts_are_not_fetched_and_the_journal_says_so(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    task_id = await api.submit(
        UPLOAD_EXTEND, upload_extend("https://files.invalid/demo.mp3", callback_receiver.url)
    )
    notes = [event for _, event in suno_mock.task(task_id).history if "not fetched" in event]
    assert notes == [
        "uploadUrl not fetched: 'files.invalid' is not a loopback host; assumed 120 s (setting "
        "default_upload_duration); allow it with --allow-callback-host files.invalid (env "
        "SUNO_MOCK_ALLOW_CALLBACK_HOST, setting allow_callback_hosts)"
    ]


async def test_mashup_fetches_both_songs(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver,
    finished_track: dict[str, Any]) -> None:  # fmt: skip
    body = {
        "uploadUrlList": [finished_track["audioUrl"], f"{suno_mock.url}/files/audio/x.mp3"],
        "customMode": False,
        "model": "V5",
        "prompt": "blend",
        "callBackUrl": callback_receiver.url,
    }
    task_id = await api.submit("/api/v1/generate/mashup", body)
    await suno_mock.clock.advance(150)
    info = await api.record_info(task_id)
    assert (info["status"], info["errorCode"]) == ("CREATE_TASK_FAILED", 451)
    assert "x.mp3 answered HTTP 404" in info["errorMessage"]


async def test_a_failed_download_still_uses_up_a_queued_scenario(
    api: Api, suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    suno_mock.next_task(scenario="duplicate-delivery")
    missing = f"{suno_mock.url}/files/audio/nope.mp3"
    failed = await api.submit(UPLOAD_EXTEND, upload_extend(missing, callback_receiver.url))
    plain = await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
    await suno_mock.clock.advance(150)
    assert suno_mock.engine.scenarios.queued == []
    scripted = suno_mock.task(failed).scenario
    assert scripted is not None
    assert (scripted.name, scripted.delivery.duplicate) == ("duplicate-delivery", ["complete"])
    assert [d.callback_type for d in suno_mock.deliveries(failed)] == ["error"]
    assert suno_mock.task(plain).scenario is None
