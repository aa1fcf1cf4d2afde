"""Error paths by scenario: per test with the marker, or for the next task only."""

import aiohttp
import pytest

from mock_server import CallbackReceiver, SunoMock

BODY = {"customMode": False, "instrumental": False, "model": "V4_5", "prompt": "rain"}


async def submit(api_url: str, callback_url: str) -> str:
    headers = {"Authorization": "Bearer any-key"}
    async with aiohttp.ClientSession(headers=headers) as http:
        body = {**BODY, "callBackUrl": callback_url}
        async with http.post(f"{api_url}/api/v1/generate", json=body) as resp:
            envelope = await resp.json()
    return str(envelope["data"]["taskId"])


@pytest.mark.asyncio
@pytest.mark.suno_mock(scenario="copyright-violation")
async def test_every_task_of_this_test_fails(
    suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    task_id = await submit(suno_mock.api_url, callback_receiver.url)

    error = await suno_mock.wait_for_callback(task_id, "error")

    assert error.body["code"] == 400
    assert error.body["data"]["callbackType"] == "error"
    suno_mock.assert_callback_sequence(task_id, ["text", "error"])
    assert suno_mock.task(task_id).status == "GENERATE_AUDIO_FAILED"


@pytest.mark.asyncio
async def test_only_the_next_task_fails(
    suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    suno_mock.next_task(scenario="sensitive-word")
    failed = await submit(suno_mock.api_url, callback_receiver.url)
    fine = await submit(suno_mock.api_url, callback_receiver.url)

    await suno_mock.wait_for_status(fine, "SUCCESS")

    assert suno_mock.task(failed).status == "SENSITIVE_WORD_ERROR"
