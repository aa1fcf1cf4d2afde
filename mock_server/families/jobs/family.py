"""Single-stage jobs (docs/api.md, "WAV and MP4", "Vocal removal and MIDI"): one callback after
`job_delay`, a record-info of their own. Each kind is a class in `kinds.py`."""

from __future__ import annotations

from mock_server.families.family import AUDIO, CB_URL, TASK, Endpoint, Family, probe_cases
from mock_server.families.jobs import handlers
from mock_server.families.jobs import schema as cb
from mock_server.families.jobs.backend import JOBS, build, counters
from mock_server.families.jobs.wire import (
    CoverRequest,
    LyricsRequest,
    MidiRequest,
    Mp4Request,
    VocalRemovalRequest,
    WavRequest,
)

__all__ = ["FAMILY"]

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("POST", "/api/v1/lyrics", handlers.lyrics, "Generate lyrics", LyricsRequest,
             {"prompt": "A song about neon rivers in the rain", "callBackUrl": CB_URL},
             cb.LyricsCallback, tag="lyrics"),
    Endpoint("GET", "/api/v1/lyrics/record-info", handlers.job_info("lyrics"),
             "Lyrics task details", query=("taskId",), tag="lyrics"),
    Endpoint("POST", "/api/v1/wav/generate", handlers.wav, "Convert to WAV",
             WavRequest, {"taskId": TASK, "audioId": AUDIO, "callBackUrl": CB_URL},
             cb.WavCallback, tag="files"),
    Endpoint("GET", "/api/v1/wav/record-info", handlers.job_info("wav"), "WAV task details",
             query=("taskId",), tag="files"),
    Endpoint("POST", "/api/v1/vocal-removal/generate", handlers.vocal_removal,
             "Separate vocals or split stems", VocalRemovalRequest, {"taskId": TASK,
             "audioId": AUDIO, "callBackUrl": CB_URL, "type": "split_stem"},
             cb.VocalRemovalCallback, tag="files"),
    Endpoint("GET", "/api/v1/vocal-removal/record-info", handlers.job_info("vocal_removal"),
             "Vocal-removal task details", query=("taskId",), tag="files"),
    Endpoint("POST", "/api/v1/midi/generate", handlers.midi,
             "MIDI from a vocal-removal task", MidiRequest,
             {"taskId": TASK, "callBackUrl": CB_URL}, cb.MidiCallback, tag="files"),
    Endpoint("GET", "/api/v1/midi/record-info", handlers.job_info("midi"), "MIDI task details",
             query=("taskId",), tag="files"),
    Endpoint("POST", "/api/v1/mp4/generate", handlers.mp4, "Music video", Mp4Request,
             {"taskId": TASK, "audioId": AUDIO, "callBackUrl": CB_URL, "author": "Me"},
             cb.Mp4Callback, tag="files"),
    Endpoint("GET", "/api/v1/mp4/record-info", handlers.job_info("mp4"), "Music video details",
             query=("taskId",), tag="files"),
    Endpoint("POST", "/api/v1/suno/cover/generate", handlers.cover, "Cover image",
             CoverRequest, {"taskId": TASK, "callBackUrl": CB_URL}, cb.CoverCallback,
             tag="files"),
    Endpoint("GET", "/api/v1/suno/cover/record-info", handlers.job_info("cover"),
             "Cover image details", query=("taskId",), tag="files"),
)  # fmt: skip


FAMILY = Family(
    "jobs",
    ENDPOINTS,
    callback_types=("complete",),
    backend=JOBS,
    build=build,
    needs=("account", "music"),
    probe=probe_cases("jobs"),
    counters=counters,
)
