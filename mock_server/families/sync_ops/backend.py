"""Synchronous operations, answered at once: Generate Persona, Get Timestamped Lyrics, Boost
Music Style."""

from __future__ import annotations

import random
from collections import OrderedDict
from typing import Any

from mock_server.core.clock import Clock
from mock_server.core.encoding import param_json
from mock_server.core.errors import InvalidParameters
from mock_server.core.settings import Settings
from mock_server.families.account.backend import ACCOUNT, Account
from mock_server.families.family import Backend, BackendKey, Parts
from mock_server.families.jobs.backend import JOBS
from mock_server.families.jobs.store import JobStore
from mock_server.families.music.backend import MUSIC, Music
from mock_server.families.music.tracks import Track
from mock_server.families.sync_ops.wire import (
    BoostStyleRequest,
    PersonaRequest,
    TimestampedLyricsRequest,
)

__all__ = [
    "BOOST_STYLE_COST",
    "SYNC_OPS",
    "SyncOps",
    "aligned_words",
    "build",
]

BOOST_STYLE_COST = 0.4
"""What boost style costs (the docs' example: creditsConsumed 0.4)."""

BOOST_WORDS = (
    "airy female vocals", "warm analog synth pads", "slow-building drums", "minor key",
    "wide stereo reverb", "punchy bass", "intimate close-mic vocals", "lush strings",
)  # fmt: skip


class SyncOps(Backend):
    """Personas (one per audio id) and the answers computed on the spot."""

    def __init__(
        self, settings: Settings, clock: Clock, account: Account, music: Music, ids: JobStore
    ) -> None:
        self.settings, self.clock, self.account, self.music = settings, clock, account, music
        self._ids = ids
        """Where fresh ids come from (the jobs' seeded sequence)."""
        self.personas: OrderedDict[str, dict[str, str]] = OrderedDict()
        """Audio id -> its persona; bounded like the tasks (oldest forgotten first)."""

    def persona(self, body: PersonaRequest) -> dict[str, str]:
        """Generate Persona: one per audio id; calling again overwrites name and description."""
        _, track = self.music.finished_track(body.taskId, body.audioId)
        if body.vocalEnd > track.duration:
            raise InvalidParameters(
                f"vocalEnd: must lie within the track ({track.duration:g} s), got {body.vocalEnd:g}"
            )
        known = self.personas.get(track.id)
        persona_id = known["personaId"] if known else self._ids.new_id("persona")[:12]
        self.personas[track.id] = {
            "personaId": persona_id, "name": body.name, "description": body.description,
        }  # fmt: skip
        limit = self.settings.task_limit
        if limit is not None and len(self.personas) > limit:
            self.personas.popitem(last=False)
        return self.personas[track.id]

    def timestamped_lyrics(self, body: TimestampedLyricsRequest) -> dict[str, Any]:
        """Get Timestamped Lyrics: the track's words spread over its length."""
        _, track = self.music.finished_track(body.taskId, body.audioId)
        return aligned_words(track)

    def boost_style(self, body: BoostStyleRequest, raw: dict[str, Any]) -> dict[str, Any]:
        """Boost Music Style: an expanded style text, answered at once."""
        self.account.charge(BOOST_STYLE_COST)
        task_id = self._ids.new_id("style")
        extra = ", ".join(random.Random(task_id).sample(BOOST_WORDS, 3))  # noqa: S311
        return {
            "taskId": task_id, "param": param_json(raw, ascii_only=True),
            "result": f"{body.content.strip()}, {extra}", "creditsConsumed": BOOST_STYLE_COST,
            "creditsRemaining": self.account.credits, "successFlag": "1", "errorCode": None,
            "errorMessage": None, "createTime": int(self.clock.now() * 1000),
        }  # fmt: skip


def aligned_words(track: Track) -> dict[str, Any]:
    """`data` of get-timestamped-lyrics: words over the first 90 % of the track."""
    words = track.prompt.split(" ") if track.prompt else []
    step = track.duration * 0.9 / max(1, len(words))
    rng = random.Random(track.id)  # noqa: S311 - not crypto
    aligned = [
        {"word": word, "success": True, "startS": round(i * step, 2),
         "endS": round((i + 1) * step, 2), "palign": 0}
        for i, word in enumerate(words)
    ]  # fmt: skip
    return {
        "alignedWords": aligned,
        "waveformData": [round(rng.random(), 2) for _ in range(64)],
        "hootCer": round(rng.uniform(0.1, 0.4), 2),
        "isStreamed": False,
    }


def build(parts: Parts) -> SyncOps:
    """The sync_ops backend, with nothing in it."""
    return SyncOps(
        parts.settings, parts.clock, ACCOUNT.among(parts.backends), MUSIC.among(parts.backends),
        JOBS.among(parts.backends).store,
    )  # fmt: skip


SYNC_OPS = BackendKey("sync_ops", SyncOps)
"""How the sync ops handlers reach this backend."""
