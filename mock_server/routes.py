"""The whole route table on one screen. `API` is also what /openapi.json is built from."""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

from aiohttp import web

from mock_server import control, driving, wire
from mock_server.api import families, files, handlers, uploads, voice
from mock_server.api.envelope import base_url
from mock_server.api.keys import ENGINE
from mock_server.media import urls
from mock_server.openapi import Endpoint, build_spec
from mock_server.payloads import schema as cb

__all__ = ["API", "install_routes", "setup_routes"]

CB_URL = "https://client.example/suno/callback"
TASK = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
AUDIO = "e3225e2d-16ec-4f5c-9dcc-16fd548631e1"
UPLOAD_FORM: dict[str, Any] = {
    "type": "object",
    "required": ["file", "uploadPath"],
    "properties": {
        "file": {"type": "string", "format": "binary"},
        "uploadPath": {"type": "string"},
        "fileName": {"type": "string"},
    },
}

API: tuple[Endpoint, ...] = (
    # Music generation (docs/api.md).
    Endpoint("POST", "/api/v1/generate", handlers.generate, "Generate music",
             wire.GenerateRequest, {"customMode": True, "instrumental": False,
             "model": "V4_5PLUS", "prompt": "[Verse]\nStreetlights hum a quiet tune",
             "style": "indie pop, dreamy synths", "title": "Silver Moon",
             "callBackUrl": CB_URL}, cb.MusicCallback),
    Endpoint("POST", "/api/v1/generate/extend", handlers.extend, "Extend music",
             wire.ExtendRequest, {"defaultParamFlag": True, "audioId": AUDIO,
             "continueAt": 95.5, "prompt": "[Bridge]\nHold the light", "style": "indie pop",
             "title": "Silver Moon (Extended)", "model": "V4_5PLUS", "callBackUrl": CB_URL},
             cb.MusicCallback),
    Endpoint("POST", "/api/v1/generate/upload-cover", handlers.upload_cover, "Upload and cover",
             wire.UploadCoverRequest, {"uploadUrl": "https://files.example/hum.mp3",
             "customMode": True, "instrumental": False, "model": "V4_5", "style": "bossa nova",
             "title": "Hum in Bossa", "prompt": "[Verse]\nSoft rain", "callBackUrl": CB_URL},
             cb.MusicCallback),
    Endpoint("POST", "/api/v1/generate/upload-extend", handlers.upload_extend,
             "Upload and extend", wire.UploadExtendRequest, {"uploadUrl":
             "https://files.example/demo.mp3", "defaultParamFlag": True, "instrumental": True,
             "continueAt": 42, "style": "lofi hip hop", "title": "Demo Continued", "model": "V4",
             "callBackUrl": CB_URL}, cb.MusicCallback),
    Endpoint("POST", "/api/v1/generate/add-instrumental", handlers.add_instrumental,
             "Add instrumental", wire.AddInstrumentalRequest, {"uploadUrl":
             "https://files.example/vocal-stem.mp3", "title": "Night Drive Backing",
             "tags": "synthwave, warm bass", "negativeTags": "acoustic guitar",
             "model": "V4_5PLUS", "callBackUrl": CB_URL}, cb.MusicCallback),
    Endpoint("POST", "/api/v1/generate/add-vocals", handlers.add_vocals, "Add vocals",
             wire.AddVocalsRequest, {"uploadUrl": "https://files.example/beat.mp3",
             "prompt": "[Verse]\nCity lights are calling me home", "title": "Calling Home",
             "style": "r&b, smooth", "negativeTags": "screaming", "vocalGender": "m",
             "callBackUrl": CB_URL}, cb.MusicCallback),
    Endpoint("POST", "/api/v1/generate/replace-section", handlers.replace_section,
             "Replace a section of a track", wire.ReplaceSectionRequest, {"taskId": TASK,
             "audioId": AUDIO, "prompt": "[Chorus]\nNew words", "tags": "indie pop",
             "title": "Silver Moon", "infillStartS": 30.25, "infillEndS": 48.5,
             "fullLyrics": "[Verse]\nStreetlights\n[Chorus]\nNew words", "callBackUrl": CB_URL},
             cb.MusicCallback),
    Endpoint("POST", "/api/v1/generate/mashup", handlers.mashup, "Mash up two songs",
             wire.MashupRequest, {"uploadUrlList": ["https://files.example/a.mp3",
             "https://files.example/b.mp3"], "customMode": True, "instrumental": False,
             "model": "V5", "prompt": "[Verse]\nTwo rivers meet tonight",
             "style": "electro swing", "title": "Two Rivers", "callBackUrl": CB_URL},
             cb.MusicCallback),
    Endpoint("POST", "/api/v1/generate/sounds", handlers.sounds, "Generate sounds",
             wire.SoundsRequest, {"prompt": "A soft rain ambience with distant thunder",
             "model": "V6", "soundLoop": False, "soundTempo": 120, "soundKey": "Any",
             "grabLyrics": False, "callBackUrl": CB_URL}, cb.MusicCallback),
    Endpoint("GET", "/api/v1/generate/record-info", handlers.record_info,
             "Music task details", query=("taskId",), data=cb.RecordInfoData),
    Endpoint("GET", "/api/v1/generate/credit", handlers.credit, "Remaining credits",
             tag="account", data={"type": "integer"}),
    # Synchronous operations (docs/api.md, "Cover image, timestamped lyrics, persona").
    Endpoint("POST", "/api/v1/generate/generate-persona", families.persona, "Generate persona",
             wire.PersonaRequest, {"taskId": TASK, "audioId": AUDIO, "name": "Warm Alto",
             "description": "Breathy alto over soft synth pop", "vocalStart": 10,
             "vocalEnd": 30}),
    Endpoint("POST", "/api/v1/generate/get-timestamped-lyrics", families.timestamped_lyrics,
             "Timestamped lyrics", wire.TimestampedLyricsRequest, {"taskId": TASK,
             "audioId": AUDIO}),
    Endpoint("POST", "/api/v1/style/generate", families.boost_style, "Boost music style",
             wire.BoostStyleRequest, {"content": "Pop, Mysterious"}),
    # Single-stage jobs (docs/api.md, "WAV and MP4", "Vocal removal and MIDI"); their kinds
    # are classes in mock_server/kinds.py.
    Endpoint("POST", "/api/v1/lyrics", families.lyrics, "Generate lyrics", wire.LyricsRequest,
             {"prompt": "A song about neon rivers in the rain", "callBackUrl": CB_URL},
             cb.LyricsCallback, tag="lyrics"),
    Endpoint("GET", "/api/v1/lyrics/record-info", families.job_info("lyrics"),
             "Lyrics task details", query=("taskId",), tag="lyrics"),
    Endpoint("POST", "/api/v1/wav/generate", families.wav, "Convert to WAV",
             wire.WavRequest, {"taskId": TASK, "audioId": AUDIO, "callBackUrl": CB_URL},
             cb.WavCallback, tag="files"),
    Endpoint("GET", "/api/v1/wav/record-info", families.job_info("wav"), "WAV task details",
             query=("taskId",), tag="files"),
    Endpoint("POST", "/api/v1/vocal-removal/generate", families.vocal_removal,
             "Separate vocals or split stems", wire.VocalRemovalRequest, {"taskId": TASK,
             "audioId": AUDIO, "callBackUrl": CB_URL, "type": "split_stem"},
             cb.VocalRemovalCallback, tag="files"),
    Endpoint("GET", "/api/v1/vocal-removal/record-info", families.job_info("vocal_removal"),
             "Vocal-removal task details", query=("taskId",), tag="files"),
    Endpoint("POST", "/api/v1/midi/generate", families.midi,
             "MIDI from a vocal-removal task", wire.MidiRequest,
             {"taskId": TASK, "callBackUrl": CB_URL}, cb.MidiCallback, tag="files"),
    Endpoint("GET", "/api/v1/midi/record-info", families.job_info("midi"), "MIDI task details",
             query=("taskId",), tag="files"),
    Endpoint("POST", "/api/v1/mp4/generate", families.mp4, "Music video", wire.Mp4Request,
             {"taskId": TASK, "audioId": AUDIO, "callBackUrl": CB_URL, "author": "Me"},
             cb.Mp4Callback, tag="files"),
    Endpoint("GET", "/api/v1/mp4/record-info", families.job_info("mp4"), "Music video details",
             query=("taskId",), tag="files"),
    Endpoint("POST", "/api/v1/suno/cover/generate", families.cover, "Cover image",
             wire.CoverRequest, {"taskId": TASK, "callBackUrl": CB_URL}, cb.CoverCallback,
             tag="files"),
    Endpoint("GET", "/api/v1/suno/cover/record-info", families.job_info("cover"),
             "Cover image details", query=("taskId",), tag="files"),
    # Suno Voice: a custom voice for personaId (personaModel voice_persona).
    Endpoint("POST", "/api/v1/voice/validate", voice.voice_validate, "Voice: validate a "
             "recording", wire.VoiceValidateRequest, {"voiceUrl":
             "https://example.com/audio/user_voice.mp3", "vocalStartS": 0, "vocalEndS": 10,
             "language": "en", "callBackUrl": CB_URL}, cb.VoiceCallback, tag="voice"),
    Endpoint("GET", "/api/v1/voice/validate-info", voice.voice_validate_info,
             "Voice: the validation phrase", query=("taskId",), tag="voice",
             data=cb.VoiceValidateData),
    Endpoint("POST", "/api/v1/voice/regenerate", voice.voice_regenerate,
             "Voice: a new validation phrase", wire.VoiceRegenerateRequest, {"taskId": TASK,
             "calBackUrl": CB_URL}, cb.VoiceCallback, tag="voice"),
    Endpoint("POST", "/api/v1/voice/generate", voice.voice_generate, "Voice: create the voice",
             wire.VoiceGenerateRequest, {"taskId": TASK, "verifyUrl":
             "https://example.com/audio/verify_read.mp3", "voiceName": "My Voice",
             "description": "created from uploaded voice", "style": "Pop, Female Vocal",
             "singerSkillLevel": "beginner", "callBackUrl": CB_URL}, cb.VoiceCallback,
             tag="voice"),
    Endpoint("GET", "/api/v1/voice/record-info", voice.voice_record_info,
             "Voice: the voiceId", query=("taskId",), tag="voice", data=cb.VoiceRecordData),
    Endpoint("POST", "/api/v1/voice/check-voice", voice.check_voice, "Voice: is it available",
             wire.VoiceCheckRequest, {"task_id": TASK}, tag="voice",
             data=cb.VoiceCheckData),
    # Recovery Audio: a music task's audio fetched again.
    Endpoint("POST", "/api/v1/suno/recovery", families.recovery, "Recover a task's audio",
             wire.RecoveryRequest, {"sunoTaskId": TASK, "callBackUrl": CB_URL},
             cb.RecoveryCallback, tag="files", data=cb.RecoveryTaskData),
    Endpoint("GET", "/api/v1/suno/recovery/record-info", families.recovery_info,
             "Recovery details", query=("task_id",), tag="files"),
    # The File Upload API (a separate host for the real service; docs/api.md, "File uploads
    # and signed callbacks").
    Endpoint("POST", "/api/file-base64-upload", uploads.base64_upload, "Upload a file (base64)",
             wire.Base64Upload, {"base64Data": "data:audio/mpeg;base64,SUQz",
             "uploadPath": "audio/uploads", "fileName": "hum.mp3"}, tag="upload"),
    Endpoint("POST", "/api/file-stream-upload", uploads.stream_upload,
             "Upload a file (multipart)", form=UPLOAD_FORM, tag="upload"),
    Endpoint("POST", "/api/file-url-upload", uploads.url_upload, "Upload a file from a URL",
             wire.UrlUpload, {"fileUrl": "https://files.example/hum.mp3",
             "uploadPath": "audio/uploads"}, tag="upload"),
)  # fmt: skip


async def openapi(request: web.Request) -> web.Response:
    """GET /openapi.json"""
    settings = request.app[ENGINE].settings
    spec = build_spec(
        API, base_url(request), mirror_http_status=settings.mirror_http_status,
        upload_http_status=not settings.upload_api_http_200,
    )  # fmt: skip
    return web.json_response(spec)


def _with_submit_data(endpoints: tuple[Endpoint, ...]) -> tuple[Endpoint, ...]:
    """Every endpoint that starts a task answers `data: {"taskId": ...}`."""
    return tuple(
        replace(e, data=cb.TaskIdData) if e.callback is not None and e.data is None else e
        for e in endpoints
    )


API = _with_submit_data(API)


def setup_routes(app: web.Application) -> None:
    app.router.add_routes([web.route(e.method, e.path, e.handler) for e in API])
    app.router.add_routes(
        [
            web.get("/openapi.json", openapi),
            # Files the returned URLs point to (their layout: media/urls.py).
            web.get(urls.AUDIO.pattern, files.audio),
            web.get(urls.SOURCE_AUDIO.pattern, files.audio),
            web.get(urls.STREAM.pattern, files.stream),
            web.get(urls.SOURCE_STREAM.pattern, files.stream),
            web.get(urls.IMAGE.pattern, files.image),
            web.get(urls.SOURCE_IMAGE.pattern, files.image),
            web.get(urls.UPLOADED.pattern, files.uploaded),
            web.get(urls.WAV.pattern, files.wav),
            web.get(urls.STEM.pattern, files.stem),
            web.get(urls.VIDEO.pattern, files.video),
            web.get(urls.COVER.pattern, files.cover_png),
            # The mock's own control plane and dashboard.
            web.get("/__mock__/", control.dashboard),
            web.get("/__mock__/events", control.events),
            web.get("/__mock__/clock", control.clock),
            web.post("/__mock__/clock", control.clock),
            web.post("/__mock__/tasks/{id}/resend", control.resend),
            web.get("/__mock__/health", control.health),
            web.get("/__mock__/tasks", control.tasks),
            web.get("/__mock__/tasks/{id}", control.task),
            web.get("/__mock__/tasks/{id}/scenario", control.task_scenario),
            web.get("/__mock__/deliveries", control.deliveries),
            web.get("/__mock__/requests", control.requests),
            web.get("/__mock__/inbox", control.inbox),
            web.get("/__mock__/inbox/{name}", control.inbox),
            web.post("/__mock__/inbox/{name}", control.inbox_receive),
            web.get("/__mock__/scenarios", control.scenarios),
            web.post("/__mock__/scenario", control.set_scenario),
            web.post("/__mock__/reset", control.reset),
            web.post("/__mock__/restore", driving.restore),
            web.post("/__mock__/wait", driving.wait),
            web.post("/__mock__/probe", driving.probe_receiver),
            web.get("/__mock__/journal", driving.journal),
        ]
    )


@functools.cache
def _shared_resources() -> tuple[web.AbstractResource, ...]:
    scratch = web.Application()
    setup_routes(scratch)
    return tuple(scratch.router.resources())


def install_routes(app: web.Application) -> None:
    """`setup_routes`'s routes, built once per process and shared by every app. A resource
    holds only its path and handlers (a handler finds its app through the request), and
    building the hundred routes anew was a third of the start of a server, which a test
    suite pays per test."""
    for resource in _shared_resources():
        app.router.register_resource(resource)
