"""How each family's handlers (and the engine) reach a family's backend: one key per backend,
typed, by family name. `BackendKey.of(request)` in a handler, `BackendKey.among(backends)`
while backends are built."""

from __future__ import annotations

from mock_server.families.account.backend import Account
from mock_server.families.family import BackendKey
from mock_server.families.jobs.backend import Jobs
from mock_server.families.music.backend import Music
from mock_server.families.sync_ops.backend import SyncOps
from mock_server.families.uploads.backend import Uploads
from mock_server.families.voice.backend import VoiceService

__all__ = ["ACCOUNT", "JOBS", "MUSIC", "SYNC_OPS", "UPLOADS", "VOICE"]

MUSIC = BackendKey("music", Music)
JOBS = BackendKey("jobs", Jobs)
SYNC_OPS = BackendKey("sync_ops", SyncOps)
VOICE = BackendKey("voice", VoiceService)
UPLOADS = BackendKey("uploads", Uploads)
ACCOUNT = BackendKey("account", Account)
