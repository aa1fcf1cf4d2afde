"""Synchronous operations (docs/api.md, "Cover image, timestamped lyrics, persona"): answered
at once, no callback."""

from __future__ import annotations

from mock_server.families.family import AUDIO, TASK, Endpoint, Family, Parts
from mock_server.families.keys import ACCOUNT, JOBS, MUSIC, SYNC_OPS
from mock_server.families.sync_ops import handlers
from mock_server.families.sync_ops.backend import SyncOps
from mock_server.families.sync_ops.wire import (
    BoostStyleRequest,
    PersonaRequest,
    TimestampedLyricsRequest,
)

__all__ = ["FAMILY", "build"]

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


def build(parts: Parts) -> SyncOps:
    """The sync_ops backend, with nothing in it."""
    return SyncOps(
        parts.settings, parts.clock, ACCOUNT.among(parts.backends), MUSIC.among(parts.backends),
        JOBS.among(parts.backends).store,
    )  # fmt: skip


FAMILY = Family(
    "sync_ops",
    ENDPOINTS,
    callback_types=(),
    backend=SYNC_OPS,
    build=build,
    needs=("account", "music", "jobs"),
)
