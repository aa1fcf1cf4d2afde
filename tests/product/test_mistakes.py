"""A user's mistake, seen from the user's side: the error first, the nearest valid name, what is
allowed and the fix, in at most 5 lines of command-line output or 40 lines of pytest output,
with no frame of the mock's own code."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from mock_server import ManualClock, Settings
from mock_server.cli import banner
from mock_server.cli.serve import SERVE_FLAGS
from mock_server.cli.usage import FLAG_GROUPS
from mock_server.core.hints import mistake, nearest
from mock_server.core.net import LoopbackHint, in_container
from mock_server.testing import SunoMock
from mock_server.testing.receiver import CallbackReceiver
from tests.helpers import Api, SunoMockFactory, generate_body
from tests.product.test_plugin import INI, SUPPORT, run

CLI_LINES = 5
PYTEST_LINES = 40


def cli(*argv: str, env: dict[str, str] | None = None) -> tuple[int, list[str]]:
    """`suno-mock ARGV` as a user runs it; its exit code and what it printed, as lines."""
    done = subprocess.run(
        [sys.executable, "-m", "mock_server", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    return done.returncode, (done.stdout + done.stderr).splitlines()


@pytest.fixture
def inner(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini(INI)
    pytester.makepyfile(tests_support=SUPPORT)
    pytester.syspathinsert()
    return pytester


def test_nearest_name() -> None:
    assert nearest("senario", ["seed", "scenario"]) == "scenario"
    assert nearest("copyright_violation", ["copyright-violation", "maintenance"]) == (
        "copyright-violation"
    )
    assert nearest("zzz", ["seed", "scenario"]) is None
    assert mistake("unknown key", got="stage", choices=["stages", "error"], fix="rename it") == (
        "unknown key; did you mean 'stages'?; allowed: stages, error; fix: rename it"
    )


@pytest.mark.parametrize(
    ("argv", "first", "hint"),
    [
        (
            ["serve", "--time-scale", "fast"],
            "suno-mock serve: error: argument --time-scale: not a number: 'fast'",
            "--time-scale SCALE: real seconds per mock second; 0.01 runs the 21 min retry "
            "schedule in 12.6 s",
        ),
        (
            ["serve", "--tme-scale", "2"],
            "suno-mock serve: error: unrecognized arguments: --tme-scale 2",
            "did you mean --time-scale?",
        ),
        (
            ["serve", "--log-format", "jsn"],
            "suno-mock serve: error: argument --log-format: invalid choice: 'jsn' "
            "(choose from 'text', 'json')",
            "did you mean --log-format json?",
        ),
        (
            ["serv"],
            "suno-mock: error: argument COMMAND: invalid choice: 'serv'",
            "did you mean serve?",
        ),
    ],
)
def test_a_bad_flag_is_a_few_lines_with_the_fix(
    argv: list[str], first: str, hint: str | None
) -> None:
    code, lines = cli(*argv)
    assert code == 2
    assert len(lines) <= CLI_LINES, lines
    assert lines[0].startswith(first), lines
    if hint is not None:
        assert lines[1].strip() == hint
    assert lines[-1].strip().startswith("(see `suno-mock")
    assert lines[-1].endswith("--help`)")
    assert "usage:" not in "\n".join(lines)


def test_a_misspelt_variable_is_warned_of_and_a_bad_choice_suggested() -> None:
    env = {"PATH": "/usr/bin:/bin", "SUNO_MOCK_TIME_SCALEE": "2", "SUNO_MOCK_LOG_FORMAT": "jsn"}
    code, lines = cli("serve", env=env)
    assert code == 2
    assert lines == [
        "suno-mock: warning: SUNO_MOCK_TIME_SCALEE is not a setting (ignored); did you mean "
        "SUNO_MOCK_TIME_SCALE?",
        "suno-mock: error: SUNO_MOCK_LOG_FORMAT='jsn': not allowed; did you mean 'json'?; "
        "allowed: text, json",
    ]


def test_every_serve_flag_is_listed_in_a_group() -> None:
    listed = [dest for _, members in FLAG_GROUPS.values() for dest in members]
    assert sorted(set(listed)) == sorted(listed), "a flag listed twice"
    missing = [f.dest for f in SERVE_FLAGS if f.dest not in listed]
    assert missing == [], f"add {missing} to FLAG_GROUPS in mock_server/cli/usage.py"
    stale = sorted(set(listed) - {f.dest for f in SERVE_FLAGS})
    assert stale == [], f"remove {stale} from FLAG_GROUPS: no serve flag has that name"


def test_serve_help_is_grouped() -> None:
    code, lines = cli("serve", "--help")
    assert code == 0
    assert lines[0] == "usage: suno-mock serve [--host HOST] [--port PORT] [FLAG ...]"
    headings = [line.rstrip(":") for line in lines if line and not line[0].isspace()]
    groups = ["server", "time", "delivery", "scenarios", "limits", "safety", "logging"]
    assert [h for h in headings if h in groups] == groups
    section = lines[lines.index("time:") : lines.index("delivery:")]
    assert any(line.strip().startswith("--time-scale") for line in section)


def test_check_suggests_the_key_and_gives_its_line(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("version: 1\ndescription: typo below\nstage: {text: 30s}\n")
    code, lines = cli("check", str(path))
    assert code == 1
    assert len(lines) <= CLI_LINES, lines
    assert lines == [
        f"{path}: line 3: stage: unknown key; did you mean 'stages'?; allowed: version, name, "
        "description, match, stages, error, delivery, api, payload"
    ]


@pytest.mark.parametrize(
    ("marker", "wanted"),
    [
        ('senario="copyright-violation"', "unknown setting 'senario'; did you mean 'scenario'?"),
        (
            'scenario="copyright_violation"',
            "unknown scenario 'copyright_violation'; did you mean 'copyright-violation'?",
        ),
    ],
)
def test_a_misspelt_marker_keyword_or_scenario_is_named_in_a_few_lines(
    inner: pytest.Pytester, marker: str, wanted: str
) -> None:
    result = run(
        inner,
        f"""
@pytest.mark.suno_mock({marker})
async def test_typo(suno_mock):
    pass
""",
    )
    result.assert_outcomes(errors=1)
    out = result.stdout.lines
    assert len(out) <= PYTEST_LINES, "\n".join(out)
    assert any(wanted in line for line in out), "\n".join(out)
    assert not any("mock_server/" in line for line in out), "no frame of the mock's code"


def test_a_misspelt_scenario_in_the_test_shows_the_test_line_only(
    inner: pytest.Pytester,
) -> None:
    result = run(
        inner,
        """
async def test_typo(suno_mock):
    suno_mock.use_scenario("copyright_violation")


def test_typo_threaded(suno_mock_threaded):
    suno_mock_threaded.next_task(scenario="copyright_violation")
""",
    )
    result.assert_outcomes(failed=2)
    out = result.stdout.lines
    assert len(out) <= 2 * PYTEST_LINES, "\n".join(out)
    text = "\n".join(out)
    assert text.count("did you mean 'copyright-violation'?") >= 2, text
    assert "mock_server/" not in text, text


def test_wait_for_callback_fails_loudly_when_the_receiver_never_accepted(
    inner: pytest.Pytester,
) -> None:
    result = run(
        inner,
        """
@pytest.mark.suno_mock(retry_delays=[1, 1])
async def test_closed_port(suno_mock):
    task_id = await submit(suno_mock, "http://127.0.0.1:9/cb")
    await suno_mock.wait_for_callback(task_id, "complete")


@pytest.mark.suno_mock(retry_delays=[1])
async def test_accepting_failed_ones(suno_mock):
    task_id = await submit(suno_mock, "http://127.0.0.1:9/cb")
    delivered = await suno_mock.wait_for_callback(task_id, "complete", accept_failed=True)
    assert delivered.state != "delivered"
    assert "payload" not in repr(delivered) and "b'" not in repr(delivered)
    assert repr(delivered).startswith("<Delivery ")
""",
    )
    result.assert_outcomes(failed=1, passed=1)
    text = "\n".join(result.stdout.lines)
    assert "the 'complete' callback of task" in text
    assert "was not accepted by the receiver (retries exhausted)" in text
    assert "sent: POST http://127.0.0.1:9/cb (" in text
    assert "answered: #1 failed: connection failed" in text
    assert "accept_failed=True" in text
    assert "mock_server/testing" not in text


async def test_control_plane_suggests_a_scenario_name(
    suno_mock: SunoMock, http: aiohttp.ClientSession
) -> None:
    url = f"{suno_mock.url}/__mock__/scenario"
    async with http.post(url, json={"next": "copyright_violation"}) as resp:
        status, envelope = resp.status, await resp.json()
    assert (status, envelope["code"]) == (400, 400)
    assert envelope["msg"].startswith(
        "unknown scenario 'copyright_violation'; did you mean 'copyright-violation'?; allowed: "
    )


async def test_reset_forgets_a_default_scenario_set_at_run_time(
    suno_mock_factory: SunoMockFactory, http: aiohttp.ClientSession
) -> None:
    server = await suno_mock_factory(scenario="duplicate-delivery")
    url = f"{server.url}/__mock__"
    async with http.post(f"{url}/scenario", json={"default": "audio-conflict"}) as resp:
        assert (await resp.json())["default"] == "audio-conflict"
    async with http.post(f"{url}/reset", json={}) as resp:
        assert resp.status == 200
    async with http.get(f"{url}/scenarios") as resp:
        assert (await resp.json())["default"] == "duplicate-delivery"  # the start state


def test_banner_prints_the_public_url() -> None:
    public = banner(Settings(public_base_url="https://mock.example.test/"), "0.0.0.0", 8080, "t", 1)  # noqa: S104
    assert (
        "  public URL:   https://mock.example.test   dashboard: https://mock.example.test/__mock__/"
        in public
    )
    published = banner(Settings(), "0.0.0.0", 8080, "t", 1.0, 18080)  # noqa: S104
    assert published[1] == (
        "  public URL:   http://127.0.0.1:18080   dashboard: http://127.0.0.1:18080/__mock__/"
    )
    assert not any("public URL" in line for line in banner(Settings(), "127.0.0.1", 8080, None, 1))


def test_container_detection(tmp_path: Path) -> None:
    assert not in_container(tmp_path)
    (tmp_path / "proc/1").mkdir(parents=True)
    (tmp_path / "proc/1/cgroup").write_text("0::/init.scope\n")
    assert not in_container(tmp_path)
    (tmp_path / "proc/1/cgroup").write_text("0::/system.slice/docker-0123abcd.scope\n")
    assert in_container(tmp_path)
    (tmp_path / "proc/1/cgroup").write_text("0::/\n")
    (tmp_path / ".dockerenv").touch()
    assert in_container(tmp_path)


async def test_a_failed_loopback_callback_in_a_container_logs_the_hint_once(
    suno_mock: SunoMock, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    suno_mock.engine.loopback_hint = LoopbackHint(container=True)
    api = Api(http, suno_mock.url)
    with caplog.at_level(logging.WARNING, logger="mock_server.core.net"):
        for _ in range(2):
            await api.submit("/api/v1/generate", generate_body("http://127.0.0.1:9/cb"))
        assert isinstance(suno_mock.clock, ManualClock)
        await suno_mock.clock.advance(31)
    hints = [r.getMessage() for r in caplog.records if r.name == "mock_server.core.net"]
    assert hints == [
        "callbacks to 127.0.0.1 cannot reach your machine: this mock runs in a container, where "
        "127.0.0.1 is the container itself. Give a callBackUrl the container can reach (with "
        "Docker: http://host.docker.internal:PORT/... and "
        "--add-host=host.docker.internal:host-gateway; in compose, the service's name) and "
        "allow that host with --allow-callback-host HOST (said once)"
    ]


async def test_no_hint_outside_a_container_or_for_an_answering_receiver(
    suno_mock: SunoMock,
    http: aiohttp.ClientSession,
    callback_receiver: CallbackReceiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    api = Api(http, suno_mock.url)
    assert isinstance(suno_mock.clock, ManualClock)
    callback_receiver.respond_with([503])
    with caplog.at_level(logging.WARNING, logger="mock_server.core.net"):
        suno_mock.engine.loopback_hint = LoopbackHint(container=False)
        await api.submit("/api/v1/generate", generate_body("http://127.0.0.1:9/cb"))
        await suno_mock.clock.advance(31)
        await suno_mock.reset()  # the first task's later callbacks would fail to loopback too
        suno_mock.engine.loopback_hint = LoopbackHint(container=True)
        await api.submit("/api/v1/generate", generate_body(callback_receiver.url))
        await suno_mock.clock.advance(31)
    assert len(callback_receiver.requests) == 1
    assert [r for r in caplog.records if r.name == "mock_server.core.net"] == []


@pytest.mark.parametrize(
    ("ini", "wanted"),
    [
        ("suno_mock_scope = sesion\n", "suno_mock_scope = 'sesion'; did you mean 'session'?"),
        (
            "suno_mock_settings =\n    sead = 1\n",
            "suno_mock: unknown setting 'sead'; did you mean 'seed'?",
        ),
    ],
)
def test_a_misspelt_ini_option_is_named(inner: pytest.Pytester, ini: str, wanted: str) -> None:
    inner.makeini(INI + ini)
    result = run(inner, "\nasync def test_any(suno_mock):\n    pass\n")
    out = result.stdout.lines + result.stderr.lines
    assert len(out) <= PYTEST_LINES, "\n".join(out)
    assert any(wanted in line for line in out), "\n".join(out)
    assert not any("mock_server/" in line for line in out), "\n".join(out)
