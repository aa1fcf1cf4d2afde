"""The public surface a test author annotates with and calls: exports and argument checks."""

from __future__ import annotations

import pytest

import mock_server
from mock_server import CallbackReceiver, SunoMock


def test_every_public_name_resolves_and_is_listed() -> None:
    for name in mock_server.__all__:
        assert getattr(mock_server, name) is not None, name
    assert set(dir(mock_server)) == set(mock_server.__all__)
    for name in (
        "SunoMock",
        "SunoMockThread",
        "CallbackReceiver",
        "CallbackReceiverThread",
        "ReceivedCallback",
        "Scenario",
        "Delivery",
        "Settings",
    ):
        assert name in mock_server.__all__
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        _ = mock_server.Nope  # type: ignore[attr-defined]


@pytest.mark.asyncio
async def test_helpers_reject_unknown_names_at_once(suno_mock: SunoMock) -> None:
    with pytest.raises(
        ValueError,
        match=r"type 'completed'; did you mean 'complete'\?; allowed: text, first, complete, error",
    ):
        await suno_mock.wait_for_callback("any", "completed")
    with pytest.raises(ValueError, match="unknown task status 'DONE'; allowed: PENDING, TEXT_"):
        await suno_mock.wait_for_status("any", "DONE")
    with pytest.raises(ValueError, match="unknown callback type 'txt'"):
        suno_mock.assert_callback_sequence("any", ["txt"])
    with pytest.raises(TypeError, match="got the string 'text'"):
        suno_mock.assert_callback_sequence("any", "text")
    with pytest.raises(ValueError, match="within must be a positive number"):
        await suno_mock.wait_for_callback("any", "text", within=0)
    with pytest.raises(ValueError, match="path must start with '/'"):
        suno_mock.assert_requested("api/v1/generate")
    assert suno_mock.clock.now() == suno_mock.settings.start_time  # no time was spent


@pytest.mark.asyncio
async def test_receiver_rejects_a_bad_script(callback_receiver: CallbackReceiver) -> None:
    with pytest.raises(ValueError, match=r"statuses are HTTP codes 100-599, got \[2000\]"):
        callback_receiver.respond_with(statuses=[500, 2000])
    with pytest.raises(ValueError, match="delays are seconds >= 0"):
        callback_receiver.respond_with(statuses=[200], delay=[-1.0])
