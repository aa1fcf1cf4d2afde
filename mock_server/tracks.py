"""Seeded builders for task ids, track ids, titles, tags, lyrics and durations.

The n-th task of a server gets an id hashed from (seed, n) and a random stream seeded by that id,
so it has the same ids and data whatever else happened before it (callbacks, polling, timing),
and tracks can be built lazily, when first needed. One Faker instance is re-seeded per task
(Faker is costly to build, cheap to re-seed). Lyrics, tags and title patterns draw from that
instance's random stream directly, exactly as Faker's own `sentence`, `random_element`,
`random_elements(unique=True)` and `random_int` would (same draws, same text: a test compares
them with Faker's), without Faker's layers, which cost 3/4 of a task's build.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from dataclasses import dataclass

from faker import Faker

from mock_server.catalog import CHIRP_NAMES
from mock_server.wire.music import TrackRequest

__all__ = ["Track", "TrackFactory"]

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


class TrackFactory:
    """Makes deterministic ids and tracks from one seed."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._faker = Faker("en_US")
        self._words: tuple[str, ...] = tuple(self._faker.get_words_list())
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

    def tracks(self, rng: random.Random, request: TrackRequest, created_ms: int) -> list[Track]:
        """Build `count` tracks sharing title, tags and lyrics, each with its own id/duration."""
        fake = self._faker
        fake.seed_instance(rng.getrandbits(64))
        draw: random.Random = fake.random
        title = request.title or self._title(fake, draw)
        # = fake.random_element(MOODS), *fake.random_elements(GENRES, length=2, unique=True)
        tags = request.style or ", ".join([draw.choice(MOODS), *draw.sample(GENRES, 2)])
        prompt = "" if request.instrumental else request.lyrics or self._lyrics(draw)
        model_name = CHIRP_NAMES.get(request.model, "chirp-v4")
        tracks = []
        for index in range(request.count):
            track_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
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
        return tracks

    @staticmethod
    def _title(fake: Faker, draw: random.Random) -> str:
        pattern = draw.randrange(0, 4)  # = fake.random_int(0, 3)
        noun = draw.choice(NOUNS)  # = fake.random_element(NOUNS)
        if pattern == 0:
            return f"{draw.choice(MOODS).title()} {noun}"
        if pattern == 1:
            return f"{noun} over {fake.city()}"
        if pattern == 2:
            return f"{fake.first_name()}'s {noun}"
        return f"{fake.color_name()} {noun}"

    def _line(self, draw: random.Random) -> str:
        """= fake.sentence(nb_words=6) without its final period."""
        count = max(1, int(6 * draw.randint(60, 140) / 100))
        words = [draw.choice(self._words)] if count == 1 else draw.choices(self._words, k=count)
        words[0] = words[0].title()
        return " ".join(words)

    def _lyrics(self, draw: random.Random) -> str:
        verse = "\n".join([self._line(draw) for _ in range(4)])
        chorus = "\n".join([self._line(draw) for _ in range(2)])
        return f"[Verse]\n{verse}\n\n[Chorus]\n{chorus}"
