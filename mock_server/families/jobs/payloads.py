"""The exact JSON the real API emits for single-stage jobs (docs/api.md): each kind's one
callback and its record-info `data`, with the lyrics and MIDI they carry (seeded by the job's
id). Every kind has a shape of its own, kept as the docs and captured payloads show it; which
builder a kind uses is its row in `mock_server.families.jobs.kinds`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from mock_server.core import words
from mock_server.core.encoding import param_json
from mock_server.families.jobs.stems import URL_KEYS
from mock_server.families.jobs.store import Job
from mock_server.media import urls

__all__ = [
    "cover_callback",
    "cover_record",
    "file_record",
    "lyrics_callback",
    "lyrics_record",
    "midi_callback",
    "midi_record",
    "mp4_callback",
    "recovery_callback",
    "recovery_record",
    "separation_response",
    "video_url",
    "vocal_removal_callback",
    "wav_callback",
    "wav_url",
]

INSTRUMENTS = ("Drums", "Bass", "Piano", "Guitar", "Strings", "Synth Lead")


def _lyrics(job: Job) -> list[dict[str, str]]:
    draw = random.Random(job.random().getrandbits(64))  # noqa: S311 - not crypto
    title = words.catch_phrase(draw)
    items = []
    for _ in range(2):
        verse = "\n".join(words.line(draw, 6) for _ in range(4))
        chorus = "\n".join(words.line(draw, 5) for _ in range(2))
        text = f"[Verse]\n{verse}\n\n[Chorus]\n{chorus}"
        items.append({"text": text, "title": title, "status": "complete", "errorMessage": ""})
    return items


def _midi(job: Job) -> dict[str, Any]:
    """Notes on a 1/192 s grid. Like the documented example, times alternate between JSON
    strings and numbers (`"start": "0.036458333333333336"`, `"start": 0.046875`): a client that
    reads only numbers breaks in production, so it breaks here too."""
    rng = job.random()
    instruments = []
    for name in rng.sample(INSTRUMENTS, 3):
        notes: list[dict[str, Any]] = []
        tick = 0
        for i in range(8):
            length = rng.randint(20, 115)
            start, end = tick / 192, (tick + length) / 192
            times: tuple[Any, Any] = (repr(start), repr(end)) if i % 2 == 0 else (start, end)
            notes.append(
                {"pitch": rng.randint(36, 84), "start": times[0], "end": times[1], "velocity": 1}
            )
            tick += length + rng.randint(0, 58)
        instruments.append({"name": name, "notes": notes})
    return {"state": "complete", "instruments": instruments}


def wav_url(job: Job) -> str:
    return urls.WAV.url(job.base_url, id=job.id)


def video_url(job: Job) -> str:
    return urls.VIDEO.url(job.base_url, id=job.id)


def _stem_urls(job: Job) -> dict[str, str]:
    return {s.key: urls.STEM.url(job.base_url, id=job.id, stem=s.key) for s in job.stems()}


def _vocal_removal_info(job: Job) -> dict[str, str]:
    """`data.vocal_removal_info` of the callback: `origin_url` is empty, keys sorted as in the
    docs' example."""
    stem_urls = _stem_urls(job)
    info = {"origin_url": ""} | {f"{key}_url": url for key, url in stem_urls.items()}
    return dict(sorted(info.items()))


def separation_response(job: Job, kie: bool) -> dict[str, Any]:
    """`data.response` of record-info: `originData[]` plus the camelCase `*Url` keys (null for
    stems not produced); `pianoUrl` only in kie.ai's flavour, as only kie.ai documents it (a
    piano stem then still has its `originData` item)."""
    stem_urls = _stem_urls(job)
    response: dict[str, Any] = {
        "id": None,
        "originUrl": None,
        "originData": [
            {"duration": job.length, "audio_url": stem_urls[s.key],
             "stem_type_group_name": s.group, "id": s.id}
            for s in job.stems()
        ],
    }  # fmt: skip
    for key in URL_KEYS:
        if key == "piano" and not kie:
            continue
        head, *rest = key.split("_")
        camel = head + "".join(part.title() for part in rest) + "Url"
        response[camel] = stem_urls.get(key)
    return response


def _recovered(job: Job) -> list[dict[str, str]]:
    """One item per track of the music task, in its order; the audio URL is the track's."""
    return [
        {"id": t.id, "audio_url": urls.AUDIO.url(job.base_url, id=t.id), "title": t.title,
         "status": "success", "error": ""}
        for t in job.tracks
    ]  # fmt: skip


def lyrics_callback(job: Job) -> dict[str, Any]:
    return {
        "code": 200,
        "msg": "All generated successfully.",
        "data": {"callbackType": "complete", "taskId": job.id, "data": _lyrics(job)},
    }


def wav_callback(job: Job) -> dict[str, Any]:
    return {"code": 200, "msg": "success", "data": {"audioWavUrl": wav_url(job), "task_id": job.id}}


def vocal_removal_callback(job: Job) -> dict[str, Any]:
    """The separation, or the failure of an unusable `audioUrl` (`job.error`)."""
    if job.error is not None:
        code, msg = job.error
        return {"code": code, "msg": msg, "data": {"task_id": job.id, "vocal_removal_info": None}}
    return {
        "code": 200,
        "msg": "vocal Removal generated successfully.",
        "data": {"task_id": job.id, "vocal_removal_info": _vocal_removal_info(job)},
    }


def mp4_callback(job: Job) -> dict[str, Any]:
    return {
        "code": 200,
        "msg": "MP4 generated successfully.",
        "data": {"task_id": job.id, "video_url": video_url(job)},
    }


def cover_callback(job: Job) -> dict[str, Any]:
    images = urls.cover_urls(job.base_url, job.id)
    return {"code": 200, "msg": "success", "data": {"taskId": job.id, "images": images}}


def recovery_callback(job: Job) -> dict[str, Any]:
    return {"code": 200, "msg": "success", "task_id": job.id, "data": _recovered(job)}


def midi_callback(job: Job) -> dict[str, Any]:
    return {"task_id": job.id, "code": 200, "msg": "success", "data": _midi(job)}


def recovery_record(job: Job) -> dict[str, Any]:
    """The whole answer of GET /api/v1/suno/recovery/record-info: its own envelope, with
    `task_id` at the top level and code 201 while the recovery runs."""
    if job.completed_at is None:
        return {"code": 201, "task_id": job.id, "msg": "processing", "data": None}
    return {"code": 200, "task_id": job.id, "msg": "success", "data": _recovered(job)}


def _millis(moment: float | None) -> int | None:
    return int(moment * 1000) if moment is not None else None


def _outcome(job: Job) -> tuple[str, dict[str, Any]]:
    """The job's status flag, and its `errorCode`/`errorMessage`."""
    done = job.completed_at is not None
    flag = "CALLBACK_EXCEPTION" if job.callback_failed else ("SUCCESS" if done else "PENDING")
    if done and job.error is not None:
        return "CREATE_TASK_FAILED", {"errorCode": job.error[0], "errorMessage": job.error[1]}
    return flag, {"errorCode": None, "errorMessage": None}


def lyrics_record(job: Job) -> dict[str, Any]:
    flag, error = _outcome(job)
    done = job.completed_at is not None
    return {
        "taskId": job.id,
        "param": param_json(job.request),
        "response": {"taskId": job.id, "data": _lyrics(job)} if done else None,
        "status": flag,
        "type": "LYRICS",
        **error,
    }


def cover_record(job: Job) -> dict[str, Any]:
    _, error = _outcome(job)
    done = job.completed_at is not None
    return {
        "taskId": job.id,
        "parentTaskId": job.parent_task_id,
        "callbackUrl": job.callback_url,
        "completeTime": _millis(job.completed_at),
        "response": {"images": urls.cover_urls(job.base_url, job.id)} if done else None,
        "successFlag": 1 if done else 0,
        "createTime": _millis(job.created_at),
        **error,
    }


def midi_record(job: Job) -> dict[str, Any]:
    _, error = _outcome(job)
    done = job.completed_at is not None
    return {
        "taskId": job.id,
        "recordTaskId": -1,
        "audioId": job.stem_id,
        "callbackUrl": job.callback_url,
        "completeTime": _millis(job.completed_at),
        "midiData": _midi(job) if done else None,
        "successFlag": 1 if done else 0,
        "createTime": _millis(job.created_at),
        **error,
    }


def file_record(
    job: Job, track: dict[str, Any], response: Callable[[], dict[str, Any] | None]
) -> dict[str, Any]:
    """WAV, vocal removal and MP4: `musicId`, then the kind's `track` keys (`audioId` or
    `musicIndex`), and `response` once the job is done (null until then)."""
    flag, error = _outcome(job)
    return {
        "taskId": job.id,
        "musicId": job.source.id if job.source else "",
        "callbackUrl": job.callback_url,
        **track,
        "completeTime": _millis(job.completed_at),
        "response": response() if job.completed_at is not None else None,
        "successFlag": flag,
        "createTime": _millis(job.created_at),
        **error,
    }
