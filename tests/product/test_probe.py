"""`suno-mock probe`: the battery against real loopback receivers written the ways integrators
write them (conforming, not idempotent, slow, strict about fields, lax about signatures, naive
about bodies), through the function, the command line and the plugin's `suno_mock.probe`."""

from __future__ import annotations

import asyncio
import hmac
import json
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from pydantic import BaseModel, ValidationError

from mock_server import Settings
from mock_server.delivery.dispatcher import webhook_signature
from mock_server.families.jobs.schema import (
    CoverCallback,
    LyricsCallback,
    MidiCallback,
    Mp4Callback,
    VocalRemovalCallback,
    WavCallback,
)
from mock_server.families.music.schema import MusicCallback
from mock_server.families.recovery.schema import RecoveryCallback
from mock_server.families.voice.schema import VoiceCallback
from mock_server.http.listener import Listener
from mock_server.probe import ERROR_CODES, ProbeError, ProbeReport, case_names, probe
from mock_server.scripting.request import TrackRequest
from mock_server.testing import SunoMock
from mock_server.testing.receiver import CallbackReceiver

KEY = "whsec-test"
ALL_CASES = case_names()
UNSIGNED = [name for name in ALL_CASES if name not in ("signed", "bad-signature")]
SCHEMAS: tuple[type[BaseModel], ...] = (
    MusicCallback, LyricsCallback, WavCallback, VocalRemovalCallback, Mp4Callback,
    CoverCallback, MidiCallback, VoiceCallback, RecoveryCallback,
)  # fmt: skip


def task_id_of(body: dict[str, Any]) -> str:
    """Where each family puts its task id."""
    data = body.get("data")
    if isinstance(data, dict) and ("task_id" in data or "taskId" in data):
        return str(data.get("task_id") or data.get("taskId"))
    return str(body["task_id"])


class Endpoint(Listener):
    """A client's callback endpoint on 127.0.0.1: parses the body (400 when it is not a JSON
    object), checks the signature when it has a key (401), remembers what it saw, and answers
    200. The flags make it go wrong in one way each."""

    def __init__(
        self,
        *,
        key: str | None = None,
        check_signature: bool = True,
        fail_duplicates: bool = False,
        delay: float = 0.0,
        strict_fields: bool = False,
        naive_json: bool = False,
        bad_signature_status: int = 401,
    ) -> None:
        super().__init__("127.0.0.1", 0)
        self.key = key
        self.check_signature = check_signature
        self.fail_duplicates = fail_duplicates
        self.delay = delay
        self.strict_fields = strict_fields
        self.naive_json = naive_json
        self.bad_signature_status = bad_signature_status
        self.seen: set[tuple[str, str]] = set()
        self.raw: list[bytes] = []

    @property
    def url(self) -> str:
        return f"{super().url}/suno/callback"

    def build_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/suno/callback", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        self.raw.append(raw)
        if self.delay:
            await asyncio.sleep(self.delay)  # a receiver is real: its slowness is real time
        if self.naive_json:
            body = await request.json()  # an empty or broken body raises: HTTP 500
        else:
            try:
                body = json.loads(raw)
            except ValueError:
                return web.json_response({"error": "not JSON"}, status=400)
        if not isinstance(body, dict):
            return web.json_response({"error": "not an object"}, status=400)
        task_id = task_id_of(body)
        if self.key is not None and self.check_signature:
            stamp = request.headers.get("X-Webhook-Timestamp", "")
            expected = webhook_signature(self.key, task_id, stamp)
            if not hmac.compare_digest(expected, request.headers.get("X-Webhook-Signature", "")):
                return web.json_response(
                    {"error": "bad signature"}, status=self.bad_signature_status
                )
        if self.strict_fields:
            self.validate(body)  # a ValidationError escapes: HTTP 500, as in many apps
        data = body.get("data")
        kind = str(data.get("callbackType", "done")) if isinstance(data, dict) else "done"
        if (task_id, kind) in self.seen and self.fail_duplicates:
            raise web.HTTPInternalServerError(text="duplicate key value violates unique constraint")
        self.seen.add((task_id, kind))
        return web.json_response({"status": "received"})

    @staticmethod
    def validate(body: dict[str, Any]) -> None:
        """Models with extra="forbid": the documented shapes and nothing else."""
        problems = []
        for schema in SCHEMAS:
            try:
                schema.model_validate(body)
            except ValidationError as err:
                problems.append(err)
            else:
                return
        raise problems[0]


Make = Callable[..., Awaitable[Endpoint]]


@pytest.fixture
async def endpoint() -> AsyncIterator[Make]:
    started: list[Endpoint] = []

    async def make(**behaviour: Any) -> Endpoint:
        started.append(await Endpoint(**behaviour).start())
        return started[-1]

    yield make
    for one in started:
        await one.close()


def verdicts(report: ProbeReport) -> dict[str, str]:
    return {case.name: case.verdict for case in report.cases}


def failed(report: ProbeReport) -> list[str]:
    return [case.name for case in report.cases if case.verdict == "fail"]


async def test_a_conforming_receiver_passes_every_case(endpoint: Make) -> None:
    good = await endpoint(key=KEY)
    report = await probe(good.url, settings=Settings(webhook_hmac_key=KEY))
    assert report.ok, report.to_text()
    assert report.exit_code == 0
    assert [c.name for c in report.cases] == ALL_CASES
    assert set(verdicts(report).values()) == {"pass"}
    assert report.case("empty-body").shots[0].status == 400
    assert report.case("bad-signature").shots[0].status == 401
    total = len(ALL_CASES)
    assert report.summary() == f"{total} cases: {total} passed, 0 warned, 0 failed, 0 skipped -> OK"
    shots = sum(len(case.shots) for case in report.cases)
    assert len(good.raw) == shots  # one POST per callback: no retries


async def test_without_a_key_the_signature_cases_are_skipped(endpoint: Make) -> None:
    good = await endpoint()
    report = await probe(good.url)
    assert report.ok
    assert {n: v for n, v in verdicts(report).items() if v != "pass"} == {
        "signed": "skip",
        "bad-signature": "skip",
    }
    assert "needs a webhook HMAC key" in report.case("signed").reasons[0]
    assert report.summary().endswith("2 skipped -> OK")


async def test_the_battery_covers_what_the_issue_lists(endpoint: Make) -> None:
    receiver = await endpoint()
    report = await probe(receiver.url)
    labels = {c.name: [s.label for s in c.shots] for c in report.cases}
    assert labels["sequence"] == ["text", "first", "complete"]
    assert labels["duplicate-complete"] == ["text", "first", "complete", "complete (again)"]
    assert labels["out-of-order"] == ["text", "complete", "first"]
    errors = [json.loads(raw) for raw in receiver.raw if b'"callbackType":"error"' in raw]
    assert [e["code"] for e in errors] == [400, 408, 413, 451, 500, 501, 531]
    assert [e["data"]["data"] for e in errors] == [None, None, None, None, None, [], None]
    assert labels["error-501"] == ["text", "first", "error 501"]  # as the bundled scenario
    families = ["lyrics", "wav", "vocal-removal", "stems", "midi", "mp4", "cover",
                "stems-advanced", "recovery", "voice-validate", "voice-generate",
                "voice-regenerate"]  # fmt: skip
    assert all(labels[name] == [name] for name in families)
    bodies = [json.loads(raw) for raw in receiver.raw if raw and raw.endswith(b"}")]
    bodies = [b for b in bodies if isinstance(b["data"], dict)]  # recovery's data is a list
    stems = next(b for b in bodies if "drums_url" in b["data"].get("vocal_removal_info", {}))
    assert len(stems["data"]["vocal_removal_info"]) == 13
    pending_id = report.case("pending-audio-url").shots[0].task_id
    pending = next(b for b in bodies if b["data"].get("task_id") == pending_id)
    assert pending["data"]["callbackType"] == "first"
    assert [t["audio_url"] == "" for t in pending["data"]["data"]] == [False, True]
    assert receiver.raw[-2] == b""
    with pytest.raises(ValueError, match=r"Unterminated|Expecting|Invalid"):
        json.loads(receiver.raw[-1])


async def test_a_receiver_that_fails_duplicates_fails_that_case(endpoint: Make) -> None:
    receiver = await endpoint(fail_duplicates=True)
    report = await probe(receiver.url)
    assert failed(report) == ["duplicate-complete"]
    assert report.exit_code == 1
    case = report.case("duplicate-complete")
    assert [s.status for s in case.shots] == [200, 200, 200, 500]
    assert case.reasons[-1].startswith(
        "complete (again): answered HTTP 500 to the duplicate but HTTP 200 to the first delivery"
    )
    assert "FAIL  duplicate-complete  200 200 200 500" in report.to_text()
    assert report.to_text().endswith("1 failed, 2 skipped -> FAILED")


async def test_a_slow_receiver_is_warned_then_failed(endpoint: Make) -> None:
    slow = await endpoint(delay=0.05)
    only = ["sequence", "empty-body"]
    warned = await probe(slow.url, only=only, budget=0.01, receiver_timeout=2.0)
    assert verdicts(warned) == {"sequence": "warn", "empty-body": "warn"}
    assert warned.ok  # a warning is not a failure
    assert "over the budget of 0.01 s" in warned.case("sequence").reasons[0]

    timed_out = await probe(slow.url, only=only, budget=0.01, receiver_timeout=0.02)
    assert verdicts(timed_out) == {"sequence": "fail", "empty-body": "fail"}
    assert not timed_out.ok
    shot = timed_out.case("sequence").shots[0]
    assert shot.status is None
    assert "timed out" in (shot.reason or "")


async def test_a_receiver_that_crashes_on_unknown_fields(endpoint: Make) -> None:
    strict = await endpoint(strict_fields=True)
    report = await probe(strict.url)
    # Every other payload matches the documented shapes field for field.
    assert failed(report) == ["unknown-field"]
    (reason,) = report.case("unknown-field").reasons
    assert reason.startswith("complete: HTTP 500 ")
    assert "only 200 counts as delivered" in reason


async def test_a_receiver_that_accepts_bad_signatures(endpoint: Make) -> None:
    lax = await endpoint(key=KEY, check_signature=False)
    report = await probe(lax.url, settings=Settings(webhook_hmac_key=KEY))
    assert failed(report) == ["bad-signature"]
    (reason,) = report.case("bad-signature").reasons
    assert "accepted a wrong signature" in reason


async def test_a_receiver_that_chokes_on_broken_bodies(endpoint: Make) -> None:
    naive = await endpoint(naive_json=True)
    report = await probe(naive.url, only=["sequence", "*-body"])
    assert verdicts(report) == {"sequence": "pass", "empty-body": "fail", "malformed-body": "fail"}
    assert "a broken body must get a 4xx" in report.case("empty-body").reasons[0]


async def test_refusing_a_bad_signature_with_a_5xx_is_a_warning(endpoint: Make) -> None:
    receiver = await endpoint(key=KEY, bad_signature_status=500)
    report = await probe(
        receiver.url, settings=Settings(webhook_hmac_key=KEY), only=["bad-signature"]
    )
    assert verdicts(report) == {"bad-signature": "warn"}
    assert report.ok
    assert "refused, but a 5xx makes the provider retry" in report.case("bad-signature").reasons[0]


async def test_a_dropped_connection_on_a_broken_body_fails() -> None:
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)
        writer.close()  # no answer at all

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        report = await probe(f"http://127.0.0.1:{port}/cb", only=["empty-body"])
    finally:
        server.close()
        await server.wait_closed()
    assert verdicts(report) == {"empty-body": "fail"}
    shot = report.case("empty-body").shots[0]
    assert shot.status is None
    assert "connection failed" in (shot.reason or "")


async def test_a_hang_on_a_broken_body_fails(endpoint: Make) -> None:
    slow = await endpoint(delay=0.2)
    report = await probe(slow.url, only=["malformed-body"], receiver_timeout=0.05)
    assert verdicts(report) == {"malformed-body": "fail"}
    assert "timed out" in report.case("malformed-body").reasons[0]


async def test_junit_xml_has_a_testcase_per_case(endpoint: Make) -> None:
    receiver = await endpoint(fail_duplicates=True)
    report = await probe(receiver.url)
    root = ET.fromstring(report.to_junit())  # noqa: S314 - our own output
    (suite,) = root.findall("testsuite")
    assert suite.get("tests") == str(len(ALL_CASES))
    assert (suite.get("failures"), suite.get("skipped")) == ("1", "2")
    cases = {tc.get("name"): tc for tc in suite.findall("testcase")}
    assert list(cases) == ALL_CASES
    failure = cases["duplicate-complete"].find("failure")
    assert failure is not None
    assert (failure.get("message") or "").startswith("complete (again): HTTP 500")
    assert "HTTP 500 to the duplicate but HTTP 200 to the first" in (failure.text or "")
    assert "complete (again): HTTP 500 in " in (failure.text or "")
    assert cases["signed"].find("skipped") is not None
    assert cases["sequence"].find("failure") is None


async def test_json_report(endpoint: Make) -> None:
    receiver = await endpoint()
    report = await probe(receiver.url, only=["error-*"])
    data = json.loads(report.render("json"))
    assert data["ok"] is True
    assert data["summary"] == {"pass": 7, "warn": 0, "fail": 0, "skip": 0}
    assert [c["name"] for c in data["cases"]] == [f"error-{code}" for code in ERROR_CODES]
    assert data["cases"][0]["callbacks"][1]["status"] == 200


async def test_same_seed_same_bytes(endpoint: Make) -> None:
    first, second, other = await endpoint(), await endpoint(), await endpoint()
    await probe(first.url)
    await probe(second.url, only=["error-5*", "cover"])
    await probe(other.url, settings=Settings(seed=1))
    assert len(first.raw) == len(other.raw)
    # A case's bytes do not depend on which other cases run.
    assert set(second.raw) < set(first.raw)
    assert len(set(second.raw)) == len(second.raw) == 2 + 3 + 2 + 1
    assert set(first.raw) & set(other.raw) == {b""}  # only the empty body is the same


@pytest.mark.suno_mock(public_base_url="http://files.invalid")
async def test_payloads_are_the_servers(
    endpoint: Make, suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    """The sequence case sends what a server with the same seed sends for its first task."""
    receiver = await endpoint()
    await probe(receiver.url, only=["sequence"], base_url="http://files.invalid")
    live = callback_receiver
    suno_mock.engine.music.create(
        "generate",
        {"model": "V4_5PLUS", "callBackUrl": live.url},
        tracks=TrackRequest(model="V4_5PLUS"),
        callback_url=live.url,
        base_url="http://files.invalid",
    )
    await suno_mock.clock.run_until_idle()
    assert len(live.requests) == len(receiver.raw) == 3
    assert [r.raw for r in live.requests] == receiver.raw  # byte for byte


async def test_signed_callbacks_carry_the_servers_headers(endpoint: Make) -> None:
    async with CallbackReceiver() as receiver:
        await probe(receiver.url, settings=Settings(webhook_hmac_key=KEY), only=["signed"])
        (got,) = receiver.requests
    stamp = got.headers["X-Webhook-Timestamp"]
    assert got.headers["X-Webhook-Signature"] == webhook_signature(
        KEY, got.json["data"]["task_id"], stamp
    )
    assert got.headers["Content-Type"] == "application/json"


async def test_only_and_the_allow_list() -> None:
    with pytest.raises(ProbeError, match="no probe case matches 'nope'; the cases are sequence"):
        await probe("http://127.0.0.1:9/cb", only=["sequence", "nope"])
    with pytest.raises(ProbeError, match=r"'files\.invalid' is not a loopback host"):
        await probe("http://files.invalid/cb")
    with pytest.raises(ProbeError, match="must be an http"):
        await probe("ftp://127.0.0.1/cb")
    with pytest.raises(ProbeError, match="must be > 0"):
        await probe("http://127.0.0.1:9/cb", budget=0)


async def test_an_unreachable_receiver_fails_every_case() -> None:
    report = await probe("http://127.0.0.1:9/cb", only=["sequence"])
    assert failed(report) == ["sequence"]
    assert all("connection failed" in reason for reason in report.case("sequence").reasons)
