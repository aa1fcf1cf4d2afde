"""The engine: the composition root (`Composition`) with a typed name for each family's
backend, for the control plane, the waits and the test helpers. A family added to the registry
is built and reset without a line here; a name here is a convenience for its callers.

A name imports its family when first read: a backend is built when first asked for (see
`Composition`), and a server whose tests never reach a family never imports it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mock_server.families.account.backend import ACCOUNT, Account
from mock_server.service.composition import Composition

if TYPE_CHECKING:
    from mock_server.families.jobs.backend import Jobs
    from mock_server.families.music.backend import Music
    from mock_server.families.sync_ops.backend import SyncOps
    from mock_server.families.uploads.backend import Uploads
    from mock_server.families.voice.backend import VoiceService

__all__ = ["Engine"]


class Engine(Composition):
    """The services and backends of one server, driven by one clock."""

    @property
    def account(self) -> Account:
        return ACCOUNT.among(self.backends)

    @property
    def music(self) -> Music:
        from mock_server.families.music.backend import MUSIC

        return MUSIC.among(self.backends)

    @property
    def jobs(self) -> Jobs:
        from mock_server.families.jobs.backend import JOBS

        return JOBS.among(self.backends)

    @property
    def ops(self) -> SyncOps:
        from mock_server.families.sync_ops.backend import SYNC_OPS

        return SYNC_OPS.among(self.backends)

    @property
    def voices(self) -> VoiceService:
        from mock_server.families.voice.backend import VOICE

        return VOICE.among(self.backends)

    @property
    def uploads(self) -> Uploads:
        from mock_server.families.uploads.backend import UPLOADS

        return UPLOADS.among(self.backends)
