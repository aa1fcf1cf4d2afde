"""A stage callback's bytes, put together from a body cut where the base URL goes and kept for
the next task with the same tracks (`payloads.stage_bytes`), are the bytes of encoding the
body `stage_callback` builds, for every text a client can send and every base URL."""

from __future__ import annotations

import random
from typing import Any

import pytest

from mock_server.core.catalog import Stage
from mock_server.core.encoding import encode, encode_built
from mock_server.core.memo import forget_memos
from mock_server.core.settings import Settings
from mock_server.families.music import payloads, tracks
from mock_server.families.music.payloads import stage_bytes, stage_callback
from mock_server.families.music.store import Task, TaskStore
from mock_server.families.music.tracks import TrackFactory
from mock_server.scripting.request import TrackRequest
from mock_server.scripting.script import compile_script

STAGES: tuple[Stage, ...] = ("text", "first", "complete")
TEXTS = [
    None,
    "",
    "plain",
    'quote " and backslash \\ and \\u0000 written out',
    "controls \x00\x01\x1f\n\t\r and \u2028\u2029",
    "é ü 漢字 😀 \ud7ff",
    '","audio_url":"http://evil.invalid',
]
BASES = [
    "http://127.0.0.1:8080",
    "https://files.example.test/a b",
    'http://host.invalid/"quoted"\\',
    "http://xn--bcher-kva.example:1/ünï😀",
    "",
]


def _task(
    store: TaskStore, settings: Settings, request: TrackRequest, base_url: str, now: float = 0.0
) -> Task:
    return store.create(
        operation="generate", request={"prompt": "a"}, tracks=request, callback_url="",
        base_url=base_url, now=now, script=compile_script(None, settings),
    )  # fmt: skip


def _reference(task: Task, stage: Stage) -> bytes:
    body = encode_built(stage_callback(task, stage, task.script.settings))
    assert body == encode(stage_callback(task, stage, task.script.settings))
    return body


@pytest.mark.parametrize("fmt", ["epoch_ms", "string"])
@pytest.mark.parametrize("text_tracks", [False, True])
@pytest.mark.parametrize("base_url", BASES)
def test_stage_bodies_are_the_encoded_callbacks(fmt: str, text_tracks: bool, base_url: str) -> None:
    settings = Settings(create_time_format=fmt, text_callback_tracks=text_tracks)
    store = TaskStore(TrackFactory(3))
    for text in TEXTS:
        request = TrackRequest("V4_5", title=text, style=text, lyrics=text, count=3)
        task = _task(store, settings, request, base_url)
        for stage in STAGES:
            for _ in range(3):  # made, cut, found
                assert stage_bytes(task, stage) == _reference(task, stage)


def test_a_kept_body_serves_another_server_s_task_with_its_own_base_url() -> None:
    """Two servers of one seed make the same first task: the second finds the first's body,
    written with its own base URL."""
    forget_memos()
    settings = Settings()
    request = TrackRequest("V5", title="Same", style="same")
    first = _task(TaskStore(TrackFactory(9)), settings, request, "http://127.0.0.1:1111")
    second = _task(TaskStore(TrackFactory(9)), settings, request, "http://127.0.0.1:2222")
    assert first.id == second.id
    made = stage_bytes(first, "complete")
    assert stage_bytes(first, "complete") == made  # seen again: cut
    assert len(tracks.MADE) == 1
    assert len(payloads.BODIES) == 1
    found = stage_bytes(second, "complete")
    assert second.tracks is first.tracks  # made once
    assert len(payloads.BODIES) == 1  # cut once
    assert found == _reference(second, "complete") != made
    assert found.count(b"127.0.0.1:2222") == 12
    assert b"1111" not in found


def test_a_different_request_or_time_is_not_served_another_s_tracks() -> None:
    settings = Settings()
    base = TrackRequest("V4", title="A", style="b", durations=(120.0, 130.0))
    variants = [
        base,
        TrackRequest("V4", title="A", style="b", durations=(120, 130)),  # written as given
        TrackRequest("V4", title="A", style="c", durations=(120.0, 130.0)),
        TrackRequest("V4_5", title="A", style="b", durations=(120.0, 130.0)),
    ]
    bodies = set()
    for request in variants:
        for now in (0.0, 1.0):
            task = _task(TaskStore(TrackFactory(5)), settings, request, "http://h")
            task.created_at = now
            body = stage_bytes(task, "complete")
            assert stage_bytes(task, "complete") == body == _reference(task, "complete")
            bodies.add(body)
    assert len(bodies) == len(variants) * 2


def test_random_texts_and_bases() -> None:
    draw = random.Random(2026)
    alphabet = ['"', "\\", "\x00", "\x1f", "\n", "a", "é", "😀", "/", "u", "0", " "]
    for _ in range(200):

        def text() -> Any:
            return "".join(draw.choice(alphabet) for _ in range(draw.randrange(0, 12)))

        settings = Settings(text_callback_tracks=draw.random() < 0.5)
        request = TrackRequest("V5", title=text(), style=text(), lyrics=text(), count=2)
        task = _task(TaskStore(TrackFactory(draw.randrange(3))), settings, request, text())
        for stage in STAGES:
            for _ in range(3):
                assert stage_bytes(task, stage) == _reference(task, stage)


def test_memos_are_bounded_and_emptied_by_forget() -> None:
    forget_memos()
    settings = Settings()
    for number in range(tracks.MADE.entries + 5):
        task = _task(TaskStore(TrackFactory(number)), settings, TrackRequest("V5"), "http://h")
        stage_bytes(task, "first")
    assert 0 < len(tracks.MADE) <= tracks.MADE.entries
    assert tracks.MADE.held_bytes <= tracks.MADE.max_bytes
    assert 0 < len(payloads.BODIES) <= payloads.BODIES.entries
    forget_memos()
    assert len(tracks.MADE) == len(payloads.BODIES) == 0
    assert tracks.MADE.held_bytes == payloads.BODIES.held_bytes == 0
