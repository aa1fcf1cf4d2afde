"""The plugin in the projects users have: pytest-asyncio strict mode (its default), auto mode,
and sync tests; each is an inner pytest run with an ini of its own.
(tests/integration/test_install.py runs the examples again in a fresh process and environment
that installed the wheel.)"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.helpers import ROOT

EXAMPLES = ROOT / "tests" / "examples"
README_EXAMPLE = (EXAMPLES / "test_extend_flow.py").read_text()
SYNC_EXAMPLE = (EXAMPLES / "test_sync_client.py").read_text()
STRICT_INI = "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
AUTO_INI = STRICT_INI + "asyncio_mode = auto\n"
SUBMIT = """
import json
import urllib.request


def submit(api_url, callback_url="http://127.0.0.1:9/cb", timeout=5):
    body = json.dumps({"customMode": False, "instrumental": False, "model": "V4",
                       "prompt": "rain", "callBackUrl": callback_url}).encode()
    request = urllib.request.Request(
        api_url + "/api/v1/generate", data=body,
        headers={"Authorization": "Bearer k", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return json.load(resp)
    except urllib.error.HTTPError as err:
        return {"http": err.code, **json.load(err)}
"""


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "no:cacheprovider", *args)


def assert_mode(result: pytest.RunResult, mode: str) -> None:
    assert re.search(rf"^asyncio: mode=\S*{mode},", result.stdout.str(), re.I | re.M)


def test_readme_example_copied_into_a_strict_mode_project(pytester: pytest.Pytester) -> None:
    # No asyncio_mode anywhere: pytest-asyncio's default, strict, is what a new project has.
    pytester.makeini("[pytest]\n")
    pytester.makepyfile(test_readme_example=README_EXAMPLE, test_sync_example=SYNC_EXAMPLE)
    result = run(pytester, "-W", "ignore::pytest.PytestDeprecationWarning")
    assert_mode(result, "strict")
    result.assert_outcomes(passed=2)


def test_readme_example_in_an_auto_mode_project_marked_or_not(pytester: pytest.Pytester) -> None:
    unmarked = README_EXAMPLE.replace("@pytest.mark.asyncio", "")
    assert unmarked != README_EXAMPLE
    pytester.makeini(AUTO_INI + "filterwarnings = error\n")
    pytester.makepyfile(test_marked=README_EXAMPLE, test_unmarked=unmarked)
    result = run(pytester)
    assert_mode(result, "auto")
    result.assert_outcomes(passed=2)


def test_strict_mode_fixtures_and_clear_failures(pytester: pytest.Pytester) -> None:
    pytester.makeini(STRICT_INI + "filterwarnings = error\n")
    pytester.makepyfile(
        test_strict="""
import pytest


@pytest.mark.asyncio
async def test_every_async_fixture(suno_mock, suno_mock_factory, callback_receiver):
    other = await suno_mock_factory(seed=5)
    assert other.settings.seed == 5 and suno_mock.url != other.url
    assert callback_receiver.url.startswith("http://127.0.0.1:")


@pytest.mark.asyncio
async def test_a_second_one_on_a_new_loop(suno_mock):
    await suno_mock.clock.advance(1)


async def test_unmarked(suno_mock):
    pass


def test_sync_asks_for_the_in_loop_server(suno_mock):
    pass


def test_sync_asks_for_the_in_loop_receiver(callback_receiver):
    pass
"""
    )
    result = run(pytester)
    result.assert_outcomes(passed=2, errors=3)
    result.stdout.fnmatch_lines(
        [
            "*test_unmarked is an async test without @pytest.mark.asyncio, so pytest-asyncio *",
            "*test_sync_asks_for_the_in_loop_server is a plain (sync) test, but suno_mock serves"
            " on an asyncio event loop that does not run during a sync test. Use "
            "suno_mock_threaded*",
            "*Use callback_receiver_threaded*",
        ]
    )


def test_threaded_fixtures_have_every_helper(pytester: pytest.Pytester) -> None:
    pytester.makeini(STRICT_INI + "filterwarnings = error\n")
    pytester.makepyfile(support=SUBMIT)
    pytester.makepyfile(
        test_sync="""
import time

import pytest

from support import submit


def test_helpers(suno_mock_threaded, callback_receiver_threaded):
    mock = suno_mock_threaded
    started = time.perf_counter()
    task_id = submit(mock.api_url, callback_receiver_threaded.url)["data"]["taskId"]
    delivered = mock.wait_for_callback(task_id, "complete")
    assert delivered.response_status == 200
    print(f"callbacks in {time.perf_counter() - started:.3f} s")
    mock.assert_callback_sequence(task_id, ["text", "first", "complete"])
    assert [r.callback_type for r in callback_receiver_threaded.wait_for(3)] == [
        "text", "first", "complete"]
    assert mock.wait_for_status(task_id, "SUCCESS").status == "SUCCESS"
    assert [t.id for t in mock.tasks()] == [task_id] and mock.task(task_id).id == task_id
    assert [d.callback_type for d in mock.deliveries(task_id)] == ["text", "first", "complete"]
    mock.assert_requested("/api/v1/generate", times=1)
    assert "1. POST /api/v1/generate -> HTTP 200 code=200" in mock.describe()
    assert mock.now() - mock.settings.start_time == 150
    with pytest.raises(ValueError, match="type 'completed'; did you mean 'complete'[?]; allowed: "):
        mock.wait_for_callback(task_id, "completed")
    with pytest.raises(ValueError, match="unknown task status 'DONE'; allowed: PENDING, "):
        mock.wait_for_status(task_id, "DONE")

    mock.next_task(scenario="copyright-violation")
    failed = submit(mock.api_url, callback_receiver_threaded.url)["data"]["taskId"]
    mock.wait_for_callback(failed, "error")
    assert mock.task(failed).status == "GENERATE_AUDIO_FAILED"
    mock.use_scenario("skip-to-complete")
    skipped = submit(mock.api_url, callback_receiver_threaded.url)["data"]["taskId"]
    mock.run_until_idle()
    mock.assert_callback_sequence(skipped, ["complete"])
    assert len(mock.requests) == 3
    report = mock.probe(callback_receiver_threaded.url, only=["sequence"])
    assert report.ok, report.to_text()
    mock.reset()
    assert mock.tasks() == [] and mock.requests == []


@pytest.mark.suno_mock(seed=7, callback_timeout=0.2)
def test_marker_and_scripted_receiver(suno_mock_threaded, callback_receiver_threaded):
    assert suno_mock_threaded.settings.seed == 7
    callback_receiver_threaded.respond_with(statuses=[500, 200])
    task_id = submit(suno_mock_threaded.api_url, callback_receiver_threaded.url)["data"]["taskId"]
    text = suno_mock_threaded.wait_for_callback(task_id, "text", accept_failed=True)
    assert text.response_status == 500
    suno_mock_threaded.advance(minutes=1)
    assert suno_mock_threaded.deliveries(task_id)[0].state == "delivered"


def test_failing_sequence_shows_the_journal(suno_mock_threaded):
    task_id = submit(suno_mock_threaded.api_url)["data"]["taskId"]
    suno_mock_threaded.assert_callback_sequence(task_id, ["complete"])
"""
    )
    result = run(pytester, "-s")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*callbacks in 0.* s", "E   *requests received:"])
    assert "expected ['complete'], got []" in result.stdout.str()


def test_blocking_client_in_an_async_test_is_answered_and_explained(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(AUTO_INI)
    pytester.makepyfile(support=SUBMIT)
    pytester.makepyfile(
        test_blocking="""
import pytest

from support import submit


@pytest.mark.suno_mock(blocked_loop_timeout=0.2)
async def test_requests_style_call_on_the_loop(suno_mock):
    answer = submit(suno_mock.api_url)  # blocks the loop the server needs
    assert answer["http"] == 500 and answer["code"] == 500
    assert "Use the suno_mock_threaded fixture" in answer["msg"]


@pytest.mark.suno_mock(blocked_loop_timeout=0.2)
async def test_the_wait_told_is_the_clients_not_the_idle_loops(suno_mock):
    import asyncio
    import re
    await asyncio.sleep(0.5)  # the loop idles: nobody waits on the server meanwhile
    answer = submit(suno_mock.api_url)
    waited = float(re.search(r"waited ([0-9.]+) s", answer["msg"]).group(1))
    assert 0.2 <= waited < 0.45, answer["msg"]


@pytest.mark.suno_mock(blocked_loop_timeout=0.2)
async def test_a_slow_async_test_is_left_alone(suno_mock):
    import asyncio
    import time
    time.sleep(0.4)  # the loop is blocked, but nobody waits on the server
    await asyncio.sleep(0)
"""
    )
    result = run(pytester)
    result.assert_outcomes(passed=3, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*suno_mock teardown:",
            "*suno_mock: a client waited 0.* s for this server while the event loop that serves "
            "it did not run.*",
            "The loop's thread was here:",
            "*test_blocking.py*in test_requests_style_call_on_the_loop",
        ]
    )


def test_importing_the_plugin_loads_nothing_heavy() -> None:
    # The plugin is imported by every pytest run where the package is installed.
    code = (
        "import sys, mock_server.pytest_plugin\n"
        "heavy = ['aiohttp', 'pydantic', 'yaml', 'mock_server.core.settings',"
        " 'mock_server.testing', 'mock_server.server']\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


SESSION_INI = (
    "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = session\n"
    "asyncio_default_test_loop_scope = session\nsuno_mock_scope = session\n"
    "filterwarnings = error\n"
)
REUSE = """
import asyncio

import pytest

from support import submit

seen = {}


async def asubmit(api_url, callback_url="http://127.0.0.1:9/cb"):
    return (await asyncio.to_thread(submit, api_url, callback_url))["data"]["taskId"]


async def run_one(name, mock, receiver):
    task_id = await asubmit(mock.api_url, receiver.url)
    await mock.wait_for_callback(task_id, "complete")
    seen[name] = (mock.url, task_id, [d.payload for d in mock.deliveries(task_id)],
                  mock.task(task_id).status)


async def test_first_leaves_a_mess(suno_mock, callback_receiver):
    await run_one("first", suno_mock, callback_receiver)
    suno_mock.use_scenario("copyright-violation")
    suno_mock.next_task(scenario="sensitive-word")
    await asubmit(suno_mock.api_url)
    await suno_mock.clock.advance(minutes=30)


async def test_second_sees_a_new_server(suno_mock, callback_receiver):
    assert suno_mock.tasks() == [] and suno_mock.requests == [] and suno_mock.deliveries() == []
    assert suno_mock.clock.now() == suno_mock.settings.start_time
    await run_one("second", suno_mock, callback_receiver)


@pytest.mark.suno_mock(seed=9)
async def test_other_settings_get_their_own_server(suno_mock):
    seen["seed9"] = suno_mock.url


def test_threaded_is_reused_and_restored_too(suno_mock_threaded):
    task_id = submit(suno_mock_threaded.api_url)["data"]["taskId"]
    suno_mock_threaded.use_scenario("skip-to-complete")
    seen.setdefault("threaded", []).append((suno_mock_threaded.url, task_id))


def test_threaded_again(suno_mock_threaded):
    assert suno_mock_threaded.tasks() == []
    test_threaded_is_reused_and_restored_too(suno_mock_threaded)


def test_compare():
    first, second = seen["first"], seen["second"]
    assert first[0] == second[0]  # the same server
    assert first[1:] == second[1:]  # the same ids, callback bytes and status as a new one
    assert seen["seed9"] != first[0]
    (url1, id1), (url2, id2) = seen["threaded"]
    assert url1 == url2 and id1 == id2
"""


def test_session_scope_reuses_servers_and_restores_them(pytester: pytest.Pytester) -> None:
    pytester.makeini(SESSION_INI)
    pytester.makepyfile(support=SUBMIT, test_reuse=REUSE)
    run(pytester).assert_outcomes(passed=6)


def test_session_scope_needs_one_loop(pytester: pytest.Pytester) -> None:
    pytester.makeini(AUTO_INI + "suno_mock_scope = session\n")
    pytester.makepyfile(test_loop="async def test_own_loop(suno_mock):\n    pass\n")
    result = run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*suno_mock_scope = session keeps one in-loop server*"])
