"""Seeded builders for task ids, track ids, titles, tags, lyrics and durations.

Every task gets its own random stream derived from (seed, task number), so the n-th task of a
server has the same ids and data whatever else happened before it (callbacks, polling, timing).
One Faker instance is re-seeded per task (Faker is costly to build, cheap to re-seed).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

from faker import Faker

from mock_server.catalog import CHIRP_NAMES

__all__ = ["Track", "TrackFactory", "TrackRequest"]

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


@dataclass(frozen=True)
class TrackRequest:
    """What a submitted request says about the tracks to build."""

    model: str
    title: str | None = None
    style: str | None = None
    lyrics: str | None = None
    instrumental: bool = False
    continue_at: float | None = None
    """Extends: the new track keeps this much of the source, then adds a new part."""


@dataclass(frozen=True)
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

    def task_random(self, number: int) -> random.Random:
        """The random stream of the `number`-th task (string seeds hash the same in every run)."""
        return random.Random(f"suno-mock/{self.seed}/{number}")  # noqa: S311 - not crypto

    @staticmethod
    def task_id(rng: random.Random) -> str:
        """32 lowercase hex digits, like the real task ids."""
        return f"{rng.getrandbits(128):032x}"

    def tracks(
        self, rng: random.Random, request: TrackRequest, created_ms: int, count: int = 2
    ) -> list[Track]:
        """Build `count` tracks sharing title, tags and lyrics, each with its own id/duration."""
        fake = self._faker
        fake.seed_instance(rng.getrandbits(64))
        title = request.title or self._title(fake)
        tags = request.style or ", ".join(
            [fake.random_element(MOODS), *fake.random_elements(GENRES, length=2, unique=True)]
        )
        prompt = "" if request.instrumental else request.lyrics or self._lyrics(fake)
        model_name = CHIRP_NAMES.get(request.model, "chirp-v4")
        tracks = []
        for _ in range(count):
            track_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            new_part = rng.uniform(SONG_MIN_SECONDS, SONG_MAX_SECONDS)
            if request.continue_at is not None:
                new_part = request.continue_at + rng.uniform(60.0, 150.0)
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
    def _title(fake: Faker) -> str:
        pattern = fake.random_int(0, 3)
        noun = fake.random_element(NOUNS)
        if pattern == 0:
            return f"{fake.random_element(MOODS).title()} {noun}"
        if pattern == 1:
            return f"{noun} over {fake.city()}"
        if pattern == 2:
            return f"{fake.first_name()}'s {noun}"
        return f"{fake.color_name()} {noun}"

    @staticmethod
    def _lyrics(fake: Faker) -> str:
        def line() -> str:
            return str(fake.sentence(nb_words=6)).rstrip(".")

        verse = "\n".join(line() for _ in range(4))
        chorus = "\n".join(line() for _ in range(2))
        return f"[Verse]\n{verse}\n\n[Chorus]\n{chorus}"
