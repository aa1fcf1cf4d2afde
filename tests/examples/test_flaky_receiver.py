"""A receiver that fails first: the mock retries after 1, 5 and 15 minutes of mock time."""

import aiohttp
import pytest

from mock_server import CallbackReceiver, SunoMock


@pytest.mark.asyncio
@pytest.mark.suno_mock(stage_delays={"text": 10, "first": 20, "complete": 30})
async def test_a_failed_callback_is_retried(
    suno_mock: SunoMock, callback_receiver: CallbackReceiver
) -> None:
    callback_receiver.respond_with(statuses=[500, 200])  # the first answer fails
    body = {
        "customMode": False,
        "instrumental": True,
        "model": "V5",
        "prompt": "rain on a tin roof",
        "callBackUrl": callback_receiver.url,
    }
    async with (
        aiohttp.ClientSession(headers={"Authorization": "Bearer k"}) as http,
        http.post(f"{suno_mock.api_url}/api/v1/generate", json=body) as resp,
    ):
        task_id = (await resp.json())["data"]["taskId"]

    # Waits through the retry (1 min later) until the receiver accepts the callback.
    text = await suno_mock.wait_for_callback(task_id, "text")
    assert [a.status for a in text.attempts] == [500, 200]  # refused once, then accepted
    assert text.state == "delivered"
    assert [r.callback_type for r in callback_receiver.requests] == [
        "text",
        "first",
        "complete",
        "text",
    ]
