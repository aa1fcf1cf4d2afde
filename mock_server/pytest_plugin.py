"""pytest plugin of suno-mock-server (entry point `pytest11`): fixtures and a marker, no logic.

    @pytest.mark.asyncio            # needed in pytest-asyncio's strict mode, harmless in auto
    async def test_extend(suno_mock: SunoMock, callback_receiver: CallbackReceiver) -> None: ...

    def test_sync_client(suno_mock_threaded: SunoMockThread,
                         callback_receiver_threaded: CallbackReceiverThread) -> None: ...

    @pytest.mark.suno_mock(scenario="copyright-violation", seed=7)
    async def test_error_path(suno_mock: SunoMock) -> None: ...

Async fixtures are `pytest_asyncio.fixture`s, as pytest-aiohttp's are, so they work in strict
and auto mode alike, on the loop the user's settings give the test. Everything but pytest and
pytest-asyncio (both loaded by pytest already) is imported when a fixture is first used: this
module is imported by every pytest run in an environment that has the package installed.

pytest-asyncio comes with the `pytest` extra. Without it this module still loads (a pytest run
that does not use it must not break), the threaded fixtures work, and the async ones fail with
the line that installs it.
"""

from __future__ import annotations

import gc
import importlib.util
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

if TYPE_CHECKING:
    from mock_server.testing import SunoMock, SunoMockThread
    from mock_server.testing.fixture_rules import Pool
    from mock_server.testing.receiver import CallbackReceiver, CallbackReceiverThread

__all__ = [
    "callback_receiver",
    "callback_receiver_threaded",
    "suno_mock",
    "suno_mock_factory",
    "suno_mock_settings",
    "suno_mock_threaded",
]

MARKER_HELP = (
    "suno_mock(**settings): configure this test's suno_mock server. Keywords: any Settings field "
    "(seed, api_keys, credits, task_cost, stage_delays, callback_timeout, retry_delays, "
    "allow_callback_hosts, scenario, ...), check_teardown=False and blocked_loop_timeout=SECONDS."
)


SCOPES = ("function", "session")
F = TypeVar("F", bound=Callable[..., Any])
INSTALL_EXTRA = 'pip install "suno-mock-server[pytest]"'
LOOP_SCOPE_OPTION = "asyncio_default_fixture_loop_scope"
HAS_PYTEST_ASYNCIO = importlib.util.find_spec("pytest_asyncio") is not None


def _async_fixture(**options: Any) -> Callable[[F], F]:
    """A `pytest_asyncio.fixture` with these options; without pytest-asyncio, a fixture of the
    same name and scope that fails the test with the install line (no traceback)."""
    if HAS_PYTEST_ASYNCIO:
        import pytest_asyncio

        return pytest_asyncio.fixture(**options)

    def missing_extra(function: F) -> F:
        name = function.__name__

        def needs_the_extra() -> None:
            pytest.fail(
                f"{name} is an async fixture and needs pytest-asyncio, which is not installed. "
                f"Install suno-mock-server's pytest extra: {INSTALL_EXTRA} (or use "
                f"suno_mock_threaded / callback_receiver_threaded in sync tests).",
                pytrace=False,
            )

        # Not functools.wraps: pytest would follow __wrapped__ and request the original's
        # fixtures, and the first to fail would be one the user never asked for.
        needs_the_extra.__doc__ = function.__doc__
        scope = options.get("scope", "function")
        return pytest.fixture(scope=scope, name=name)(needs_the_extra)  # type: ignore[return-value]

    return missing_extra


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "suno_mock_settings",
        type="linelist",
        help="suite-wide suno_mock settings, one `name = JSON value` per line",
    )
    parser.addini(
        "suno_mock_scope",
        default="function",
        help="function (default): a new suno_mock server per test; session: one server per "
        "distinct settings, restored to its start state after each test (large suites)",
    )


def _scope(config: pytest.Config) -> str:
    scope = str(config.getini("suno_mock_scope") or "function").strip()
    if scope not in SCOPES:
        from mock_server.core.hints import mistake

        pytest.fail(
            mistake(f"suno_mock_scope = {scope!r}", got=scope, choices=SCOPES, fix="set it in "
                    "your pytest configuration (pytest.ini, pyproject.toml, tox.ini)"),
            pytrace=False,
        )  # fmt: skip
    return scope


_RUNNING: list[pytest.Item] = []
"""The tests running now, the innermost last (an in-process pytester run nests one). The
fixtures read their test here rather than take `request`: pytest builds a fixture definition,
signature included, each time a fixture's `request` is resolved (twice per fixture)."""


_FIRST_USE = {"used": False, "settled": False}
"""Whether a test has used the mock's fixtures, and whether what its first use imported has
been moved to the collector's oldest generation (`_settle_first_use`)."""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    _RUNNING.append(item)
    try:
        return (yield)
    finally:
        _RUNNING.pop()
        if _FIRST_USE["used"] and not _FIRST_USE["settled"]:
            _settle_first_use()


def _settle_first_use() -> None:
    """After the first test that used the mock: move every object the collector tracks into
    its oldest generation, at once. That test imported the package, pydantic and the family it
    reached (some 20,000 objects, all long-lived); left young, the collector counts them as
    newly old when they survive, and that count alone sets off a collection of the whole heap
    within the next ~50 tests (60 ms at 125,000 objects, more in a larger process). Moved here
    they are not counted: garbage among the young is found by the next full collection, and
    one run explicitly (`gc.collect()`) still finds everything. A process that froze objects
    itself (`gc.freeze()`) is left as it is (unfreezing would thaw them too), and so is an
    interpreter whose collector has no generations to move between (PyPy: no `gc.freeze`)."""
    _FIRST_USE["settled"] = True
    frozen = getattr(gc, "get_freeze_count", None)
    if frozen is not None and frozen() == 0:
        gc.freeze()
        gc.unfreeze()


def _running(fixture: str) -> pytest.Item:
    """The test `fixture` is set up for."""
    if not _RUNNING:
        pytest.fail(f"{fixture} is a test's fixture: request it from a test", pytrace=False)
    _FIRST_USE["used"] = True
    return _RUNNING[-1]


def _async_test(fixture: str, sync_alternative: str) -> pytest.Item:
    """The test the in-loop `fixture` is set up for, once it is one that can run it (checked
    once a test: its second in-loop fixture finds it checked)."""
    test = _running(fixture)
    if _CHECKED[0] is not test:
        from mock_server.testing.fixture_rules import require_async_test

        require_async_test(test, fixture, sync_alternative)
        _CHECKED[0] = test
    return test


_CHECKED: list[pytest.Item | None] = [None]
"""The last test found able to run the in-loop fixtures."""


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)
    _default_fixture_loop_scope(config)
    _not_rewritten(config)
    if HAS_PYTEST_ASYNCIO and str(config.getini("suno_mock_scope") or "").strip() == "session":
        # Its `suno_mock` (kept for the session, restored after each test) overrides the one
        # here, which so depends on no session fixture: each one costs every test.
        from mock_server import pytest_session

        config.pluginmanager.register(pytest_session, "suno_mock_session_scope")


def _not_rewritten(config: pytest.Config) -> None:
    """Keep pytest's assertion rewriting off this package, which has no `assert`: pytest marks
    every module of a plugin's distribution and, without its cache (a fresh CI environment, a
    read-only install), parses and recompiles all ~80 at a first fixture use (0.3 s). The
    marks are pytest's own; without them (`--assert=plain`) this does nothing."""
    hook = getattr(config.pluginmanager, "rewrite_hook", None)
    marked, cache = (getattr(hook, a, None) for a in ("_must_rewrite", "_marked_for_rewrite_cache"))
    if isinstance(marked, set) and isinstance(cache, dict):
        marked.difference_update({n for n in marked if n.partition(".")[0] == "mock_server"})
        cache.clear()


def _default_fixture_loop_scope(config: pytest.Config) -> None:
    """Where the user's configuration leaves pytest-asyncio's fixture loop scope unset, make it
    `function`: pytest-asyncio's coming default, which it otherwise asks every project to choose
    with a deprecation warning on each run (an error under `-W error`). Runs before
    pytest-asyncio's own pytest_configure reads it; a value the user set is left alone."""
    try:
        current = config.getini(LOOP_SCOPE_OPTION)
    except ValueError:  # no pytest-asyncio: nothing to set
        return
    cache = getattr(config, "_inicache", None)
    if current or not isinstance(cache, dict):
        return
    # pytest has no public way for a plugin to give another plugin's ini option a value; getini
    # answers from this cache (pytest 8 and 9).
    cache[LOOP_SCOPE_OPTION] = "function"


async def _closed(mock: SunoMock) -> None:
    problems = mock.teardown_problems() if mock.check_teardown else []
    await mock.close()
    if problems:
        pytest.fail(
            "suno_mock teardown:\n" + "\n".join(problems) + "\n" + mock.describe(), pytrace=False
        )


@pytest.fixture(scope="session")
def suno_mock_settings() -> Mapping[str, Any]:
    """Suite-wide settings for `suno_mock` servers: override this fixture in conftest.py
    (returns a dict of Settings fields; the test's `suno_mock` marker wins over it). This
    default, made once a session, is an empty mapping that cannot be changed."""
    return MappingProxyType({})


@_async_fixture()
async def suno_mock(suno_mock_settings: Mapping[str, Any]) -> AsyncIterator[SunoMock]:
    """A started suno-mock-server on 127.0.0.1 (free port) with a manual clock, for async tests.

    `url`/`api_url` for clients; `clock.advance(seconds=, minutes=)`, `clock.run_until_idle()`;
    `tasks()`, `requests`, `deliveries(task_id)`, `reset()`; `wait_for_callback(task_id,
    "complete")`, `wait_for_status(task_id, "SUCCESS")`, `assert_callback_sequence(...)`,
    `assert_requested(path, times=)`; `use_scenario(name)`, `next_task(scenario=)`.
    Configure with `@pytest.mark.suno_mock(...)`. At teardown, a crashed handler, a callback
    still in flight or a blocking client on the loop fails the test (opt out:
    `check_teardown=False`). Sync tests: `suno_mock_threaded`. With the ini option
    `suno_mock_scope = session` a server is reused (restored after each test)."""
    from mock_server.testing import SunoMock
    from mock_server.testing.fixture_rules import resolve

    test = _async_test("suno_mock", "suno_mock_threaded")
    settings, options = resolve(test, suno_mock_settings)
    _scope(test.config)  # a misspelt scope fails here (`session`'s own fixture replaces this one)
    mock = await SunoMock(settings, **options).start()
    try:
        yield mock
    finally:
        await _closed(mock)


@pytest.fixture(scope="session")
def _suno_mock_async_test() -> Callable[[str, str], pytest.Item]:
    """`_async_test`, lent to `mock_server.pytest_session` (which this module registers, and
    which so does not import it): the running test is kept here."""
    return _async_test


@_async_fixture()
async def suno_mock_factory(
    suno_mock_settings: Mapping[str, Any],
) -> AsyncIterator[Callable[..., Awaitable[SunoMock]]]:
    """Build more started servers: `await suno_mock_factory(seed=3, api_keys=("k",))`.
    Keywords override the suite settings; every server is closed at teardown."""
    from mock_server.testing import SunoMock
    from mock_server.testing.fixture_rules import overridden, resolve

    test = _async_test("suno_mock_factory", "suno_mock_threaded")
    servers: list[SunoMock] = []
    base, base_options = resolve(test, suno_mock_settings)

    async def make(**overrides: Any) -> SunoMock:
        settings, options = overridden(base, base_options, overrides)
        mock = await SunoMock(settings, **options).start()
        servers.append(mock)
        return mock

    try:
        yield make
    finally:
        for mock in servers:
            await _closed(mock)


@_async_fixture()
async def callback_receiver() -> AsyncIterator[CallbackReceiver]:
    """A real loopback endpoint to hand out as `callBackUrl`, for async tests: `url`,
    `requests` (with `.json`, `.headers`, `.arrived`), `respond_with(statuses=[500, 200],
    delay=0.1)`, `await wait_for(n)`. Sync tests: `callback_receiver_threaded`."""
    from mock_server.testing.receiver import CallbackReceiver

    _async_test("callback_receiver", "callback_receiver_threaded")
    async with CallbackReceiver() as receiver:
        yield receiver


@pytest.fixture(scope="session")
def _suno_mock_thread_pool() -> Iterator[Pool[SunoMockThread]]:
    from mock_server.testing.fixture_rules import Pool

    pool: Pool[SunoMockThread] = Pool()
    try:
        yield pool
    finally:
        for thread in pool.servers.values():
            thread.stop()


@pytest.fixture
def suno_mock_threaded(
    suno_mock_settings: Mapping[str, Any], _suno_mock_thread_pool: Pool[SunoMockThread]
) -> Iterator[SunoMockThread]:
    """A suno_mock on its own event loop in a thread, for synchronous clients (requests):
    the same helpers as blocking methods (`wait_for_callback`, `wait_for_status`,
    `assert_callback_sequence`, `deliveries`, `describe`, `use_scenario`, `next_task`, ...),
    `advance(seconds)`, and the same marker, teardown checks and `suno_mock_scope`."""
    from mock_server.testing import SunoMockThread
    from mock_server.testing.fixture_rules import pool_key, resolve

    test = _running("suno_mock_threaded")
    settings, options = resolve(test, suno_mock_settings)
    check = bool(options["check_teardown"])
    session = _scope(test.config) == "session"
    key = pool_key(settings, options)
    thread = _suno_mock_thread_pool.servers.get(key) if session else None
    if thread is None:
        thread = SunoMockThread(settings, check_teardown=check).start()
        if session:
            _suno_mock_thread_pool.servers[key] = thread
    try:
        yield thread
    finally:
        problems = thread.teardown_problems() if check else []
        report = thread.describe() if problems else ""
        if session:
            thread.restore()
        else:
            thread.stop()
    if problems:
        pytest.fail(
            "suno_mock_threaded teardown:\n" + "\n".join([*problems, report]), pytrace=False
        )


@pytest.fixture
def callback_receiver_threaded() -> Iterator[CallbackReceiverThread]:
    """A callback_receiver on its own event loop in a thread: it answers while a sync test
    blocks. `url`, `requests`, `respond_with(...)`, `wait_for(n)` (blocking)."""
    from mock_server.testing.receiver import CallbackReceiverThread

    with CallbackReceiverThread() as receiver:
        yield receiver
