"""The pytest plugin, tested through inner pytest runs (pytester)."""

from __future__ import annotations

import re

import pytest

INI = """
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
"""
HEADER = """
import aiohttp
import pytest

from tests_support import submit
"""
SUPPORT = """
import aiohttp

BODY = {"customMode": False, "instrumental": False, "model": "V4_5", "prompt": "rain"}


async def submit(mock, callback_url="http://127.0.0.1:9/cb", **changes):
    headers = {"Authorization": "Bearer k"}
    async with aiohttp.ClientSession(headers=headers) as http:
        body = {**BODY, "callBackUrl": callback_url, **changes}
        async with http.post(mock.api_url + "/api/v1/generate", json=body) as resp:
            envelope = await resp.json()
    return envelope["data"]["taskId"] if envelope["code"] == 200 else envelope
"""


@pytest.fixture
def inner(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini(INI)
    pytester.makepyfile(tests_support=SUPPORT)
    pytester.syspathinsert()
    return pytester


def run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(test_inner=HEADER + source)
    return pytester.runpytest("-p", "no:cacheprovider", *args)


def test_helpers_pass(inner: pytest.Pytester) -> None:
    result = run(
        inner,
        """
async def test_wait_and_assert(suno_mock, callback_receiver):
    task_id = await submit(suno_mock, callback_receiver.url)
    delivered = await suno_mock.wait_for_callback(task_id, "complete")
    assert delivered.response_status == 200
    assert delivered.response_body == '{"status": "received"}'
    assert suno_mock.clock.now() - suno_mock.settings.start_time == 150
    suno_mock.assert_callback_sequence(task_id, ["text", "first", "complete"])
    suno_mock.assert_requested("/api/v1/generate", times=1)
    suno_mock.assert_requested("/api/v1/generate")
    assert [r.callback_type for r in callback_receiver.requests] == ["text", "first", "complete"]


async def test_wait_for_status(suno_mock):
    task_id = await submit(suno_mock)
    await suno_mock.wait_for_status(task_id, "FIRST_SUCCESS")
    assert suno_mock.clock.now() - suno_mock.settings.start_time == 60


async def test_clock_and_reset(suno_mock, callback_receiver):
    await submit(suno_mock, callback_receiver.url)
    await suno_mock.clock.run_until_idle()
    assert [t.status for t in suno_mock.tasks()] == ["SUCCESS"]
    await suno_mock.reset()
    assert suno_mock.tasks() == [] and suno_mock.requests == []


@pytest.mark.suno_mock(seed=7, stage_delays={"text": 1, "first": 2, "complete": 3},
                       scenario="skip-to-complete")
async def test_marker(suno_mock, callback_receiver):
    assert suno_mock.settings.seed == 7
    task_id = await submit(suno_mock, callback_receiver.url)
    await suno_mock.wait_for_callback(task_id, "complete")
    suno_mock.assert_callback_sequence(task_id, ["complete"])


async def test_factory(suno_mock_factory):
    strict = await suno_mock_factory(api_keys=("k2",))
    other = await suno_mock_factory(seed=99)
    assert strict.settings.api_keys == ("k2",) and other.settings.seed == 99
    assert (await submit(strict))["code"] == 401
    assert isinstance(await submit(other), str)


@pytest.mark.suno_mock(callback_timeout=0.1)
async def test_receiver_scripts(suno_mock, callback_receiver):
    callback_receiver.respond_with(statuses=[500, 200])
    task_id = await submit(suno_mock, callback_receiver.url)
    text = await suno_mock.wait_for_callback(task_id, "text", accept_failed=True)
    assert text.response_status == 500
    await suno_mock.clock.advance(minutes=1)
    assert text.state == "delivered"
""",
        "-q",
    )
    result.assert_outcomes(passed=6)


def test_settings_precedence(inner: pytest.Pytester) -> None:
    inner.makeini(INI + "suno_mock_settings =\n    seed = 1\n    credits = 50\n    task_cost = 7\n")
    inner.makeconftest("""
import pytest

@pytest.fixture
def suno_mock_settings():
    return {"seed": 2, "credits": 60}
""")
    result = run(
        inner,
        """
async def test_fixture_over_ini(suno_mock):
    s = suno_mock.settings
    assert (s.seed, s.credits, s.task_cost) == (2, 60, 7)


@pytest.mark.suno_mock(seed=3)
async def test_marker_over_fixture(suno_mock):
    assert (suno_mock.settings.seed, suno_mock.settings.credits) == (3, 60)
""",
        "-q",
    )
    result.assert_outcomes(passed=2)


def test_the_default_settings_are_shared_and_cannot_be_changed(inner: pytest.Pytester) -> None:
    # Made once a session: a test that writes into it must not change the next test's server.
    result = run(
        inner,
        """
def test_writes(suno_mock_settings):
    with pytest.raises(TypeError):
        suno_mock_settings["seed"] = 5
    assert dict(suno_mock_settings) == {}


async def test_next(suno_mock, suno_mock_settings):
    assert suno_mock.settings.seed != 5 and dict(suno_mock_settings) == {}
""",
        "-q",
    )
    result.assert_outcomes(passed=2)


def test_a_helper_fixture_of_a_nested_run_reads_its_own_test(inner: pytest.Pytester) -> None:
    # The fixtures read the running test (its markers) without `request`; a pytester run
    # inside a test nests one test in another: each fixture reads its own test's marker,
    # the outer one too when it is set up after the nested run.
    inner.makepyfile(
        test_nested="""
import pytest

pytest_plugins = ["pytester"]
NESTED = (
    "import pytest\\n"
    "@pytest.mark.suno_mock(seed=22)\\n"
    "async def test_in(suno_mock):\\n"
    "    assert suno_mock.settings.seed == 22\\n"
)


@pytest.mark.suno_mock(seed=11)
def test_outer(request, pytester):
    pytester.makeini("[pytest]\\nasyncio_mode = auto\\n")
    pytester.makepyfile(test_in=NESTED)
    pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider").assert_outcomes(passed=1)
    # Set up after the nested run ended: it reads this test again.
    assert request.getfixturevalue("suno_mock_threaded").settings.seed == 11
"""
    )
    result = inner.runpytest("-q", "-p", "no:cacheprovider", "test_nested.py")
    result.assert_outcomes(passed=1)


def test_unknown_marker_keyword_fails_listing_the_valid_ones(inner: pytest.Pytester) -> None:
    result = run(
        inner,
        """
@pytest.mark.suno_mock(sead=7)
async def test_typo(suno_mock):
    pass
""",
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*suno_mock: unknown setting 'sead'; did you mean 'seed'?; allowed: *"]
    )


def test_factory_keywords_are_checked_as_the_marker_s_are(inner: pytest.Pytester) -> None:
    # A factory call's keywords: the plugin's options taken out, the rest checked as settings
    # (a name, a value, a scenario), each mistake failing the test with its fix.
    result = run(
        inner,
        """
async def test_typo(suno_mock_factory):
    await suno_mock_factory(sead=3)


async def test_bad_value(suno_mock_factory):
    await suno_mock_factory(seed="x")


async def test_unknown_scenario(suno_mock_factory):
    await suno_mock_factory(scenario="no-such-scenario")


@pytest.mark.suno_mock(seed=4)
async def test_options_and_settings(suno_mock_factory):
    mock = await suno_mock_factory(check_teardown=False, credits=7)
    assert mock.check_teardown is False
    assert (mock.settings.seed, mock.settings.credits) == (4, 7)
""",
    )
    result.assert_outcomes(passed=1, failed=3)
    result.stdout.fnmatch_lines_random(
        [
            "*suno_mock: unknown setting 'sead'; did you mean 'seed'?*",
            "*suno_mock: invalid settings*",
            "*suno_mock: scenario: *no-such-scenario*",
        ]
    )


def test_failing_helpers_show_what_happened(inner: pytest.Pytester) -> None:
    result = run(
        inner,
        """
async def test_wrong_sequence(suno_mock, callback_receiver):
    task_id = await submit(suno_mock, callback_receiver.url)
    callback_receiver.respond_with(statuses=[503])
    await suno_mock.wait_for_callback(task_id, "text", accept_failed=True)
    suno_mock.assert_callback_sequence(task_id, ["complete"])


async def test_never_called_back(suno_mock):
    await submit(suno_mock, "http://127.0.0.1:9/cb")
    await suno_mock.wait_for_callback("nope", "complete", within=200)


async def test_not_requested(suno_mock):
    await submit(suno_mock, model="V9")
    suno_mock.assert_requested("/api/v1/generate/extend")
""",
    )
    result.assert_outcomes(failed=3)
    out = result.stdout.str()
    for expected in (
        "AssertionError: callbacks for task ",
        "expected ['complete'], got ['text']",
        "requests received:",
        "1. POST /api/v1/generate -> HTTP 200 code=200 success",
        "callbacks attempted for task ",
        "-> HTTP 503 in ",
        '(receiver answered HTTP 503; only 200 counts as delivered) answer \'{"status": "error"}\'',
        "AssertionError: no 'complete' callback for task nope within 200 s of mock time",
        "expected /api/v1/generate/extend to be requested at least once, it was 0 time(s)",
        "POST /api/v1/generate -> HTTP 200 code=400 model: must be one of",
    ):
        assert expected in out, expected


def test_teardown_catches_a_crashed_handler(inner: pytest.Pytester) -> None:
    result = run(
        inner,
        """
def crash(*args, **kwargs):
    raise ZeroDivisionError("bug")


async def test_crash(suno_mock, monkeypatch):
    monkeypatch.setattr(suno_mock.engine.music, "accept", crash)
    assert (await submit(suno_mock))["code"] == 500


@pytest.mark.suno_mock(check_teardown=False)
async def test_crash_opted_out(suno_mock, monkeypatch):
    monkeypatch.setattr(suno_mock.engine.music, "accept", crash)
    assert (await submit(suno_mock))["code"] == 500
""",
    )
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*suno_mock teardown:",
            "*a request handler of the mock crashed: ZeroDivisionError('bug')",
            "*(to skip these checks: @pytest.mark.suno_mock(check_teardown=False))",
        ]
    )


def test_threaded_runner_for_sync_clients(inner: pytest.Pytester) -> None:
    result = run(
        inner,
        """
import json
import urllib.request


def test_sync_client(suno_mock_threaded):
    body = json.dumps({"customMode": False, "instrumental": False, "model": "V4",
                       "prompt": "rain", "callBackUrl": "http://127.0.0.1:9/cb"}).encode()
    request = urllib.request.Request(
        suno_mock_threaded.api_url + "/api/v1/generate", data=body,
        headers={"Authorization": "Bearer k", "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as resp:
        task_id = json.load(resp)["data"]["taskId"]
    suno_mock_threaded.advance(150)
    info_url = f"{suno_mock_threaded.api_url}/api/v1/generate/record-info?taskId={task_id}"
    request = urllib.request.Request(info_url, headers={"Authorization": "Bearer k"})
    with urllib.request.urlopen(request) as resp:
        assert json.load(resp)["data"]["status"] == "SUCCESS"
""",
        "-q",
    )
    result.assert_outcomes(passed=1)


def test_marker_and_fixtures_are_documented(inner: pytest.Pytester) -> None:
    markers = inner.runpytest("--markers")
    markers.stdout.fnmatch_lines(["@pytest.mark.suno_mock(**settings): configure this test*"])
    fixtures = inner.runpytest("--fixtures")
    fixtures.stdout.fnmatch_lines(
        [
            "suno_mock -- *pytest_plugin.py*",
            "*A started suno-mock-server on 127.0.0.1*",
        ]
    )
    for name in (
        "suno_mock_factory",
        "suno_mock_settings",
        "callback_receiver",
        "callback_receiver_threaded",
        "suno_mock_threaded",
    ):
        assert re.search(rf"^{name}( \[session scope\])? -- ", fixtures.stdout.str(), re.M), name


def test_settings_of_gives_the_same_settings_again_for_the_same_values() -> None:
    from pydantic import ValidationError

    from mock_server.core.settings import StageDelays, settings_of

    first = settings_of({"seed": 7, "api_keys": ["k"]})
    assert (first.seed, first.api_keys) == (7, ("k",))
    assert settings_of({"api_keys": ["k"], "seed": 7}) is first
    other = settings_of({"seed": 8})
    assert other is not first
    assert other.seed == 8
    delays = StageDelays(text=1, first=2, complete=3)  # not plain JSON: validated every time
    assert settings_of({"stage_delays": delays}).stage_delays == delays
    for _ in range(2):
        with pytest.raises(ValidationError):
            settings_of({"seed": "seven"})


def test_settings_of_no_values_are_the_defaults_a_validated_model_has() -> None:
    from mock_server.core.settings import Settings, settings_of

    defaults = settings_of({})  # constructed, not validated: the defaults are
    assert defaults == Settings.model_validate({}) == Settings()
    assert defaults.model_fields_set == set()
    assert defaults.model_dump() == Settings().model_dump()
    assert settings_of({}) is defaults


def test_the_package_is_not_assertion_rewritten(pytester: pytest.Pytester) -> None:
    # pytest would parse and recompile each of the package's modules at import (it marks every
    # module of a plugin's distribution); the package has no `assert` for it to rewrite. An
    # editable install (this checkout's) is not marked: the conftest marks it as pytest marks
    # a regular install at start.
    pytester.makeconftest('import pytest\n\npytest.register_assert_rewrite("mock_server")\n')
    pytester.makepyfile(
        test_inner="""
        import sys

        from mock_server.testing import SunoMock

        def test_loaders():
            server = sys.modules[SunoMock.__module__]
            assert type(server.__loader__).__name__ != "AssertionRewritingHook"
            assert type(__loader__).__name__ == "AssertionRewritingHook"  # the test's own: yes
        """
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-W", "ignore::pytest.PytestAssertRewriteWarning"
    )
    result.assert_outcomes(passed=1)


def test_a_suite_does_not_keep_the_servers_of_finished_tests(inner: pytest.Pytester) -> None:
    """Each test's server, its engine and its event loop are let go once the test ends: a
    suite of hundreds of tests must not hold hundreds of closed servers (nor pay for them in
    every garbage collection of the process)."""
    result = run(
        inner,
        """
import gc
import weakref

ENGINES = []


@pytest.mark.parametrize("n", range(12))
async def test_submit(n, suno_mock, callback_receiver):
    ENGINES.append(weakref.ref(suno_mock.engine))
    task_id = await submit(suno_mock, callback_receiver.url)
    await suno_mock.wait_for_callback(task_id, "complete")


def test_finished_servers_are_gone():
    gc.collect()
    alive = [ref() for ref in ENGINES if ref() is not None]
    assert len(ENGINES) == 12 and alive == []
""",
    )
    result.assert_outcomes(passed=13)


def test_a_test_imports_only_the_family_it_reaches(inner: pytest.Pytester) -> None:
    # A session pays every import of its first fixture use; a server that no test reached with a
    # submit has not imported the music family, a test that submits music must not pay for the
    # job, voice, upload and persona families, the probe or /openapi.json's builder, and a test
    # that names no scenario not for the scenario format (see docs/performance.md, "Families
    # imported when first reached"). A fresh process: this one has imported them all.
    inner.makepyfile(
        test_inner=HEADER
        + """
import sys

UNUSED = ("mock_server.families.jobs", "mock_server.families.voice",
          "mock_server.families.uploads", "mock_server.families.sync_ops",
          "mock_server.families.recovery", "mock_server.families.probe",
          "mock_server.families.registry", "mock_server.http.openapi", "mock_server.probe")


LATER = ("mock_server.families.music", "mock_server.scripting.scenario")


async def test_a_server_alone(suno_mock):
    async with aiohttp.ClientSession(headers={"Authorization": "Bearer k"}) as http:
        async with http.get(suno_mock.api_url + "/api/v1/generate/credit") as resp:
            assert (await resp.json())["code"] == 200
    assert sorted(m for m in sys.modules if m.startswith((*UNUSED, *LATER))) == []


async def test_one_music_task(suno_mock, callback_receiver):
    task_id = await submit(suno_mock, callback_receiver.url)
    await suno_mock.wait_for_callback(task_id, "complete")
    assert "mock_server.families.music.handlers" in sys.modules
    assert sorted(m for m in sys.modules if m.startswith(UNUSED)) == []
    assert "mock_server.scripting.scenario" not in sys.modules  # no scenario was named
"""
    )
    result = inner.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_the_first_use_does_not_set_off_a_full_collection(inner: pytest.Pytester) -> None:
    """The first test that uses the mock imports some 20,000 long-lived objects (the package,
    pydantic, the family it reaches). Left young, the collector counts them as newly old, and
    that count alone set off a collection of the whole heap about 100 tests later (Python 3.11;
    the fixed plugin's first comes after about 270). The plugin moves them to the oldest
    generation when that test ends (docs/performance.md, "The first use's imports made old at
    once"), unless objects are frozen already (Python 3.12 starts with some): those it leaves
    alone. A fresh process, counting full collections from then."""
    inner.makeconftest("import gc\n\nFROZEN_AT_START = gc.get_freeze_count()\n")
    inner.makepyfile(
        test_inner=HEADER
        + """
import gc

from conftest import FROZEN_AT_START

FULL = []


def count_full(phase, info):
    if phase == "start" and info["generation"] == 2:
        FULL.append(info)


async def test_first_use(suno_mock, callback_receiver):
    task_id = await submit(suno_mock, callback_receiver.url)
    await suno_mock.wait_for_callback(task_id, "complete")


def test_start_counting():
    gc.callbacks.append(count_full)


@pytest.mark.parametrize("n", range(200))
async def test_later(n, suno_mock, callback_receiver):
    task_id = await submit(suno_mock, callback_receiver.url)
    await suno_mock.wait_for_callback(task_id, "complete")


def test_no_full_collection():
    gc.callbacks.remove(count_full)
    if FROZEN_AT_START:
        assert gc.get_freeze_count() == FROZEN_AT_START  # not thawed
    else:
        assert FULL == []
"""
    )
    result = inner.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=203)


def test_an_interpreter_without_generations_runs_the_mock_all_the_same(
    inner: pytest.Pytester,
) -> None:
    """PyPy's collector has no `gc.freeze`: the plugin's move after the first use is left out
    there, and the suite runs (without the check, the first test's end raised AttributeError).
    A fresh process, with those functions taken away as PyPy has none."""
    inner.makeconftest("import gc\n\ndel gc.freeze, gc.unfreeze, gc.get_freeze_count\n")
    inner.makepyfile(
        test_inner=HEADER
        + """
@pytest.mark.parametrize("n", range(2))
async def test_submit(n, suno_mock, callback_receiver):
    task_id = await submit(suno_mock, callback_receiver.url)
    await suno_mock.wait_for_callback(task_id, "complete")
"""
    )
    result = inner.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
