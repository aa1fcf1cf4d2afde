"""Suno Voice's probe cases: the phrase to read (and a new one), then the voice made."""

from __future__ import annotations

from collections.abc import Callable

from mock_server.core.encoding import encode
from mock_server.families.probe import Case, ProbeKit, Shot
from mock_server.families.voice.payloads import validation_phrase, voice_callback, voice_id_for
from mock_server.families.voice.store import VoiceStatus

__all__ = ["VOICE", "cases"]


VOICE: tuple[tuple[str, str, VoiceStatus, Callable[[str], dict[str, str]], str], ...] = (
    ("voice-validate", "validate", "wait_validating",
     lambda task: {"validateInfo": validation_phrase(task, 1)},
     "Suno Voice phrase callback (validateInfo)"),
    ("voice-generate", "generate", "success", lambda task: {"voiceId": voice_id_for(task)},
     "Suno Voice callback (voiceId)"),
    ("voice-regenerate", "regenerate", "wait_validating",
     lambda task: {"validateInfo": validation_phrase(task, 2)},
     "Suno Voice new-phrase callback (validateInfo, after /voice/regenerate)"),
)  # fmt: skip
"""Case name, callback type, status, the callback's fields, description."""


def cases(make: ProbeKit) -> list[Case]:
    cases = []
    for name, kind, status, fields, description in VOICE:
        task_id = make.jobs.new_id(f"voice-{kind}")
        body = encode(voice_callback(task_id, status, **fields(task_id)))
        cases.append(Case(name, description, (Shot(name, task_id, kind, body),)))
    return cases
