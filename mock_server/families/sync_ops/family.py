"""Synchronous operations (docs/api.md, "Cover image, timestamped lyrics, persona"): answered
at once, no callback."""

from __future__ import annotations

from mock_server.families.family import AUDIO, TASK, Endpoint, Family
from mock_server.families.sync_ops import handlers
from mock_server.families.sync_ops.backend import SYNC_OPS, build
from mock_server.families.sync_ops.wire import (
    BoostStyleRequest,
    PersonaRequest,
    TimestampedLyricsRequest,
)

__all__ = ["FAMILY"]

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("POST", "/api/v1/generate/generate-persona", handlers.persona, "Generate persona",
             PersonaRequest, {"taskId": TASK, "audioId": AUDIO, "name": "Warm Alto",
             "description": "Breathy alto over soft synth pop", "vocalStart": 10,
             "vocalEnd": 30}),
    Endpoint("POST", "/api/v1/generate/get-timestamped-lyrics", handlers.timestamped_lyrics,
             "Timestamped lyrics", TimestampedLyricsRequest, {"taskId": TASK,
             "audioId": AUDIO}),
    Endpoint("POST", "/api/v1/style/generate", handlers.boost_style, "Boost music style",
             BoostStyleRequest, {"content": "Pop, Mysterious"}),
)  # fmt: skip


FAMILY = Family(
    "sync_ops",
    ENDPOINTS,
    callback_types=(),
    backend=SYNC_OPS,
    build=build,
    needs=("account", "music", "jobs"),
)
