"""The track builder draws titles, tags and lyrics exactly as Faker's own calls would.

The builder skips Faker's layers for speed (docs/performance.md, "Tracks without Faker's
layers"); the text it makes must stay what those
Faker calls made, so a seed keeps giving the same bytes across versions of the mock.
"""

from __future__ import annotations

import asyncio
import random
import uuid

import aiohttp
from faker import Faker

from mock_server import MockServer, ScaledClock, Settings, StageDelays
from mock_server.catalog import CHIRP_NAMES
from mock_server.tracks import (
    GENRES,
    MOODS,
    NOUNS,
    SONG_MAX_SECONDS,
    SONG_MIN_SECONDS,
    Track,
    TrackFactory,
)
from mock_server.wire.music import TrackRequest
from tests.helpers import generate_body


def faker_tracks(fake: Faker, rng: random.Random, request: TrackRequest) -> list[Track]:
    """The builder as it was written with Faker's calls (the reference)."""
    fake.seed_instance(rng.getrandbits(64))
    if request.title:
        title = request.title
    else:
        pattern = fake.random_int(0, 3)
        noun = fake.random_element(NOUNS)
        if pattern == 0:
            title = f"{fake.random_element(MOODS).title()} {noun}"
        elif pattern == 1:
            title = f"{noun} over {fake.city()}"
        elif pattern == 2:
            title = f"{fake.first_name()}'s {noun}"
        else:
            title = f"{fake.color_name()} {noun}"
    tags = request.style or ", ".join(
        [fake.random_element(MOODS), *fake.random_elements(GENRES, length=2, unique=True)]
    )
    if request.instrumental:
        prompt = ""
    else:
        lines = [str(fake.sentence(nb_words=6)).rstrip(".") for _ in range(6)]
        verse, chorus = "\n".join(lines[:4]), "\n".join(lines[4:])
        prompt = request.lyrics or f"[Verse]\n{verse}\n\n[Chorus]\n{chorus}"
    tracks = []
    for index in range(request.count):
        track_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        new_part = rng.uniform(SONG_MIN_SECONDS, SONG_MAX_SECONDS)
        if request.continue_at is not None:
            new_part = request.continue_at + rng.uniform(60.0, 150.0)
        if index < len(request.durations):
            new_part = request.durations[index]
        tracks.append(
            Track(
                id=track_id,
                title=title,
                tags=tags,
                prompt=prompt,
                model_name=CHIRP_NAMES.get(request.model, "chirp-v4"),
                duration=round(new_part, 2),
                create_time_ms=7,
            )
        )
    return tracks


def test_tracks_match_fakers_own_calls() -> None:
    factory = TrackFactory(seed=3)
    fake = Faker("en_US")
    requests = [
        TrackRequest(model="V4"),
        TrackRequest(model="V5", instrumental=True),
        TrackRequest(model="V4_5", title="Given", style="jazz", count=3, continue_at=30.0),
        TrackRequest(model="V4", lyrics="[Verse]\nmine", durations=(12.5,)),
    ]
    titles = set()
    for number in range(1, 1500):
        task_id = factory.task_id(number)
        for request in requests:
            made = factory.tracks(factory.task_random(task_id), request, 7)
            assert made == faker_tracks(fake, factory.task_random(task_id), request)
        titles.add(made[0].title)
    # every title pattern came up (the Faker-made city, first name and colour ones included)
    assert any(" over " in title for title in titles)
    assert any("'s " in title for title in titles)


async def test_tracks_built_early_on_a_running_clock() -> None:
    """On a real-time clock a task's tracks are built halfway to its first stage that sends
    them (not while tasks due together wait), and they are the tracks the seed decides."""
    settings = Settings(stage_delays=StageDelays(text=3, first=4, complete=5), rate_limit=None)
    async with (
        MockServer(settings, clock=ScaledClock(0.05)) as server,
        aiohttp.ClientSession(headers={"Authorization": "Bearer k"}) as http,
    ):
        body = generate_body(
            "http://127.0.0.1:9/cb", customMode=False, prompt="rain", title=None, style=None
        )
        async with http.post(server.url + "/api/v1/generate", json=body) as resp:
            task_id = (await resp.json())["data"]["taskId"]
        task = server.engine.music.store.get(task_id)
        assert task is not None
        assert not task.tracks_built  # not at submit: the accept stays cheap
        for _ in range(100):  # built at 2 mock s = 0.1 real s; the first stage is at 0.2 s
            if task.tracks_built:
                break
            await asyncio.sleep(0.01)
        assert task.tracks_built
        assert task.stage in (None, "text")  # before the first stage needed them
        factory = TrackFactory(settings.seed)
        again = factory.tracks(factory.task_random(task_id), task.spec, int(task.created_at * 1000))
        assert task._tracks == again


async def test_reset_forgets_early_builds() -> None:
    settings = Settings(
        stage_delays=StageDelays(text=300, first=400, complete=500), rate_limit=None
    )
    async with (
        MockServer(settings, clock=ScaledClock(1.0)) as server,
        aiohttp.ClientSession(headers={"Authorization": "Bearer k"}) as http,
    ):
        body = generate_body(
            "http://127.0.0.1:9/cb", customMode=False, prompt="rain", title=None, style=None
        )
        async with http.post(server.url + "/api/v1/generate", json=body) as resp:
            assert (await resp.json())["code"] == 200
        assert len(server.engine.music.store._early) == 1
        await server.engine.reset()
        assert server.engine.music.store._early == []
        assert server.engine.music.store._early_timer is None
