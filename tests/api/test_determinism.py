"""Same seed + same requests => byte-identical answers, callbacks and record-info."""

from __future__ import annotations

import aiohttp

from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import SunoMockFactory, generate_body


async def run_session(factory: SunoMockFactory, seed: int) -> list[bytes]:
    """Submit three tasks to a fresh server, run them to the end; return every byte seen."""
    server = await factory(seed=seed, public_base_url="http://mock.invalid")
    seen: list[bytes] = []
    async with (
        CallbackReceiver() as receiver,
        aiohttp.ClientSession(headers={"Authorization": "Bearer k"}) as http,
    ):
        task_ids = []
        bodies = [
            generate_body(receiver.url),
            generate_body(
                receiver.url, customMode=False, prompt="a song about rain", title=None, style=None
            ),
            generate_body(receiver.url, instrumental=True, prompt=None, model="V5"),
        ]
        for body in bodies:
            async with http.post(server.url + "/api/v1/generate", json=body) as resp:
                raw = await resp.read()
                seen.append(raw)
                task_ids.append((await resp.json())["data"]["taskId"])
        await server.clock.advance(150)
        for task_id in task_ids:
            url = f"{server.url}/api/v1/generate/record-info?taskId={task_id}"
            async with http.get(url) as resp:
                seen.append(await resp.read())
        # Stages of different tasks due at the same instant are delivered concurrently, so
        # their arrival order is not part of the contract; their bytes are.
        seen.extend(sorted(r.raw for r in receiver.requests))
        # The receiver's port (inside record-info `param`) is the one thing that differs.
        return [s.replace(receiver.url.encode(), b"<receiver>") for s in seen]


async def test_same_seed_same_bytes(suno_mock_factory: SunoMockFactory) -> None:
    first = await run_session(suno_mock_factory, seed=7)
    second = await run_session(suno_mock_factory, seed=7)
    assert len(first) == 3 + 3 + 9
    assert first == second


async def test_another_seed_other_ids_and_titles(suno_mock_factory: SunoMockFactory) -> None:
    first = await run_session(suno_mock_factory, seed=7)
    other = await run_session(suno_mock_factory, seed=8)
    assert first[0] != other[0]  # task id
    assert first[4] != other[4]  # record-info of the generated-title task
