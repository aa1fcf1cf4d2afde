"""The exact JSON the real API emits for single-stage jobs (docs/api.md): each family's one
callback and its record-info `data`, with the lyrics and MIDI they carry (seeded by the job's
id). Every family has a shape of its own, kept as the docs and captured payloads show it.
"""

from __future__ import annotations

import random
from typing import Any

from mock_server import words
from mock_server.encoding import param_json
from mock_server.jobs import Job
from mock_server.media import urls
from mock_server.stems import URL_KEYS

__all__ = ["job_callback", "job_record_info", "recovery_record"]

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


def _wav_url(job: Job) -> str:
    return urls.WAV.url(job.base_url, id=job.id)


def _video_url(job: Job) -> str:
    return urls.VIDEO.url(job.base_url, id=job.id)


def _stem_urls(job: Job) -> dict[str, str]:
    return {s.key: urls.STEM.url(job.base_url, id=job.id, stem=s.key) for s in job.stems()}


def _vocal_removal_info(job: Job) -> dict[str, str]:
    """`data.vocal_removal_info` of the callback: `origin_url` is empty, keys sorted as in the
    docs' example."""
    stem_urls = _stem_urls(job)
    info = {"origin_url": ""} | {f"{key}_url": url for key, url in stem_urls.items()}
    return dict(sorted(info.items()))


def _separation_response(job: Job, kie: bool) -> dict[str, Any]:
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


def job_callback(job: Job) -> dict[str, Any]:
    """The one callback a job sends when it completes (each family has its own shape)."""
    if job.kind == "lyrics":
        return {
            "code": 200,
            "msg": "All generated successfully.",
            "data": {"callbackType": "complete", "taskId": job.id, "data": _lyrics(job)},
        }
    if job.kind == "wav":
        return {
            "code": 200,
            "msg": "success",
            "data": {"audioWavUrl": _wav_url(job), "task_id": job.id},
        }
    if job.kind == "vocal_removal" and job.error is not None:
        code, msg = job.error
        return {"code": code, "msg": msg, "data": {"task_id": job.id, "vocal_removal_info": None}}
    if job.kind == "vocal_removal":
        return {
            "code": 200,
            "msg": "vocal Removal generated successfully.",
            "data": {
                "task_id": job.id,
                "vocal_removal_info": _vocal_removal_info(job),
            },
        }
    if job.kind == "mp4":
        return {
            "code": 200,
            "msg": "MP4 generated successfully.",
            "data": {"task_id": job.id, "video_url": _video_url(job)},
        }
    if job.kind == "cover":
        images = urls.cover_urls(job.base_url, job.id)
        return {"code": 200, "msg": "success", "data": {"taskId": job.id, "images": images}}
    if job.kind == "recovery":
        return {"code": 200, "msg": "success", "task_id": job.id, "data": _recovered(job)}
    return {"task_id": job.id, "code": 200, "msg": "success", "data": _midi(job)}


def recovery_record(job: Job) -> dict[str, Any]:
    """The whole answer of GET /api/v1/suno/recovery/record-info: its own envelope, with
    `task_id` at the top level and code 201 while the recovery runs."""
    if job.completed_at is None:
        return {"code": 201, "task_id": job.id, "msg": "processing", "data": None}
    return {"code": 200, "task_id": job.id, "msg": "success", "data": _recovered(job)}


def job_record_info(job: Job, track_field: str = "audioId") -> dict[str, Any]:
    """`data` of the family's record-info endpoint, as the job is now."""
    flag, error = _outcome(job)
    if job.kind == "lyrics":
        return _lyrics_record(job, flag, error)
    if job.kind == "cover":
        return _cover_record(job, error)
    if job.kind == "midi":
        return _midi_record(job, error)
    return _file_record(job, track_field, flag, error)


def _millis(moment: float | None) -> int | None:
    return int(moment * 1000) if moment is not None else None


def _outcome(job: Job) -> tuple[str, dict[str, Any]]:
    """The job's status flag, and its `errorCode`/`errorMessage`."""
    done = job.completed_at is not None
    flag = "CALLBACK_EXCEPTION" if job.callback_failed else ("SUCCESS" if done else "PENDING")
    if done and job.error is not None:
        return "CREATE_TASK_FAILED", {"errorCode": job.error[0], "errorMessage": job.error[1]}
    return flag, {"errorCode": None, "errorMessage": None}


def _lyrics_record(job: Job, flag: str, error: dict[str, Any]) -> dict[str, Any]:
    done = job.completed_at is not None
    return {
        "taskId": job.id,
        "param": param_json(job.request),
        "response": {"taskId": job.id, "data": _lyrics(job)} if done else None,
        "status": flag,
        "type": "LYRICS",
        **error,
    }


def _cover_record(job: Job, error: dict[str, Any]) -> dict[str, Any]:
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


def _midi_record(job: Job, error: dict[str, Any]) -> dict[str, Any]:
    done = job.completed_at is not None
    return {
        "taskId": job.id,
        "recordTaskId": -1,
        "audioId": job.extra.get("audioId", ""),
        "callbackUrl": job.callback_url,
        "completeTime": _millis(job.completed_at),
        "midiData": _midi(job) if done else None,
        "successFlag": 1 if done else 0,
        "createTime": _millis(job.created_at),
        **error,
    }


def _file_response(job: Job, kie: bool) -> dict[str, Any] | None:
    """`response` of a WAV, vocal-removal or MP4 record-info (null until it is done)."""
    if job.completed_at is None:
        return None
    if job.kind == "wav":
        return {"audioWavUrl": _wav_url(job)}
    if job.kind == "vocal_removal" and job.error is None:
        return _separation_response(job, kie)
    if job.kind == "mp4":
        return {"videoUrl": _video_url(job)}
    return None


def _file_record(job: Job, track_field: str, flag: str, error: dict[str, Any]) -> dict[str, Any]:
    """WAV, vocal removal and MP4: `musicId`, then `audioId` (sunoapi.org's vocal-removal page)
    or `musicIndex` (kie.ai's page: the track's index)."""
    data: dict[str, Any] = {
        "taskId": job.id,
        "musicId": job.source.id if job.source else "",
        "callbackUrl": job.callback_url,
    }
    if job.kind == "vocal_removal" and track_field == "audioId":
        data["audioId"] = job.source.id if job.source else ""
    elif job.kind in ("vocal_removal", "mp4"):
        data["musicIndex"] = job.music_index
    return {
        **data,
        "completeTime": _millis(job.completed_at),
        "response": _file_response(job, kie=track_field == "musicIndex"),
        "successFlag": flag,
        "createTime": _millis(job.created_at),
        **error,
    }
