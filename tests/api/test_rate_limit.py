"""The documented rate limit: 20 submits per 10 s per API key, on the mock clock."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from mock_server import MockServer
from mock_server.core.settings import RateLimit, Settings, parse_rate_limit
from mock_server.testing import SunoMock
from tests.helpers import Api, SunoMockFactory, generate_body

GENERATE = "/api/v1/generate"
CB = "http://127.0.0.1:9/callback"
TOO_FREQUENT = {
    "code": 430,
    "msg": "Your call frequency is too high. Please try again later.",
    "data": None,
}


async def _post_as(http: aiohttp.ClientSession, server: MockServer, key: str) -> Any:
    headers = {"Authorization": f"Bearer {key}"}
    async with http.post(server.url + GENERATE, json=generate_body(CB), headers=headers) as resp:
        return await resp.json()


async def test_the_21st_submit_within_10_s_is_refused_per_key(
    suno_mock: SunoMock, http: aiohttp.ClientSession
) -> None:
    answers = [await _post_as(http, suno_mock, "key-a") for _ in range(21)]
    assert [a["code"] for a in answers] == [200] * 20 + [430]
    assert answers[-1] == TOO_FREQUENT
    assert len(suno_mock.tasks()) == 20  # the refused submit made no task

    assert (await _post_as(http, suno_mock, "key-b"))["code"] == 200  # another key: its own count
    status, envelope = await Api(http, suno_mock.url).get("/api/v1/generate/credit")
    assert (status, envelope["code"]) == (200, 200)  # polling is not counted

    await suno_mock.clock.advance(9.9)
    assert (await _post_as(http, suno_mock, "key-a"))["code"] == 430
    await suno_mock.clock.advance(0.1)  # the first submit left the window
    assert (await _post_as(http, suno_mock, "key-a"))["code"] == 200


async def test_rate_limit_is_a_setting(suno_mock_factory: SunoMockFactory, http: Any) -> None:
    off = await suno_mock_factory(rate_limit="off")
    assert [(await _post_as(http, off, "k"))["code"] for _ in range(25)] == [200] * 25
    tight = await suno_mock_factory(rate_limit="2/1m")
    assert [(await _post_as(http, tight, "k"))["code"] for _ in range(3)] == [200, 200, 430]
    assert Settings().rate_limit == "20/10s"
    for text in ("20/2000000s", "1/0.01ms", " 3 / 2m "):  # kept as written, read back alike
        assert Settings(rate_limit=text).rate == parse_rate_limit(text)
    assert Settings(rate_limit="off").rate_limit is None


@pytest.mark.parametrize(
    ("text", "limit"),
    [("20/10s", RateLimit(20, 10)), ("5 / 500ms", RateLimit(5, 0.5)), ("3/2m", RateLimit(3, 120)),
     ("1/1h", RateLimit(1, 3600)), ("7/30", RateLimit(7, 30)), ("off", None), ("OFF", None)],
)  # fmt: skip
def test_rate_limit_syntax(text: str, limit: RateLimit | None) -> None:
    assert parse_rate_limit(text) == limit


@pytest.mark.parametrize("text", ["20", "0/10s", "20/0s", "twenty/10s", "20/10d"])
def test_bad_rate_limit_says_what_it_expects(text: str) -> None:
    with pytest.raises(ValueError, match="rate limit must look like '20/10s'"):
        Settings(rate_limit=text)


async def test_the_code_is_a_setting(suno_mock_factory: SunoMockFactory, http: Any) -> None:
    server = await suno_mock_factory(rate_limit="1/1m", rate_limit_code=405)
    answers = [await _post_as(http, server, "k") for _ in range(2)]
    assert answers[1] == {"code": 405, "msg": "Rate limit exceeded", "data": None}
