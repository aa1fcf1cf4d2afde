"""Seeded builders for task ids, track ids, titles, tags, lyrics and durations.

The n-th task of a server gets an id hashed from (seed, n) and a random stream seeded by that id,
so it has the same ids and data whatever else happened before it (callbacks, polling, timing),
and tracks can be built lazily, when first needed. Titles, tags and lyrics come from a second
stream seeded from the first and from the mock's own word lists (mock_server.core.words), so they do
not depend on the versions installed.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

from mock_server.core import words
from mock_server.core.catalog import CHIRP_NAMES
from mock_server.core.memo import Memo
from mock_server.scripting.request import TrackRequest

__all__ = ["MADE", "Track", "TrackFactory", "tracks_size", "uuid4_text"]

GENRES = (
    "indie pop",
    "synthwave",
    "lofi hip hop",
    "dream pop",
    "acoustic folk",
    "deep house",
    "bossa nova",
    "alt rock",
    "neo soul",
    "trap",
    "jazz fusion",
    "ambient",
    "disco",
    "post-punk",
    "r&b",
    "cinematic orchestral",
    "drum and bass",
    "country",
)
MOODS = (
    "dreamy",
    "melancholic",
    "upbeat",
    "warm",
    "gritty",
    "euphoric",
    "haunting",
    "laid-back",
    "driving",
    "bittersweet",
    "airy",
    "dark",
)
NOUNS = (
    "Moon",
    "Rivers",
    "Highway",
    "Echoes",
    "Lanterns",
    "Static",
    "Harbor",
    "Satellites",
    "Embers",
    "Skyline",
    "Tides",
    "Neon",
    "Gardens",
    "Letters",
    "Horizon",
    "Shadows",
)
SONG_MIN_SECONDS = 120.0
SONG_MAX_SECONDS = 240.0


_VERSION_4 = ~(0xC000 << 48 | 0xF000 << 64) & (1 << 128) - 1
_VARIANT_4 = 0x8000 << 48 | 4 << 76


def uuid4_text(bits: int) -> str:
    """`str(uuid.UUID(int=bits, version=4))`, without making the UUID object (a third of
    a task's tracks' cost; see docs/performance.md, "Per-callback pieces")."""
    digits = "%032x" % (bits & _VERSION_4 | _VARIANT_4)
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


@dataclass(frozen=True, slots=True)
class Track:
    """One generated song; URLs are derived from `id` when serialised."""

    id: str
    title: str
    tags: str
    prompt: str
    model_name: str
    duration: float
    create_time_ms: int


def tracks_size(tracks: tuple[Track, ...]) -> int:
    """About how many bytes a task's tracks hold (they share one title, tags and lyrics)."""
    if not tracks:
        return 64
    first = tracks[0]
    return len(first.title) + len(first.tags) + len(first.prompt) + 300 * len(tracks)


MADE: Memo[tuple[object, ...], tuple[Track, ...]] = Memo(256, 1 << 21)
"""Tracks made, by task id, request and creation time (at most 256 entries, about 2 MiB)."""


class TrackFactory:
    """Makes deterministic ids and tracks from one seed."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._id_prefix = hashlib.blake2b(f"suno-mock/{seed}/".encode(), digest_size=16)

    def task_id(self, number: int) -> str:
        """The `number`-th task's id: 32 lowercase hex digits, like the real ones."""
        digest = self._id_prefix.copy()  # blake2b of f"suno-mock/{seed}/{number}"
        digest.update(b"%d" % number)
        return digest.hexdigest()

    @staticmethod
    def task_random(task_id: str) -> random.Random:
        """The random stream a task's tracks are drawn from."""
        seed = hashlib.blake2b(task_id.encode(), digest_size=16).digest()
        return random.Random(int.from_bytes(seed))  # noqa: S311 - not crypto

    def made(self, task_id: str, request: TrackRequest, created_ms: int) -> tuple[Track, ...]:
        """The tracks of task `task_id`, made from `request` at `created_ms`: the same tuple
        for the same three, made once in the process (`MADE`: a suite's tests submit the same
        request on servers with the same seed, and seeding the two random streams is half of
        the making; see docs/performance.md, "Tracks and bodies made once")."""
        durations = request.durations
        key = (
            task_id, created_ms, request.model, request.title, request.style, request.lyrics,
            request.instrumental, request.continue_at, request.count, request.duration,
            request.spread,
            # A fixed duration is written as given: 120 and 120.0 are two bodies.
            tuple([(type(d), d) for d in durations]) if durations else (),
        )  # fmt: skip
        found = MADE.get(key)
        if found is not None:
            return found
        made = self.tracks(self.task_random(task_id), request, created_ms)
        return MADE.put(key, made, tracks_size(made))

    def tracks(
        self, rng: random.Random, request: TrackRequest, created_ms: int
    ) -> tuple[Track, ...]:
        """Build `count` tracks sharing title, tags and lyrics, each with its own id/duration."""
        draw = random.Random(rng.getrandbits(64))  # noqa: S311 - not crypto
        title = request.title or self._title(draw)
        tags = request.style or ", ".join([draw.choice(MOODS), *draw.sample(GENRES, 2)])
        prompt = "" if request.instrumental else request.lyrics or self._lyrics(draw)
        model_name = CHIRP_NAMES.get(request.model, "chirp-v4")
        tracks = []
        for index in range(request.count):
            track_id = uuid4_text(rng.getrandbits(128))
            new_part = rng.uniform(SONG_MIN_SECONDS, SONG_MAX_SECONDS)
            if request.continue_at is not None:
                new_part = request.continue_at + rng.uniform(60.0, 150.0)
            elif request.duration is not None:  # "Audio duration in seconds": what was asked
                new_part = request.duration + rng.uniform(-request.spread, request.spread)
            if index < len(request.durations):
                new_part = request.durations[index]
            tracks.append(
                Track(
                    id=track_id,
                    title=title,
                    tags=tags,
                    prompt=prompt,
                    model_name=model_name,
                    duration=round(new_part, 2),
                    create_time_ms=created_ms,
                )
            )
        return tuple(tracks)

    @staticmethod
    def _title(draw: random.Random) -> str:
        pattern = draw.randrange(0, 4)
        noun = draw.choice(NOUNS)
        if pattern == 0:
            return f"{draw.choice(MOODS).title()} {noun}"
        if pattern == 1:
            return f"{noun} over {draw.choice(words.CITIES)}"
        if pattern == 2:
            return f"{draw.choice(words.FIRST_NAMES)}'s {noun}"
        return f"{draw.choice(words.COLORS)} {noun}"

    @staticmethod
    def _lyrics(draw: random.Random) -> str:
        verse = "\n".join([words.line(draw, 6) for _ in range(4)])
        chorus = "\n".join([words.line(draw, 6) for _ in range(2)])
        return f"[Verse]\n{verse}\n\n[Chorus]\n{chorus}"
