"""Suno Voice: a custom voice for `personaId` (personaModel `voice_persona`): a validation
phrase, then the voice."""

from __future__ import annotations

from mock_server.families.family import CB_URL, TASK, Endpoint, Family, probe_cases
from mock_server.families.voice import handlers
from mock_server.families.voice import schema as cb
from mock_server.families.voice.backend import VOICE, build
from mock_server.families.voice.wire import (
    VoiceCheckRequest,
    VoiceGenerateRequest,
    VoiceRegenerateRequest,
    VoiceValidateRequest,
)

__all__ = ["FAMILY"]

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("POST", "/api/v1/voice/validate", handlers.voice_validate, "Voice: validate a "
             "recording", VoiceValidateRequest, {"voiceUrl":
             "https://example.com/audio/user_voice.mp3", "vocalStartS": 0, "vocalEndS": 10,
             "language": "en", "callBackUrl": CB_URL}, cb.VoiceCallback, tag="voice"),
    Endpoint("GET", "/api/v1/voice/validate-info", handlers.voice_validate_info,
             "Voice: the validation phrase", query=("taskId",), tag="voice",
             data=cb.VoiceValidateData),
    Endpoint("POST", "/api/v1/voice/regenerate", handlers.voice_regenerate,
             "Voice: a new validation phrase", VoiceRegenerateRequest, {"taskId": TASK,
             "calBackUrl": CB_URL}, cb.VoiceCallback, tag="voice"),
    Endpoint("POST", "/api/v1/voice/generate", handlers.voice_generate, "Voice: create the voice",
             VoiceGenerateRequest, {"taskId": TASK, "verifyUrl":
             "https://example.com/audio/verify_read.mp3", "voiceName": "My Voice",
             "description": "created from uploaded voice", "style": "Pop, Female Vocal",
             "singerSkillLevel": "beginner", "callBackUrl": CB_URL}, cb.VoiceCallback,
             tag="voice"),
    Endpoint("GET", "/api/v1/voice/record-info", handlers.voice_record_info,
             "Voice: the voiceId", query=("taskId",), tag="voice", data=cb.VoiceRecordData),
    Endpoint("POST", "/api/v1/voice/check-voice", handlers.check_voice, "Voice: is it available",
             VoiceCheckRequest, {"task_id": TASK}, tag="voice",
             data=cb.VoiceCheckData),
)  # fmt: skip


FAMILY = Family(
    "voice",
    ENDPOINTS,
    callback_types=("validate", "regenerate", "generate"),
    backend=VOICE,
    build=build,
    needs=(),
    probe=probe_cases("voice"),
)
