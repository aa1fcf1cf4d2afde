"""A synchronous client (requests) under test: the mock and the callback receiver run in threads."""

import requests

from mock_server import CallbackReceiverThread, SunoMockThread

HEADERS = {"Authorization": "Bearer any-key"}  # any non-empty key is accepted


def generate(api_url: str, callback_url: str) -> str:
    """The code under test: submit a song and return its task id."""
    body = {
        "customMode": False,
        "instrumental": False,
        "model": "V4_5",
        "prompt": "a calm piano song about rain",
        "callBackUrl": callback_url,
    }
    resp = requests.post(f"{api_url}/api/v1/generate", json=body, headers=HEADERS, timeout=5)
    envelope = resp.json()
    assert envelope["code"] == 200, envelope["msg"]
    return str(envelope["data"]["taskId"])


def test_generate_with_a_sync_client(
    suno_mock_threaded: SunoMockThread, callback_receiver_threaded: CallbackReceiverThread
) -> None:
    task_id = generate(suno_mock_threaded.api_url, callback_receiver_threaded.url)

    delivered = suno_mock_threaded.wait_for_callback(task_id, "complete")  # no real waiting

    assert delivered.response_status == 200  # the receiver answered, in its own thread
    suno_mock_threaded.assert_callback_sequence(task_id, ["text", "first", "complete"])
    received = callback_receiver_threaded.requests
    assert [r.callback_type for r in received] == ["text", "first", "complete"]
    assert received[-1].json["data"]["task_id"] == task_id
    info = requests.get(
        f"{suno_mock_threaded.api_url}/api/v1/generate/record-info",
        params={"taskId": task_id},
        headers=HEADERS,
        timeout=5,
    ).json()
    assert info["data"]["status"] == "SUCCESS"
