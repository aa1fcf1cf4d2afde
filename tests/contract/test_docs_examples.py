"""A client written against today's docs: every documented example body is accepted.

Bodies are the examples of today's docs.sunoapi.org pages (docs/api.md lists them), verbatim
except where an example names a placeholder task (`2fac****9f72`): there the test uses a task
the mock made. Example hosts (`example.com`) are never contacted: uploads on other hosts are not
fetched and callbacks to them are journaled as blocked.
"""

from __future__ import annotations

from typing import Any

import pytest

from mock_server.testing import SunoMock
from tests.helpers import Api, generate_body

CB = "https://example.com/callback"
LYRICS = "[Verse] Night city lights shining bright"
FULL_LYRICS = (
    "[Verse 1]\nOriginal lyrics here\n[Chorus]\nModified lyrics for this section\n"
    "[Verse 2]\nMore original lyrics"
)

EXAMPLES: dict[str, tuple[str, dict[str, Any]]] = {
    "generate-non-custom": ("/api/v1/generate", {
        "customMode": False, "instrumental": False,
        "prompt": "A chill lo-fi beat with soft vocals", "lyrics": LYRICS, "style": "lo-fi, chill",
        "imageUrls": ["https://example.com/reference-image.png"],
        "videoUrls": ["https://example.com/reference-video.mp4"],
        "audioUrls": ["https://example.com/reference-audio.mp3"],
        "model": "V6", "callBackUrl": CB,
    }),
    "generate-custom": ("/api/v1/generate", {
        "customMode": True, "instrumental": False, "title": "Peaceful Piano Meditation",
        "style": "Classical", "lyrics": LYRICS,
        "prompt": "A calm and relaxing piano track with soft melodies",
        "negativeTags": "Heavy Metal, Upbeat Drums", "vocalGender": "m", "styleWeight": 0.65,
        "weirdnessConstraint": 0.65, "audioWeight": 0.65, "variety": 1, "duration": 20,
        "model": "V6", "callBackUrl": CB,
    }),
    "generate-simple-prompt-only": ("/api/v1/generate", {  # what every known client sends
        "customMode": False, "instrumental": False,
        "prompt": "A calm and relaxing piano track with soft melodies", "model": "V5",
        "callBackUrl": CB,
    }),
    "upload-cover": ("/api/v1/generate/upload-cover", {
        "instrumental": False, "lyrics": LYRICS, "style": "Cinematic", "title": "Dark Cover",
        "uploadUrl": "https://storage.example.com/upload", "variety": 1, "model": "V6",
        "callBackUrl": CB, "vocalGender": "m", "styleWeight": 0.61,
        "weirdnessConstraint": 0.72, "audioWeight": 0.65,
    }),
    "upload-cover-minimal": ("/api/v1/generate/upload-cover", {  # "recommended for new users"
        "uploadUrl": "https://storage.example.com/upload", "model": "V5", "callBackUrl": CB,
    }),
    "mashup": ("/api/v1/generate/mashup", {
        "uploadUrlList": ["https://example.com/audio1.mp3", "https://example.com/audio2.mp3"],
        "lyrics": LYRICS, "style": "Electronic Dance Music", "title": "Mashup Work",
        "variety": 1, "model": "V6", "callBackUrl": CB, "vocalGender": "m",
        "styleWeight": 0.65, "weirdnessConstraint": 0.72, "audioWeight": 0.65,
    }),
    "add-instrumental": ("/api/v1/generate/add-instrumental", {  # the schema's example values
        "uploadUrl": "https://example.com/music.mp3", "title": "Relaxing Piano",
        "negativeTags": "Heavy Metal, Aggressive Drums",
        "tags": "Relaxing Piano, Ambient, Peaceful", "lyrics": LYRICS, "callBackUrl": CB,
        "vocalGender": "m", "styleWeight": 0.61, "weirdnessConstraint": 0.72,
        "audioWeight": 0.65, "variety": 1, "model": "V6",
    }),
    "add-vocals": ("/api/v1/generate/add-vocals", {  # no prompt: optional today
        "uploadUrl": "https://example.com/music.mp3", "lyrics": LYRICS,
        "title": "Relaxing Piano", "style": "Jazz", "negativeTags": "Heavy Metal",
        "vocalGender": "m", "callBackUrl": CB,
    }),
    "replace-section-upload": ("/api/v1/generate/replace-section", {
        "uploadUrl": "https://example.com/audio.mp3", "model": "V6",
        "prompt": "A calm and relaxing piano track.", "tags": "Jazz", "title": "Relaxing Piano",
        "negativeTags": "Rock", "infillStartS": 10.5, "infillEndS": 20.75,
        "fullLyrics": FULL_LYRICS, "callBackUrl": CB,
    }),
    "sounds": ("/api/v1/generate/sounds", {
        "prompt": "A soft rain ambience with distant thunder and gentle wind", "model": "V5",
        "soundLoop": False, "soundTempo": 120, "soundKey": "Any", "grabLyrics": False,
        "callBackUrl": "https://api.example.com/callback",
    }),
    "lyrics": ("/api/v1/lyrics", {
        "prompt": "A song about peaceful night in the city", "callBackUrl": CB,
    }),
    "voice-validate": ("/api/v1/voice/validate", {
        "voiceUrl": "https://example.com/audio/user_voice.mp3", "vocalStartS": 0,
        "vocalEndS": 10, "language": "en",
        "callBackUrl": "https://example.com/callback/suno/voice_prepare",
    }),
    "vocal-removal-upload": ("/api/v1/vocal-removal/generate", {
        "audioUrl": "https://example.com/song.mp3", "type": "split_stem_advanced",
        "stemName": "Lead Vocal", "callBackUrl": CB,
    }),
    "boost-style": ("/api/v1/style/generate", {"content": "Pop, Mysterious"}),
    # upload-extend, EN and CN pages (re-read 2026-12-07): V4_5ALL with an upload the mock does
    # not fetch, so its length is not known and the 1-minute limit cannot be held against it.
    "upload-extend": ("/api/v1/generate/upload-extend", {
        "uploadUrl": "https://storage.example.com/upload", "defaultParamFlag": True,
        "model": "V4_5ALL", "callBackUrl": "https://api.example.com/callback",
        "instrumental": True, "prompt": "Extend the music with more relaxing notes",
        "style": "Classical", "title": "Peaceful Piano Extended", "continueAt": 60,
        "personaId": "persona_123", "negativeTags": "Relaxing Piano", "vocalGender": "m",
        "styleWeight": 0.65, "weirdnessConstraint": 0.65, "audioWeight": 0.65,
    }),
    "upload-extend-cn": ("/api/v1/generate/upload-extend", {
        "uploadUrl": "https://api.example.com/upload", "defaultParamFlag": True,
        "model": "V4_5ALL", "callBackUrl": "https://api.example.com/callback",
        "instrumental": True, "prompt": "用更多舒缓的音符延长音乐", "style": "古典",
        "title": "宁静钢琴延长版", "continueAt": 60, "personaId": "persona_123",
        "negativeTags": "舒缓钢琴", "vocalGender": "m", "styleWeight": 0.65,
        "weirdnessConstraint": 0.65, "audioWeight": 0.65,
    }),
}  # fmt: skip


@pytest.mark.parametrize("name", list(EXAMPLES))
async def test_documented_example_is_accepted(api: Api, suno_mock: SunoMock, name: str) -> None:
    path, body = EXAMPLES[name]
    status, envelope = await api.post(path, body)
    assert (status, envelope["code"], envelope["msg"]) == (200, 200, "success"), envelope


async def test_examples_that_name_an_existing_task(api: Api, suno_mock: SunoMock) -> None:
    source = await api.submit("/api/v1/generate", generate_body(CB, model="V6"))
    await suno_mock.clock.advance(150)
    audio_id = suno_mock.task(source).tracks[0].id
    replace = {
        "taskId": source, "audioId": audio_id, "prompt": "A calm and relaxing piano track.",
        "tags": "Jazz", "title": "Relaxing Piano", "negativeTags": "Rock", "infillStartS": 10.5,
        "infillEndS": 20.75, "fullLyrics": FULL_LYRICS, "callBackUrl": CB,
    }  # fmt: skip
    await api.submit("/api/v1/generate/replace-section", replace)
    for path, body in (
        ("/api/v1/generate/get-timestamped-lyrics", {"taskId": source, "audioId": audio_id}),
        ("/api/v1/wav/generate", {"taskId": source, "audioId": audio_id, "callBackUrl": CB}),
        ("/api/v1/vocal-removal/generate",
         {"taskId": source, "audioId": audio_id, "callBackUrl": CB, "type": "separate_vocal"}),
        ("/api/v1/mp4/generate", {"taskId": source, "audioId": audio_id, "callBackUrl": CB,
                                  "author": "Suno Artist", "domainName": "music.example.com"}),
        ("/api/v1/suno/cover/generate", {"taskId": source, "callBackUrl": CB}),
        ("/api/v1/suno/recovery", {"sunoTaskId": source, "callBackUrl": CB}),
        ("/api/v1/generate/generate-persona",
         {"taskId": source, "audioId": audio_id, "name": "Electronic Pop Singer",
          "description": "A modern electronic music style pop singer", "vocalStart": 0,
          "vocalEnd": 30, "style": "Electronic Pop"}),
        ("/api/v1/generate/extend",
         {"defaultParamFlag": True, "audioId": audio_id, "prompt": "Extend the music",
          "style": "Classical", "title": "Peaceful Piano Extended", "continueAt": 60,
          "model": "V6", "callBackUrl": CB}),
    ):  # fmt: skip
        status, envelope = await api.post(path, body)
        assert (status, envelope["code"]) == (200, 200), (path, envelope)


async def test_file_upload_example(api: Api) -> None:
    # docs.sunoapi.org/cn/file-upload-api/upload-file-base-64 (re-read 2026-12-07).
    body = {
        "base64Data": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUl"
        "EQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==",
        "uploadPath": "images/base64", "fileName": "test-image.png",
    }  # fmt: skip
    status, envelope = await api.post("/api/file-base64-upload", body)
    assert (status, envelope["success"], envelope["code"]) == (200, True, 200), envelope
    assert envelope["data"]["mimeType"] == "image/png"


async def test_voice_examples(suno_mock: SunoMock, api: Api) -> None:
    # The Suno Voice pages' example bodies (re-read 2026-12-07); `xxxxxxx` and
    # `voice_create_001` name a task: the test uses one the mock made.
    validate = EXAMPLES["voice-validate"][1]
    task_id = await api.submit("/api/v1/voice/validate", validate)
    await suno_mock.clock.advance(30)
    regenerate = {"taskId": task_id,
                  "calBackUrl": "https://example.com/callback/suno/voice_regenerate"}  # fmt: skip
    assert await api.submit("/api/v1/voice/regenerate", regenerate) == task_id
    await suno_mock.clock.advance(30)
    generate = {
        "taskId": task_id, "verifyUrl": "https://example.com/audio/verify_read.mp3",
        "voiceName": "My Voice", "description": "created from uploaded voice",
        "style": "Pop, Female Vocal", "singerSkillLevel": "beginner",
        "callBackUrl": "https://example.com/callback/suno/voice_create",
    }  # fmt: skip
    await api.submit("/api/v1/voice/generate", generate)
