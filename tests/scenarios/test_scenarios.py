"""Scenarios end to end: every bundled file run against a real receiver."""

from __future__ import annotations

from dataclasses import dataclass, field

import aiohttp
import pytest

from mock_server import ManualClock
from mock_server.scripting.scenario import bundled_names, load_bundled
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import Api, SunoMockFactory, generate_body

GENERATE = "/api/v1/generate"
Outcomes = list[tuple[str, list[str]]]


def delivered(*kinds: str) -> Outcomes:
    return [(kind, ["delivered"]) for kind in kinds]


@dataclass(frozen=True)
class Expected:
    """What a bundled scenario must observably do to one generate request."""

    deliveries: Outcomes = field(default_factory=list)
    """Each callback (journal order) with the outcome of each of its attempts."""
    status: str = "SUCCESS"
    error_code: int | None = None
    submit_code: int = 200
    statuses: list[int] = field(default_factory=lambda: [200])
    delays: list[float] = field(default_factory=lambda: [0.0])
    """How the receiver answers (statuses and real-time delays, the last repeating)."""


EXPECTED: dict[str, Expected] = {
    "happy-path": Expected(delivered("text", "first", "complete")),
    "skip-to-complete": Expected(delivered("complete")),
    "copyright-violation": Expected(delivered("text", "error"), "GENERATE_AUDIO_FAILED", 400),
    "rate-limited": Expected(delivered("text", "error"), "GENERATE_AUDIO_FAILED", 408),
    "audio-conflict": Expected(delivered("text", "error"), "GENERATE_AUDIO_FAILED", 413),
    "download-failed": Expected(delivered("error"), "CREATE_TASK_FAILED", 451),
    "server-error": Expected(delivered("text", "error"), "GENERATE_AUDIO_FAILED", 500),
    "generation-failed": Expected(
        delivered("text", "first", "error"), "GENERATE_AUDIO_FAILED", 501
    ),
    "credits-refunded": Expected(delivered("text", "error"), "GENERATE_AUDIO_FAILED", 531),
    "sensitive-word": Expected(delivered("error"), "SENSITIVE_WORD_ERROR", 400),
    # Both play their fault against a healthy receiver (it answers 200 at once).
    "receiver-down": Expected(
        [(kind, ["failed"] * 4) for kind in ("text", "first", "complete")], "CALLBACK_EXCEPTION"
    ),
    "slow-receiver": Expected(
        [(kind, ["failed"] * 4) for kind in ("text", "first", "complete")], "CALLBACK_EXCEPTION"
    ),
    "duplicate-delivery": Expected(delivered("text", "first", "complete", "complete")),
    "out-of-order": Expected(delivered("text", "complete", "first")),
    "insufficient-credits": Expected(submit_code=429),
    "maintenance": Expected(submit_code=455),
    "too-frequent": Expected(submit_code=430),
}


def test_every_bundled_scenario_has_expectations() -> None:
    assert sorted(EXPECTED) == bundled_names()


@pytest.mark.parametrize("name", bundled_names())
async def test_bundled_scenario_runs(
    name: str,
    suno_mock_factory: SunoMockFactory,
    http: aiohttp.ClientSession,
    callback_receiver: CallbackReceiver,
) -> None:
    expected = EXPECTED[name]
    scenario = load_bundled(name)
    assert scenario.description, "every bundled scenario says what it does"
    server = await suno_mock_factory(scenario=name)
    assert isinstance(server.clock, ManualClock)
    callback_receiver.respond_with(expected.statuses, delay=expected.delays)
    api = Api(http, server.url)

    status, envelope = await api.post(GENERATE, generate_body(callback_receiver.url))
    assert (status, envelope["code"]) == (200, expected.submit_code), envelope
    if expected.submit_code != 200:
        assert envelope["msg"] == scenario.api.msg
        assert envelope["data"] is None
        assert server.tasks() == []
        return
    task_id = envelope["data"]["taskId"]
    assert server.task(task_id).scenario == scenario
    await server.clock.advance(minutes=60)

    deliveries = server.deliveries(task_id)
    assert [(d.callback_type, [a.outcome for a in d.attempts]) for d in deliveries] == (
        expected.deliveries
    )
    info = await api.record_info(task_id)
    assert (info["status"], info["errorCode"]) == (expected.status, expected.error_code)
    if scenario.error is not None:
        (error,) = [r.json for r in callback_receiver.requests if r.callback_type == "error"]
        assert (error["code"], error["msg"]) == (scenario.error.code, scenario.error.msg)
        assert error["data"]["task_id"] == task_id
        assert error["data"]["data"] == ([] if scenario.error.data == "empty_list" else None)
        assert info["errorMessage"] == scenario.error.msg


async def test_receiver_down_sends_nothing_and_says_it_is_simulated(
    suno_mock_factory: SunoMockFactory,
    http: aiohttp.ClientSession,
    callback_receiver: CallbackReceiver,
) -> None:
    server = await suno_mock_factory(scenario="receiver-down")
    task_id = await Api(http, server.url).submit(GENERATE, generate_body(callback_receiver.url))
    assert isinstance(server.clock, ManualClock)
    await server.clock.advance(30)
    (text,) = server.deliveries(task_id)
    assert text.attempts[0].error == (
        "simulated by the scenario: receiver down (connection refused), nothing sent"
    )
    assert text.next_attempt_at == server.clock.now() + 10
    await server.clock.advance(minutes=5)
    assert callback_receiver.requests == []
    assert server.task(task_id).status == "CALLBACK_EXCEPTION"


async def test_slow_receiver_is_called_but_its_answer_counts_as_a_timeout(
    suno_mock_factory: SunoMockFactory,
    http: aiohttp.ClientSession,
    callback_receiver: CallbackReceiver,
) -> None:
    server = await suno_mock_factory(scenario="slow-receiver")
    task_id = await Api(http, server.url).submit(GENERATE, generate_body(callback_receiver.url))
    assert isinstance(server.clock, ManualClock)
    await server.clock.advance(30)
    (text,) = server.deliveries(task_id)
    assert text.attempts[0].status is None
    assert text.attempts[0].error == (
        "simulated by the scenario: slow receiver; its answer (HTTP 200) counts as none "
        "within callback_timeout=15 s"
    )
    assert text.attempts[0].response_body == '{"status": "received"}'
    assert [r.callback_type for r in callback_receiver.requests] == ["text"]
    assert text.next_attempt_at == server.clock.now() + 30
