"""The exact JSON the real API emits for music tasks: callback bodies and record-info data.

Two naming styles, kept exact (docs/api.md, "Callbacks", "Task details"): callbacks carry
`data.task_id` and snake_case tracks (but camelCase `createTime`); record-info carries `taskId`
and camelCase tracks.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from mock_server.core.catalog import Stage
from mock_server.core.encoding import encode_built, encode_text
from mock_server.core.memo import Memo
from mock_server.core.settings import CreateTimeFormat, Settings
from mock_server.families.music.store import Task
from mock_server.families.music.tracks import Track, tracks_size
from mock_server.media.urls import track_urls

__all__ = [
    "BODIES",
    "CALLBACK_MESSAGES",
    "StageBytes",
    "error_callback",
    "record_info",
    "stage_bytes",
    "stage_callback",
]

CALLBACK_MESSAGES: dict[str, str] = {
    "text": "Text generation completed.",
    "first": "First audio generated successfully.",
    "complete": "All generated successfully.",
}


def _create_time(track: Track, fmt: CreateTimeFormat) -> int | str:
    if fmt == "epoch_ms":
        return track.create_time_ms
    moment = datetime.fromtimestamp(track.create_time_ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _done_tracks(task: Task, stage: str | None) -> int:
    """How many of the task's tracks have their download ready at a stage."""
    if stage == "complete":
        return len(task.tracks)
    if stage == "first":
        return 1
    return 0


_URL_FIELDS = frozenset(
    ("audio_url", "source_audio_url", "stream_audio_url", "source_stream_audio_url", "image_url",
     "source_image_url")
)  # fmt: skip
"""The fields of a callback's track that `_callback_track` fills from `track_urls`."""


def _callback_track(track: Track, done: bool, settings: Settings, base_url: str) -> dict[str, Any]:
    urls = track_urls(base_url, track.id)
    item: dict[str, Any] = {"id": track.id, "audio_url": urls.audio if done else ""}
    if done:
        item["source_audio_url"] = urls.source_audio
    item |= {
        "stream_audio_url": urls.stream,
        "source_stream_audio_url": urls.source_stream,
        "image_url": urls.image,
        "source_image_url": urls.source_image,
        "prompt": track.prompt,
        "model_name": track.model_name,
        "title": track.title,
        "tags": track.tags,
        "createTime": _create_time(track, settings.create_time_format),
    }
    if done:
        item["duration"] = track.duration
    return item


def stage_callback(
    task: Task, stage: Stage, settings: Settings, base_url: str | None = None
) -> dict[str, Any]:
    """The body POSTed to callBackUrl when `task` reaches `stage` (text, first or complete);
    its URLs start with `base_url` (default: the task's)."""
    base = task.base_url if base_url is None else base_url
    if stage == "text" and not settings.text_callback_tracks:
        items: list[dict[str, Any]] = []
    else:
        done = _done_tracks(task, stage)
        items = [
            _callback_track(track, i < done, settings, base) for i, track in enumerate(task.tracks)
        ]
    return {
        "code": 200,
        "msg": CALLBACK_MESSAGES[stage],
        "data": {"callbackType": stage, "task_id": task.id, "data": items},
    }


def error_callback(task: Task, code: int, msg: str, *, empty_list: bool) -> dict[str, Any]:
    """The `error` callback: sunoapi.org sends `data.data: null`, KIE sends `[]`."""
    return {
        "code": code,
        "msg": msg,
        "data": {"callbackType": "error", "task_id": task.id, "data": [] if empty_list else None},
    }


def _record_track(task: Task, track: Track, done: bool, settings: Settings) -> dict[str, Any]:
    urls = track_urls(task.base_url, track.id)
    return {
        "id": track.id,
        "audioUrl": urls.audio if done else "",
        "sourceAudioUrl": urls.source_audio if done else None,
        "streamAudioUrl": urls.stream,
        "sourceStreamAudioUrl": urls.source_stream,
        "imageUrl": urls.image,
        "sourceImageUrl": urls.source_image,
        "prompt": track.prompt,
        "modelName": track.model_name,
        "title": track.title,
        "tags": track.tags,
        "createTime": _create_time(track, settings.create_time_format),
        "duration": track.duration if done else None,
    }


def record_info(task: Task, settings: Settings) -> dict[str, Any]:
    """`data` of GET /api/v1/generate/record-info for `task` as it is now."""
    response = None
    if task.stage is not None:
        done = _done_tracks(task, task.stage)
        response = {
            "taskId": task.id,
            "sunoData": [
                _record_track(task, track, i < done, settings)
                for i, track in enumerate(task.tracks)
            ],
        }
    return {
        "taskId": task.id,
        "parentMusicId": task.parent_music_id,
        "param": task.param,
        "response": response,
        "status": task.status,
        "type": task.tracks[0].model_name if task.tracks else "",
        "operationType": task.operation,
        "errorCode": task.error_code,
        "errorMessage": task.error_message,
        "createTime": int(task.created_at) * 1000,  # whole seconds, as in real answers
    }


def stage_bytes(task: Task, stage: Stage) -> bytes:
    """The bytes of `task`'s `stage` callback, as its script's settings make them: those of
    `stage_callback`. Asked for again with the same tracks (another server's first task, same
    seed and request), they are put together from the body cut where the base URL goes
    (`_cut`, kept in `BODIES`; see docs/performance.md, "Tracks and bodies made once")."""
    settings = task.script.settings
    if stage == "text" and not settings.text_callback_tracks:  # no tracks: nothing to keep
        return encode_built(stage_callback(task, stage, settings))
    tracks = task.tracks  # the same tuple for the same task id, request and time (`MADE`)
    key = (id(tracks), task.id, stage, settings.create_time_format)
    found = BODIES.get(key)
    if found is None or found[0] is not tracks:  # (an id is unique only while its tuple lives)
        BODIES.put(key, (tracks, None), tracks_size(tracks))  # seen once: made as usual
        return encode_built(stage_callback(task, stage, settings))
    cut = found[1]
    if cut is None:
        cut = _cut(task, stage, settings)
        BODIES.put(key, (tracks, cut), tracks_size(tracks) + sum(map(len, cut)))
    base = _BASES.get(task.base_url)
    if base is None:
        written = encode_text(task.base_url)[1:-1].encode()
        base = _BASES.put(task.base_url, written, len(written) + 100)
    return base.join(cut)


BODIES: Memo[tuple[int, str, str, str], tuple[tuple[Track, ...], tuple[bytes, ...] | None]] = Memo(
    1024, 1 << 22
)
"""Stage bodies cut where the base URL goes (None: seen once), by tracks, task id, stage and
createTime format (at most 1024 entries, about 4 MiB)."""
_BASES: Memo[str, bytes] = Memo(256, 1 << 20)
"""Base URLs as they are written inside a JSON string."""


def _cut(task: Task, stage: Stage, settings: Settings) -> tuple[bytes, ...]:
    """`stage_callback`'s JSON cut at each place its base URL goes (joined with the URL as JSON
    writes it inside a string, it is the body). Each part is written by the encoder and put
    together as it writes them: an object is `{`, its `"key":value` items joined by `,`, `}`
    (the fields between two URLs are encoded together, as one object without its braces)."""
    body = stage_callback(task, stage, settings, base_url="")
    items: list[dict[str, Any]] = body["data"]["data"]
    body["data"]["data"] = []
    envelope = encode_text(body)
    pieces: list[str] = []
    text = envelope[:-3]  # before `]}}`
    for index, item in enumerate(items):
        text += ",{" if index else "{"
        run: dict[str, Any] = {}  # fields since the last URL
        first = True  # no field written yet
        for key, value in item.items():
            if key not in _URL_FIELDS or not value:  # (a track not done has audio_url "")
                run[key] = value
                continue
            if run:
                text += ("" if first else ",") + encode_text(run)[1:-1]
                first, run = False, {}
            pieces.append(text + ("" if first else ",") + encode_text(key) + ':"')
            text, first = encode_text(value)[1:], False  # the URL's path and closing quote
        if run:
            text += ("" if first else ",") + encode_text(run)[1:-1]
        text += "}"
    pieces.append(text + envelope[-3:])
    return tuple(piece.encode() for piece in pieces)


class StageBytes:
    """Makes a stage callback's bytes again (the same bytes: tracks and settings are fixed);
    smaller than a functools.partial, and a journal keeps one per delivered callback."""

    __slots__ = ("stage", "task")

    def __init__(self, task: Task, stage: Stage) -> None:
        self.task, self.stage = task, stage

    def __call__(self) -> bytes:
        return stage_bytes(self.task, self.stage)
