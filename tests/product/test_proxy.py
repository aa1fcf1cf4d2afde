"""`suno-mock proxy`: a second mock on loopback plays the real service; the proxy forwards,
records requests, answers and callbacks, and writes a scenario per task that replays them."""

from __future__ import annotations

import base64
import contextlib
import io
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from aiohttp import web

from mock_server import ManualClock, Settings
from mock_server.capture import Callback, bounded, load_recording, observed_scenario
from mock_server.capture.proxy import CALLBACK_PREFIX, Proxy, ProxyConfig
from mock_server.cli import main
from mock_server.cli.replay import replay
from mock_server.http.listener import Listener
from mock_server.media.synth import silent_mp3
from mock_server.scripting.scenario import load_scenario
from mock_server.testing import SunoMock
from mock_server.testing.receiver import CallbackReceiver, ReceivedCallback
from tests.helpers import SunoMockFactory, generate_body

SECRET = "real-secret-key-0123456789"  # noqa: S105 - made up, to look for on disk
FAST = 0.0005


@dataclass
class Rig:
    """The real service (a mock), the proxy in front of it, and the client's receiver."""

    upstream: SunoMock
    proxy: Proxy
    receiver: CallbackReceiver
    http: aiohttp.ClientSession
    folder: Path

    @property
    def clock(self) -> ManualClock:
        assert isinstance(self.upstream.clock, ManualClock)
        return self.upstream.clock

    async def post(self, path: str, body: Any) -> Any:
        async with self.http.post(self.proxy.url + path, json=body) as resp:
            assert resp.status == 200
            return await resp.json()

    async def submit(self, body: Any, path: str = "/api/v1/generate") -> str:
        answer = await self.post(path, body)
        assert answer["code"] == 200, answer
        return str(answer["data"]["taskId"])

    async def poll(self, task_id: str) -> Any:
        async with self.http.get(
            f"{self.proxy.url}/api/v1/generate/record-info", params={"taskId": task_id}
        ) as resp:
            return (await resp.json())["data"]


@contextlib.asynccontextmanager
async def started_rig(
    folder: Path, receiver: CallbackReceiver, seed: int = 0
) -> AsyncIterator[Rig]:
    settings = Settings(api_keys=(SECRET,), webhook_hmac_key="hmac-secret", seed=seed)
    upstream = SunoMock(settings)
    async with upstream:
        config = ProxyConfig(upstream=upstream.url, record_dir=folder, download_files=True)
        async with (
            Proxy(config, clock=upstream.clock) as proxy,
            aiohttp.ClientSession(headers={"Authorization": f"Bearer {SECRET}"}) as http,
        ):
            yield Rig(upstream, proxy, receiver, http, folder)


@pytest.fixture
async def rig(tmp_path: Path, callback_receiver: CallbackReceiver) -> AsyncIterator[Rig]:
    async with started_rig(tmp_path / "rec", callback_receiver) as started:
        yield started


async def record_three_tasks(rig: Rig) -> dict[str, str]:
    """A plain task (polled), one that errors, one whose first callback the client refuses
    (so the upstream retries), two uploads (base64 and multipart) and an upload-cover of the
    multipart one."""
    tasks: dict[str, str] = {}
    tasks["plain"] = await rig.submit(generate_body(rig.receiver.url))
    await rig.clock.advance(45)
    assert (await rig.poll(tasks["plain"]))["status"] == "TEXT_SUCCESS"
    await rig.clock.advance(200)
    assert (await rig.poll(tasks["plain"]))["status"] == "SUCCESS"

    rig.upstream.next_task(scenario="generation-failed")
    tasks["error"] = await rig.submit(generate_body(rig.receiver.url, title="Broken"))
    await rig.clock.advance(120)
    assert (await rig.poll(tasks["error"]))["status"] == "GENERATE_AUDIO_FAILED"

    rig.receiver.respond_with([500, 200])
    tasks["retry"] = await rig.submit(generate_body(rig.receiver.url, title="Again"))
    await rig.clock.advance(300)

    upload = await rig.post(
        "/api/file-base64-upload",
        {"base64Data": base64.b64encode(silent_mp3(30)).decode(), "uploadPath": "hums",
         "fileName": "hum.mp3"},
    )  # fmt: skip
    assert upload["code"] == 200, upload
    form = aiohttp.FormData({"uploadPath": "stems", "fileName": "stem.mp3"})
    form.add_field("file", silent_mp3(20), filename="stem.mp3", content_type="audio/mpeg")
    async with rig.http.post(f"{rig.proxy.url}/api/file-stream-upload", data=form) as resp:
        streamed = await resp.json()
    assert streamed["code"] == 200, streamed
    tasks["upload"] = await rig.submit(
        {"uploadUrl": streamed["data"]["downloadUrl"], "customMode": False, "instrumental": True,
         "model": "V4_5", "prompt": "bossa nova hum", "callBackUrl": rig.receiver.url},
        "/api/v1/generate/upload-cover",
    )  # fmt: skip
    await rig.clock.advance(200)
    async with rig.http.get(f"{rig.proxy.url}/api/v1/generate/credit") as resp:
        assert (await resp.json())["code"] == 200
    await rig.proxy.idle()
    return tasks


def files(folder: Path) -> dict[Path, bytes]:
    """Every file under `folder` and its bytes."""
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def kinds(received: list[ReceivedCallback]) -> list[str | None]:
    return [r.callback_type for r in received]


async def test_the_client_sees_the_upstream_through_the_proxy(rig: Rig) -> None:
    tasks = await record_three_tasks(rig)
    # The client's key reached the upstream (which accepts only it): every task was created.
    assert {t.id for t in rig.upstream.tasks()} == set(tasks.values())
    # The upstream called the proxy, never the client directly...
    urls = {d.url for d in rig.upstream.deliveries()}
    assert all(CALLBACK_PREFIX in url and url.startswith(rig.proxy.url) for url in urls)
    # ...and the client got every callback with the same body and signature headers.
    attempts = [(a.started_at, d.payload, a.status) for d in rig.upstream.deliveries()
                for a in d.attempts]  # fmt: skip
    sent = [(payload, status) for _, payload, status in sorted(attempts, key=lambda a: a[0])]
    got = rig.receiver.requests
    assert [r.raw for r in got] == [payload for payload, _ in sent]
    assert [r.answered for r in got] == [status for _, status in sent]
    assert all("X-Webhook-Signature" in r.headers for r in got)
    by_task = {t: [r for r in got if r.json["data"]["task_id"] == t] for t in tasks.values()}
    assert kinds(by_task[tasks["error"]]) == ["text", "first", "error"]
    assert kinds(by_task[tasks["retry"]]) == ["text", "first", "text", "complete"]
    assert [r.answered for r in by_task[tasks["retry"]]] == [500, 200, 200, 200]


async def test_the_recording_holds_every_exchange_and_no_secret(rig: Rig) -> None:
    tasks = await record_three_tasks(rig)
    recording = load_recording(rig.folder)
    assert [(e.method, e.path) for e in recording.exchanges] == [
        ("POST", "/api/v1/generate"),
        ("GET", "/api/v1/generate/record-info"),
        ("GET", "/api/v1/generate/record-info"),
        ("POST", "/api/v1/generate"),
        ("GET", "/api/v1/generate/record-info"),
        ("POST", "/api/v1/generate"),
        ("POST", "/api/file-base64-upload"),
        ("POST", "/api/file-stream-upload"),
        ("POST", "/api/v1/generate/upload-cover"),
        ("GET", "/api/v1/generate/credit"),
    ]
    multipart = recording.exchanges[7]
    assert (multipart.body, multipart.body_file) == (None, f"requests/{multipart.seq:04d}-body.bin")
    assert silent_mp3(20) in recording.body_bytes(multipart)
    assert multipart.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    submit = recording.exchanges[0]
    assert submit.body["callBackUrl"] == rig.receiver.url  # the client's own URL
    assert submit.task_id == tasks["plain"]
    assert (submit.at, recording.exchanges[1].at) == (0, 45)
    plain = [c for c in recording.callbacks if c.task_id == tasks["plain"]]
    assert [(c.callback_type, c.after, c.client_status) for c in plain] == [
        ("text", 30, 200), ("first", 60, 200), ("complete", 150, 200),
    ]  # fmt: skip
    assert "X-Webhook-Timestamp" in plain[0].headers
    written = files(rig.folder)
    assert len(written) > 20
    for path, data in written.items():
        assert SECRET.encode() not in data, path
        assert b"X-Webhook-Signature" not in data, path
        assert b"Authorization" not in data, path


async def test_each_task_becomes_a_scenario_that_check_accepts(
    rig: Rig, capsys: pytest.CaptureFixture[str]
) -> None:
    tasks = await record_three_tasks(rig)
    scenarios = sorted((rig.folder / "scenarios").glob("*.yaml"))
    assert {p.stem for p in scenarios} == set(tasks.values())
    assert main(["check", *map(str, scenarios)]) == 0
    assert capsys.readouterr().out.count(": ok (Recorded through suno-mock proxy") == 4

    def scenario(name: str) -> Any:
        return yaml.safe_load((rig.folder / "scenarios" / f"{tasks[name]}.yaml").read_text())

    plain = scenario("plain")
    assert plain["stages"] == {"text": 30, "first": 60, "complete": 150}
    assert "error" not in plain
    real = rig.upstream.task(tasks["plain"]).tracks
    assert plain["payload"]["title"] == real[0].title
    assert plain["payload"]["durations"] == [t.duration for t in real]
    assert plain["payload"]["audio"] == [
        f"files/{tasks['plain']}/1-audio.mp3", f"files/{tasks['plain']}/2-audio.mp3",
    ]  # fmt: skip
    error = scenario("error")
    assert error["stages"] == {"text": 30, "first": 60}
    assert error["error"] == {
        "after": 90, "code": 501, "msg": "Audio generation failed.",
        "status": "GENERATE_AUDIO_FAILED", "data": "empty_list",
    }  # fmt: skip
    assert scenario("retry")["delivery"] == {"retry_delays": [60]}
    assert scenario("upload")["payload"]["model"] == "V4_5"


def track_ids(received: list[ReceivedCallback]) -> list[str]:
    ids: dict[str, None] = {}
    for callback in received:
        ids |= {t["id"]: None for t in callback.json["data"]["data"] or []}
    return list(ids)


def normalised(raw: bytes, ids: dict[str, str]) -> bytes:
    """A callback body with ids and times aside."""
    text = re.sub(r'"createTime":\d+', '"createTime":0', raw.decode())
    for real, placeholder in ids.items():
        text = text.replace(real, placeholder)
    return text.encode()


@pytest.mark.parametrize(("name", "statuses"), [("plain", [200]), ("error", [200]),
                                                ("retry", [500, 200])])  # fmt: skip
async def test_a_recorded_scenario_replays_the_same_callbacks(
    rig: Rig, name: str, statuses: list[int]
) -> None:
    tasks = await record_three_tasks(rig)
    task_id = tasks[name]
    recorded = [c for c in load_recording(rig.folder).callbacks if c.task_id == task_id]
    scenario = load_scenario(rig.folder / "scenarios" / f"{task_id}.yaml")
    async with CallbackReceiver() as target:
        target.respond_with(statuses)
        code = await replay(
            scenario, target.url, settings=Settings(public_base_url="http://upstream.invalid"),
            time_scale=FAST, out=io.StringIO(),
        )  # fmt: skip
    assert code == 0
    assert kinds(target.requests) == [c.callback_type for c in recorded]
    live = [r for r in rig.receiver.requests if r.json["data"]["task_id"] == task_id]
    replayed_id = target.requests[0].json["data"]["task_id"]
    live_tracks = track_ids(live)
    replayed_tracks = track_ids(target.requests)
    ids_live = {task_id: "TASK", rig.upstream.url: "BASE"} | {
        t: f"TRACK{i}" for i, t in enumerate(live_tracks)
    }
    ids_replayed = {replayed_id: "TASK", "http://upstream.invalid": "BASE"} | {
        t: f"TRACK{i}" for i, t in enumerate(replayed_tracks)
    }
    assert [normalised(r.raw, ids_replayed) for r in target.requests] == [
        normalised(r.raw, ids_live) for r in live
    ]


async def test_a_replayed_scenario_serves_the_real_media(
    rig: Rig, tmp_path: Path, suno_mock_factory: SunoMockFactory
) -> None:
    tasks = await record_three_tasks(rig)
    folder = rig.folder / "scenarios"
    real_track = rig.upstream.task(tasks["plain"]).tracks[1]
    async with rig.http.get(real_track_url(rig.upstream.url, real_track.id)) as resp:
        real_audio = await resp.read()
    (folder / "files" / tasks["plain"] / "2-audio.mp3").write_bytes(real_audio + b"REAL")
    replayed = await suno_mock_factory(scenario_dirs=(str(folder),), scenario=tasks["plain"])
    async with aiohttp.ClientSession(headers={"Authorization": "Bearer k"}) as http:
        async with http.post(
            f"{replayed.url}/api/v1/generate", json=generate_body("http://127.0.0.1:9/cb")
        ) as resp:
            task_id = (await resp.json())["data"]["taskId"]
        await replayed.clock.advance(200)
        track = replayed.task(task_id).tracks[1]
        async with http.get(real_track_url(replayed.url, track.id)) as resp:
            assert resp.status == 200
            assert resp.content_type == "audio/mpeg"
            assert await resp.read() == real_audio + b"REAL"
        async with http.get(f"{replayed.url}/files/image/{track.id}.jpeg") as resp:
            assert resp.status == 200


def real_track_url(base: str, track_id: str) -> str:
    return f"{base}/files/audio/{track_id}.mp3"


async def test_callbacks_go_on_only_to_loopback(rig: Rig) -> None:
    task_id = await rig.submit(generate_body("http://files.invalid/cb"))
    await rig.clock.advance(31)
    (delivery,) = rig.upstream.deliveries(task_id)
    assert delivery.attempts[0].status == 502  # the upstream learns the client was not reached
    assert "'files.invalid' is not a loopback host" in rig.proxy.problems[0]
    (callback,) = load_recording(rig.folder).callbacks
    assert (callback.callback_type, callback.client_status) == ("text", None)


async def test_redacted_fields_are_blanked_with_their_type(
    tmp_path: Path, suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    upstream = suno_mock
    config = ProxyConfig(
        upstream=upstream.url, record_dir=tmp_path, redact=("title", "prompt", "X-Trace")
    )
    async with (
        Proxy(config, clock=upstream.clock) as proxy,
        aiohttp.ClientSession(headers={"Authorization": "Bearer k", "X-Trace": "t1"}) as http,
    ):
        body = generate_body(callback_receiver.url, title="Private Title")
        async with http.post(f"{proxy.url}/api/v1/generate", json=body) as resp:
            assert (await resp.json())["code"] == 200
        assert isinstance(upstream.clock, ManualClock)
        await upstream.clock.advance(200)
    assert callback_receiver.requests[-1].json["data"]["data"][0]["title"] == "Private Title"
    everything = b"".join(files(tmp_path).values())
    assert b"Private Title" not in everything
    assert b"Streetlights" not in everything
    assert b"t1" not in everything
    recording = load_recording(tmp_path)
    assert recording.exchanges[0].body["title"] == "<redacted>"
    assert recording.callbacks[-1].body["data"]["data"][0]["title"] == "<redacted>"


async def test_an_unreachable_upstream_is_a_clear_502(tmp_path: Path) -> None:
    config = ProxyConfig(upstream="http://127.0.0.1:9", record_dir=tmp_path)
    async with Proxy(config) as proxy, aiohttp.ClientSession() as http:
        async with http.get(f"{proxy.url}/api/v1/generate/credit") as resp:
            assert resp.status == 502
            answer = await resp.json()
        async with http.post(f"{proxy.url}{CALLBACK_PREFIX}unknown", data=b"{}") as resp:
            assert resp.status == 404
    assert answer["code"] == 502
    assert answer["msg"].startswith("suno-mock proxy: the upstream did not answer")
    assert list((tmp_path / "requests").iterdir()) == []


def arrived(kind: str, after: float, status: int = 200) -> Callback:
    body = {"code": 200, "msg": "", "data": {"callbackType": kind, "task_id": "t", "data": []}}
    return Callback(1, after, after, "t", kind, 1, {}, body, None, status)


def test_a_poll_that_saw_a_stage_first_sets_its_time() -> None:
    """The real state changes before its callback is on its way: a record-info answer can show
    FIRST_SUCCESS before the `first` callback arrives. The replay must agree with that poll."""
    callbacks = [arrived("text", 30.2), arrived("first", 62.335), arrived("complete", 150.9)]
    statuses = [(45.0, "TEXT_SUCCESS"), (62.3004, "FIRST_SUCCESS"), (200.0, "SUCCESS")]
    data = observed_scenario("t", "generate", {}, callbacks, statuses)
    assert data["stages"] == {"text": 30.2, "first": 62.3, "complete": 150.9}


def test_a_task_only_polled_gets_its_stages_and_looks_from_record_info() -> None:
    track = {"id": "a", "title": "Polled", "tags": "jazz", "prompt": "la", "duration": 61.5,
             "modelName": "chirp-v4", "createTime": 1}  # fmt: skip
    statuses = [(10.0, "PENDING"), (40.0, "TEXT_SUCCESS"), (170.25, "SUCCESS")]
    data = observed_scenario("t", "generate", {}, [], statuses, polled_tracks=[track, track])
    assert data["stages"] == {"text": 40, "complete": 170.25}  # `first` was never seen
    assert data["payload"] == {
        "model": "V4", "title": "Polled", "tags": "jazz", "lyrics": "la", "tracks": 2,
        "durations": [61.5, 61.5], "create_time": "epoch_ms",
    }  # fmt: skip


def test_in_memory_stores_are_bounded() -> None:
    store = dict.fromkeys(range(5))
    bounded(store, 3)
    assert list(store) == [2, 3, 4]


class EagerUpstream(Listener):
    """An upstream that calls back (and waits for the answer) before answering the submit."""

    def build_app(self) -> web.Application:
        async def generate(request: web.Request) -> web.Response:
            body = await request.json()
            text = {"code": 200, "msg": "Text generation completed.",
                    "data": {"callbackType": "text", "task_id": "eager-1", "data": []}}  # fmt: skip
            async with (
                aiohttp.ClientSession() as http,
                http.post(body["callBackUrl"], json=text) as resp,
            ):
                assert resp.status == 200
            return web.json_response({"code": 200, "msg": "success", "data": {"taskId": "eager-1"}})

        app = web.Application()
        app.router.add_post("/api/v1/generate", generate)
        return app


async def test_a_callback_before_the_submit_answer_is_kept_with_its_task(
    tmp_path: Path, callback_receiver: CallbackReceiver
) -> None:
    async with EagerUpstream("127.0.0.1", 0) as upstream:
        config = ProxyConfig(upstream=upstream.url, record_dir=tmp_path)
        async with (
            Proxy(config) as proxy,
            aiohttp.ClientSession() as http,
            http.post(
                f"{proxy.url}/api/v1/generate", json=generate_body(callback_receiver.url)
            ) as resp,
        ):
            assert (await resp.json())["data"]["taskId"] == "eager-1"
    assert kinds(callback_receiver.requests) == ["text"]
    recording = load_recording(tmp_path)
    (submit,) = recording.exchanges
    (callback,) = recording.callbacks
    assert (submit.seq, callback.seq, callback.request_seq) == (1, 2, 1)
    assert 0 <= callback.after < 5
    scenario = yaml.safe_load((tmp_path / "scenarios" / "eager-1.yaml").read_text())
    assert list(scenario["stages"]) == ["text"]
