"""The drift guard: the mock's answers and callbacks have the shapes the real service sent.

Each file in tests/fixtures/real/ holds a payload captured from the real service (its
`source` says where it was found and `situation` what produced it; `docs-*` files are examples
of today's docs where no capture exists). Each test puts the mock in the same situation and
compares keys, nesting, value types and enum values (mock_server.drift.shape). A change that drifts
from reality fails here.
"""

from __future__ import annotations

import json
from typing import Any

from mock_server import ManualClock, MockServer
from mock_server.drift.shape import DEFAULT_ENUMS, compare
from mock_server.testing import SunoMock
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import ROOT, Api, SunoMockFactory

REAL = ROOT / "tests" / "fixtures" / "real"
ENUMS = DEFAULT_ENUMS | {"modelName", "model_name"}
"""Besides the API's enums, the internal model names must be the ones seen for each model."""


def real(name: str) -> Any:
    fixture = json.loads((REAL / f"{name}.json").read_text())
    assert fixture["source"]
    assert fixture["situation"]
    return fixture["payload"]


def request(model: str, **fields: Any) -> dict[str, Any]:
    """The captured request of the situation (custom mode, as in every capture)."""
    return {
        "customMode": True, "instrumental": False, "model": model,
        "prompt": "A calm piano melody about rain", "style": "Classical",
        "title": "Rainy Memories", "callBackUrl": "http://127.0.0.1:9/cb", **fields,
    }  # fmt: skip


def assert_same_shape(reference: Any, mock: Any, enums: frozenset[str] = ENUMS) -> None:
    differences = compare(reference, mock, enums=enums)
    assert not differences, "\n".join(str(d) for d in differences)


async def test_submit_answer(api: Api) -> None:
    _, answer = await api.post("/api/v1/generate", request("V4"))
    assert_same_shape(real("answer-submit-success"), answer)
    assert len(answer["data"]["taskId"]) == 32  # 32 lowercase hex, as captured


async def test_record_info_pending(api: Api) -> None:
    task_id = await api.submit("/api/v1/generate", request("V4"))
    _, answer = await api.get("/api/v1/generate/record-info", params={"taskId": task_id})
    reference = real("record-info-pending")
    assert_same_shape(reference, answer)
    assert list(answer["data"]) == list(reference["data"])  # the captured key order
    assert answer["data"]["createTime"] % 1000 == 0  # whole seconds, as captured


async def test_record_info_text_success(suno_mock: SunoMock, api: Api) -> None:
    body = request("V4_5ALL", title="Peaceful Piano Meditation")
    task_id = await api.submit("/api/v1/generate", body)
    await suno_mock.clock.advance(30)
    data = await api.record_info(task_id)
    assert data["status"] == "TEXT_SUCCESS"
    # Captured: only the first element of data.response.sunoData.
    assert_same_shape(real("record-info-text-success"), {"sunoData": data["response"]["sunoData"]})


async def test_record_info_success(suno_mock: SunoMock, api: Api) -> None:
    task_id = await api.submit("/api/v1/generate", request("V5", instrumental=True))
    await suno_mock.clock.advance(150)
    answer = await api.get("/api/v1/generate/record-info", params={"taskId": task_id})
    reference = real("record-info-success-kie")
    # The capture's author cut its second track down to three keys: compare with the first.
    reference["data"]["response"]["sunoData"] = reference["data"]["response"]["sunoData"][:1]
    assert_same_shape(reference, answer[1])


async def test_first_callback(
    suno_mock: SunoMock, api: Api, callback_receiver: CallbackReceiver
) -> None:
    await api.submit("/api/v1/generate", request("V4", callBackUrl=callback_receiver.url))
    await suno_mock.clock.advance(60)
    first = callback_receiver.requests[-1].json
    assert first["data"]["callbackType"] == "first"
    # The capture's model (chirp-v3-5) is one the API no longer offers: compare the rest.
    assert_same_shape(real("callback-first"), first, enums=DEFAULT_ENUMS)


async def test_text_callback(
    suno_mock: SunoMock, api: Api, callback_receiver: CallbackReceiver
) -> None:
    await api.submit("/api/v1/generate", request("V6", callBackUrl=callback_receiver.url))
    await suno_mock.clock.advance(30)
    assert_same_shape(real("docs-callback-text"), callback_receiver.requests[-1].json)


async def test_insufficient_credits(suno_mock_factory: SunoMockFactory, http: Any) -> None:
    server: MockServer = await suno_mock_factory(credits=0)
    _, answer = await Api(http, server.url).post("/api/v1/generate", request("V4"))
    reference = real("answer-429-insufficient-credits")
    assert_same_shape(reference, answer)
    assert answer == reference  # the message clients compare, exactly


async def _separated(
    server: MockServer, api: Api, receiver: CallbackReceiver, clock: ManualClock
) -> str:
    task_id = await api.submit("/api/v1/generate", request("V5", callBackUrl=receiver.url))
    await clock.advance(150)
    body = {"taskId": task_id, "audioId": server.task(task_id).tracks[0].id,
            "callBackUrl": receiver.url}  # fmt: skip
    job_id = await api.submit("/api/v1/vocal-removal/generate", body)
    await clock.advance(30)
    return job_id


async def test_vocal_removal_record_info_and_callback(
    suno_mock_factory: SunoMockFactory, http: Any, callback_receiver: CallbackReceiver
) -> None:
    # The example comes from kie.ai's page, which names the track `musicIndex`.
    server: MockServer = await suno_mock_factory(vocal_removal_track_field="musicIndex")
    api = Api(http, server.url)
    assert isinstance(server.clock, ManualClock)
    job_id = await _separated(server, api, callback_receiver, server.clock)
    assert_same_shape(real("docs-callback-separate-vocal"), callback_receiver.requests[-1].json)
    answer = await api.get("/api/v1/vocal-removal/record-info", params={"taskId": job_id})
    assert_same_shape(real("docs-vocal-removal-record-info"), answer[1])


async def test_midi_callback(
    suno_mock: SunoMock, api: Api, callback_receiver: CallbackReceiver
) -> None:
    job_id = await _separated(suno_mock, api, callback_receiver, suno_mock.clock)
    await api.submit(
        "/api/v1/midi/generate", {"taskId": job_id, "callBackUrl": callback_receiver.url}
    )
    await suno_mock.clock.advance(30)
    midi = callback_receiver.requests[-1].json
    for instrument in midi["data"]["instruments"]:  # the example shows two notes: compare two
        instrument["notes"] = instrument["notes"][:2]
    assert_same_shape(real("docs-callback-midi"), midi)
