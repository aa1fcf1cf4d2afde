"""Music generation (docs/api.md): the task that sends `text`, `first` and `complete` (or `error`)
callbacks and answers record-info from the same state."""

from __future__ import annotations

from mock_server.families.family import AUDIO, CB_URL, TASK, Endpoint, Family, probe_cases
from mock_server.families.music import handlers
from mock_server.families.music import schema as cb
from mock_server.families.music.backend import MUSIC, build, counters
from mock_server.families.music.section import ReplaceSectionRequest
from mock_server.families.music.sounds import SoundsRequest
from mock_server.families.music.wire import (
    AddInstrumentalRequest,
    AddVocalsRequest,
    ExtendRequest,
    GenerateRequest,
    MashupRequest,
    UploadCoverRequest,
    UploadExtendRequest,
)

__all__ = ["FAMILY"]

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("POST", "/api/v1/generate", handlers.generate, "Generate music",
             GenerateRequest, {"customMode": True, "instrumental": False,
             "model": "V4_5PLUS", "prompt": "[Verse]\nStreetlights hum a quiet tune",
             "style": "indie pop, dreamy synths", "title": "Silver Moon",
             "callBackUrl": CB_URL}, cb.MusicCallback),
    Endpoint("POST", "/api/v1/generate/extend", handlers.extend, "Extend music",
             ExtendRequest, {"defaultParamFlag": True, "audioId": AUDIO,
             "continueAt": 95.5, "prompt": "[Bridge]\nHold the light", "style": "indie pop",
             "title": "Silver Moon (Extended)", "model": "V4_5PLUS", "callBackUrl": CB_URL},
             cb.MusicCallback),
    Endpoint("POST", "/api/v1/generate/upload-cover", handlers.upload_cover, "Upload and cover",
             UploadCoverRequest, {"uploadUrl": "https://files.example/hum.mp3",
             "customMode": True, "instrumental": False, "model": "V4_5", "style": "bossa nova",
             "title": "Hum in Bossa", "prompt": "[Verse]\nSoft rain", "callBackUrl": CB_URL},
             cb.MusicCallback),
    Endpoint("POST", "/api/v1/generate/upload-extend", handlers.upload_extend,
             "Upload and extend", UploadExtendRequest, {"uploadUrl":
             "https://files.example/demo.mp3", "defaultParamFlag": True, "instrumental": True,
             "continueAt": 42, "style": "lofi hip hop", "title": "Demo Continued", "model": "V4",
             "callBackUrl": CB_URL}, cb.MusicCallback),
    Endpoint("POST", "/api/v1/generate/add-instrumental", handlers.add_instrumental,
             "Add instrumental", AddInstrumentalRequest, {"uploadUrl":
             "https://files.example/vocal-stem.mp3", "title": "Night Drive Backing",
             "tags": "synthwave, warm bass", "negativeTags": "acoustic guitar",
             "model": "V4_5PLUS", "callBackUrl": CB_URL}, cb.MusicCallback),
    Endpoint("POST", "/api/v1/generate/add-vocals", handlers.add_vocals, "Add vocals",
             AddVocalsRequest, {"uploadUrl": "https://files.example/beat.mp3",
             "prompt": "[Verse]\nCity lights are calling me home", "title": "Calling Home",
             "style": "r&b, smooth", "negativeTags": "screaming", "vocalGender": "m",
             "callBackUrl": CB_URL}, cb.MusicCallback),
    Endpoint("POST", "/api/v1/generate/replace-section", handlers.replace_section,
             "Replace a section of a track", ReplaceSectionRequest, {"taskId": TASK,
             "audioId": AUDIO, "prompt": "[Chorus]\nNew words", "tags": "indie pop",
             "title": "Silver Moon", "infillStartS": 30.25, "infillEndS": 48.5,
             "fullLyrics": "[Verse]\nStreetlights\n[Chorus]\nNew words", "callBackUrl": CB_URL},
             cb.MusicCallback),
    Endpoint("POST", "/api/v1/generate/mashup", handlers.mashup, "Mash up two songs",
             MashupRequest, {"uploadUrlList": ["https://files.example/a.mp3",
             "https://files.example/b.mp3"], "customMode": True, "instrumental": False,
             "model": "V5", "prompt": "[Verse]\nTwo rivers meet tonight",
             "style": "electro swing", "title": "Two Rivers", "callBackUrl": CB_URL},
             cb.MusicCallback),
    Endpoint("POST", "/api/v1/generate/sounds", handlers.sounds, "Generate sounds",
             SoundsRequest, {"prompt": "A soft rain ambience with distant thunder",
             "model": "V6", "soundLoop": False, "soundTempo": 120, "soundKey": "Any",
             "grabLyrics": False, "callBackUrl": CB_URL}, cb.MusicCallback),
    Endpoint("GET", "/api/v1/generate/record-info", handlers.record_info,
             "Music task details", query=("taskId",), data=cb.RecordInfoData),
)  # fmt: skip


FAMILY = Family(
    "music",
    ENDPOINTS,
    callback_types=("text", "first", "complete", "error"),
    backend=MUSIC,
    build=build,
    needs=("account",),
    probe=probe_cases("music"),
    counters=counters,
)
