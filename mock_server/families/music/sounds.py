"""POST /api/v1/generate/sounds: sound effects and loops."""

from __future__ import annotations

import hashlib
import random
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StrictBool, StrictStr, model_validator

from mock_server.core.catalog import Model, Operation
from mock_server.core.wire import OptionalUrl, Whole, WireBody, max_len, require
from mock_server.scripting.request import TrackRequest

__all__ = ["SoundKey", "SoundsRequest"]

SoundKey = Literal[
    "Any", "Cm", "C#m", "Dm", "D#m", "Em", "Fm", "F#m", "Gm", "G#m", "Am", "A#m", "Bm",
    "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B",
]  # fmt: skip


class SoundsRequest(WireBody):
    """POST /api/v1/generate/sounds: sound effects and loops, polled through the music
    record-info; `callBackUrl` is optional here."""

    operation: ClassVar[Operation] = "sounds"

    prompt: StrictStr
    model: Model
    callBackUrl: OptionalUrl = None
    soundLoop: StrictBool = False
    soundTempo: Annotated[Whole, Field(ge=1, le=300)] | None = None
    soundKey: SoundKey = "Any"
    grabLyrics: StrictBool = False

    @model_validator(mode="after")
    def _rules(self) -> SoundsRequest:
        require("(what the sound should be)", prompt=self.prompt)
        max_len(self.model, 500, "prompt", self.prompt)
        return self

    def upload_urls(self) -> list[str]:
        return []

    def tracks(self, seed: int) -> TrackRequest:
        """Short instrumental clips: a loop lasts 4-13 s, a one-shot 1-4 s (seeded by the
        server's seed and the request: the same request gives the same lengths)."""
        text = f"{seed}/{self.model_dump_json()}"
        digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
        rng = random.Random(int.from_bytes(digest))  # noqa: S311 - not crypto
        low, high = (4.0, 13.0) if self.soundLoop else (1.0, 4.0)
        tags = ["loop" if self.soundLoop else "one-shot"]
        if self.soundTempo is not None:
            tags.append(f"{self.soundTempo} BPM")
        if self.soundKey != "Any":
            tags.append(self.soundKey)
        return TrackRequest(
            model=self.model,
            style=", ".join(tags),
            instrumental=True,
            durations=tuple(round(rng.uniform(low, high), 2) for _ in range(2)),
        )
