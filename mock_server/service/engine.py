"""The engine: the composition root (`Composition`) with a typed name for each family's
backend, for the control plane, the waits and the test helpers. A family added to the registry
is built and reset without a line here; a name here is a convenience for its callers."""

from __future__ import annotations

from mock_server.families.account.backend import ACCOUNT, Account
from mock_server.families.jobs.backend import JOBS, Jobs
from mock_server.families.music.backend import MUSIC, Music
from mock_server.families.sync_ops.backend import SYNC_OPS, SyncOps
from mock_server.families.uploads.backend import UPLOADS, Uploads
from mock_server.families.voice.backend import VOICE, VoiceService
from mock_server.service.composition import Composition

__all__ = ["Engine"]


class Engine(Composition):
    """The services and backends of one server, driven by one clock."""

    @property
    def account(self) -> Account:
        return ACCOUNT.among(self.backends)

    @property
    def music(self) -> Music:
        return MUSIC.among(self.backends)

    @property
    def jobs(self) -> Jobs:
        return JOBS.among(self.backends)

    @property
    def ops(self) -> SyncOps:
        return SYNC_OPS.among(self.backends)

    @property
    def voices(self) -> VoiceService:
        return VOICE.among(self.backends)

    @property
    def uploads(self) -> Uploads:
        return UPLOADS.among(self.backends)
