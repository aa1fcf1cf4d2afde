"""Tracks: what a seed gives, byte for byte, and when a task's tracks are built.

Titles, tags, lyrics and ids come from the seed and the mock's own word lists only, so the pinned
values below hold on every Python and with any version of the dependencies; a change to them
changes every seeded payload users may have pinned, and must be deliberate.
"""

from __future__ import annotations

import asyncio

import aiohttp

from mock_server import MockServer, ScaledClock, Settings, StageDelays
from mock_server.families.jobs.kinds import kind_of
from mock_server.families.jobs.store import Job
from mock_server.families.music.tracks import TrackFactory
from mock_server.families.voice.payloads import validation_phrase
from mock_server.scripting.request import TrackRequest
from tests.helpers import generate_body


def test_a_seed_gives_these_tracks() -> None:
    factory = TrackFactory(seed=7)
    first_id, second_id = factory.task_id(1), factory.task_id(2)
    first = factory.tracks(factory.task_random(first_id), TrackRequest(model="V4"), 0)
    second = factory.tracks(factory.task_random(second_id), TrackRequest(model="V4"), 0)

    assert first_id == "6348f14e343fc152461f9bbc8f823426"
    assert [(t.id, t.duration) for t in first] == [
        ("47283a8c-7624-4b7e-97bb-0357dd3dd942", 236.16),
        ("578306b7-3b47-4d30-80f1-36f4665c1782", 219.52),
    ]
    assert (first[0].title, first[0].tags) == (
        "Moon over Oakridge",
        "euphoric, trap, acoustic folk",
    )
    assert first[0].prompt == (
        "[Verse]\nClose float midnight open summer night day\nRain drive broken day over rain young"
        "\nSummer fly heavy arms fire world open\nDrive again tonight wind city stars low\n\n"
        "[Chorus]\nBefore every forever burn take begin\nFade sun run angel light feel eyes"
    )
    assert first[1].prompt == first[0].prompt
    assert second_id == "0fed82d170f63fc7bc9d5387360afb38"
    assert (second[0].id, second[0].title) == (
        "2e4bcb60-72bc-433b-a845-656b25265ec9",
        "Felix's Highway",
    )


def test_every_title_pattern_comes_up() -> None:
    factory = TrackFactory(seed=3)
    titles = {
        factory.tracks(factory.task_random(factory.task_id(n)), TrackRequest(model="V4"), 0)[
            0
        ].title
        for n in range(1, 200)
    }
    assert any(" over " in title for title in titles)
    assert any("'s " in title for title in titles)
    assert len(titles) > 150


def test_a_job_id_gives_these_lyrics_and_phrase() -> None:
    job_id = "5e1f0ad0c3b54e4b9a0c6b1d2e3f4a5b"
    job = Job(job_id, "lyrics", {}, "", "http://127.0.0.1:1", 0.0)
    lyrics = kind_of(job).body(job)["data"]["data"]

    assert [item["title"] for item in lyrics] == ["Bright Balanced Answer"] * 2
    assert lyrics[0]["text"] == (
        "[Verse]\nCold home come call city wild\nArms soul little day\n"
        "Little burn call never arms rise\nBlue city free world\n\n"
        "[Chorus]\nHere soul light water\nWild wings breathe"
    )
    assert lyrics[1]["text"] != lyrics[0]["text"]
    assert validation_phrase(job_id, 1) == "Storm gone river after burn day"


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
        old = server.engine.music
        assert len(old._early) == 1
        await server.engine.reset()
        assert len(old._early) == 0
        assert old._early._timer is None
        assert len(server.engine.music._early) == 0


def test_track_ids_are_the_text_of_a_version_4_uuid() -> None:
    import random
    import uuid

    from mock_server.families.music.tracks import uuid4_text

    draw = random.Random(3)
    edges = [0, (1 << 128) - 1, 0xC000 << 48, 0xF000 << 64]
    for bits in [*edges, *(draw.getrandbits(128) for _ in range(5000))]:
        assert uuid4_text(bits) == str(uuid.UUID(int=bits, version=4)), hex(bits)
