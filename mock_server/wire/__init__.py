"""Request bodies, validated as the real API documents them today (docs/api.md).

Field types are strict (a JSON `"true"` is not a boolean). Rules that depend on several fields
(customMode/instrumental, defaultParamFlag, per-model length limits) run after the fields parse
and raise the API's own errors: 413 for a text over its limit, 400 for anything else. Every
message reads `<field>: <what is wrong and what is allowed>`.

Unknown fields are accepted and ignored, like the real service; record-info `param` still shows
the body exactly as sent.
"""

from __future__ import annotations

from mock_server.wire.common import parse, validation_message
from mock_server.wire.jobs import (
    CoverRequest,
    LyricsRequest,
    MidiRequest,
    Mp4Request,
    RecoveryRequest,
    TrackJobRequest,
    VocalRemovalRequest,
    WavRequest,
)
from mock_server.wire.music import (
    AddInstrumentalRequest,
    AddVocalsRequest,
    ExtendRequest,
    GenerateRequest,
    MashupRequest,
    MusicRequest,
    UploadCoverRequest,
    UploadExtendRequest,
)
from mock_server.wire.operations import BoostStyleRequest, PersonaRequest, TimestampedLyricsRequest
from mock_server.wire.section import ReplaceSectionRequest
from mock_server.wire.sounds import SoundsRequest
from mock_server.wire.uploads import Base64Upload, UrlUpload
from mock_server.wire.voice import (
    VoiceCheckRequest,
    VoiceGenerateRequest,
    VoiceRegenerateRequest,
    VoiceValidateRequest,
)

__all__ = [
    "AddInstrumentalRequest",
    "AddVocalsRequest",
    "Base64Upload",
    "BoostStyleRequest",
    "CoverRequest",
    "ExtendRequest",
    "GenerateRequest",
    "LyricsRequest",
    "MashupRequest",
    "MidiRequest",
    "Mp4Request",
    "MusicRequest",
    "PersonaRequest",
    "RecoveryRequest",
    "ReplaceSectionRequest",
    "SoundsRequest",
    "TimestampedLyricsRequest",
    "TrackJobRequest",
    "UploadCoverRequest",
    "UploadExtendRequest",
    "UrlUpload",
    "VocalRemovalRequest",
    "VoiceCheckRequest",
    "VoiceGenerateRequest",
    "VoiceRegenerateRequest",
    "VoiceValidateRequest",
    "WavRequest",
    "parse",
    "validation_message",
]
