"""`suno-mock serve`: the mock API as a dev server, configured by flags or SUNO_MOCK_* variables."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable, Mapping
from urllib.parse import quote

from pydantic import ValidationError

from mock_server import __version__
from mock_server.cli.flags import (
    PUBLISHED_PORT,
    SETTING_FLAGS,
    AddParser,
    Flag,
    settings_from_args,
    time_scale,
)
from mock_server.cli.logs import configure_logging
from mock_server.cli.usage import add_grouped
from mock_server.core.clock import Clock, ManualClock, ScaledClock
from mock_server.core.errors import ScenarioError
from mock_server.core.net import is_loopback
from mock_server.core.settings import Settings
from mock_server.http.guard import TOKEN_HEADER
from mock_server.server import MockServer

__all__ = ["SERVE_FLAGS", "add_parser", "banner", "browser_urls", "serve"]

log = logging.getLogger(__name__)

SERVER_FLAGS = (
    Flag("host", "host", "interface to bind (default 127.0.0.1)", default="127.0.0.1"),
    Flag("port", "port", "port to bind; 0 picks a free one (default 8080)", int, default=8080),
    Flag(
        "time-scale",
        "time_scale",
        "real seconds per mock second; 0.01 runs the 21 min retry schedule in 12.6 s",
        time_scale,
        metavar="SCALE",
        default=1.0,
    ),
    Flag(
        "manual-clock",
        "manual_clock",
        "mock time stands still until POST /__mock__/clock or /__mock__/wait moves it (test "
        "kits, such as the Node one, drive it); --time-scale is then unused",
        switch=True,
        default=False,
    ),
    Flag(
        "event-loop",
        "event_loop",
        "the server's event loop: uvloop where it is installed (auto; about a tenth less CPU "
        "per request), or asyncio's own",
        choices=("auto", "uvloop", "asyncio"),
        default="auto",
    ),
    Flag(
        "log-format",
        "log_format",
        "stderr lines: readable text (coloured on a terminal) or JSON, one per line",
        choices=("text", "json"),
        default="text",
    ),
    Flag(
        "log-level",
        "log_level",
        "log verbosity on stderr (default INFO)",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        default="INFO",
    ),
)
"""How the dev server runs, besides its `Settings`."""
SERVE_FLAGS = SERVER_FLAGS + SETTING_FLAGS
"""Every flag of `serve`, each with its SUNO_MOCK_* variable."""


def add_parser(add: AddParser) -> argparse.ArgumentParser:
    serve_parser = add(
        "serve",
        help="run the mock API as a dev server",
        usage="%(prog)s [--host HOST] [--port PORT] [FLAG ...]",
        description="Run the mock API. Times are seconds of mock time unless noted. Every flag "
        "can also come from SUNO_MOCK_<FLAG> (a repeatable flag from a comma-separated value); "
        "a flag on the command line wins over the environment.",
    )
    add_grouped(serve_parser, SERVE_FLAGS)
    serve_parser.set_defaults(run=run)
    return serve_parser


def run(args: argparse.Namespace) -> int:
    """`suno-mock serve`: a bad setting is a usage error (exit 2), like argparse's own."""
    try:
        settings = settings_from_args(args)
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors(include_url=False)
        )
        print(f"suno-mock: error: {problems}", file=sys.stderr)
        raise SystemExit(2) from None
    published = published_port(os.environ)
    configure_logging(args.log_level, args.log_format)
    time_scale = None if args.manual_clock else args.time_scale
    with asyncio.Runner(loop_factory=loop_factory(args.event_loop)) as runner:
        served = serve(
            settings, host=args.host, port=args.port, time_scale=time_scale, published=published
        )
        return runner.run(served)


def loop_factory(choice: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """The event loop `--event-loop` names (None: asyncio's own). uvloop runs the same
    asyncio code on libuv, with less CPU per request (docs/performance.md, "The dev server
    on uvloop"); `auto` falls back to asyncio where uvloop is not installed (Windows)."""
    if choice == "asyncio":
        return None
    try:
        import uvloop
    except ImportError:
        if choice == "auto":
            return None
        print(
            "suno-mock: error: --event-loop uvloop: uvloop is not installed here; install it "
            "(pip install uvloop) or use --event-loop asyncio",
            file=sys.stderr,
        )
        raise SystemExit(2) from None
    return uvloop.new_event_loop


def _tune_gc() -> None:
    """A long-running server keeps every task it accepts, so the default collector thresholds
    make it walk an ever larger heap: freeze what start-up made (modules, tables) and
    collect young objects less often. About 10% more requests per second (`dev.py bench`)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


def browser_urls(host: str, port: int) -> list[str]:
    """URLs a browser can open for a bound host: the wildcard addresses (0.0.0.0, ::) are not
    addresses to connect to, so loopback and this machine's name stand in for them."""
    if host in {"", "0.0.0.0", "::"}:  # noqa: S104 (the wildcard addresses, compared)
        loopback = "127.0.0.1" if host != "::" else "[::1]"
        return [f"http://{loopback}:{port}", f"http://{socket.gethostname()}:{port}"]
    return [f"http://{f'[{host}]' if ':' in host else host}:{port}"]


def published_port(environ: Mapping[str, str]) -> int | None:
    """SUNO_MOCK_PUBLISHED_PORT, or None; a bad value is a usage error (exit 2)."""
    raw = environ.get(PUBLISHED_PORT)
    if raw is None or not raw.strip():
        return None
    if not raw.strip().isdigit() or not 1 <= int(raw) <= 65535:
        print(
            f"suno-mock serve: error: {PUBLISHED_PORT}={raw[:20]!r}: a port, 1 to 65535\n"
            f"  fix: the host port of `docker run -p HOST_PORT:8080`, or unset it",
            file=sys.stderr,
        )
        raise SystemExit(2)
    return int(raw)


def public_url(settings: Settings, published: int | None) -> str | None:
    """The URL to open from outside a container: public_base_url, else loopback on the
    published port."""
    if settings.public_base_url:
        return settings.public_base_url
    return f"http://127.0.0.1:{published}" if published else None


def banner(
    settings: Settings,
    host: str,
    port: int,
    token: str | None,
    time_scale: float | None,
    published: int | None = None,
    loop: str = "asyncio",
) -> list[str]:
    """What `serve` prints once listening (`time_scale` None: a manual clock; `loop`: the
    event loop's name)."""
    url, *others = browser_urls(host, port)
    hosts = ", ".join(["loopback", *settings.allow_callback_hosts])
    scenario = settings.scenario or "none (plain success)"
    clock = "manual clock" if time_scale is None else f"time scale {time_scale:g}"
    bound = "" if is_loopback(host) else f"bound to {host or '0.0.0.0'}, not loopback; "  # noqa: S104
    lines = [
        f"suno-mock-server {__version__} listening on {url} "
        f"({bound}seed {settings.seed}, {clock}, scenario {scenario}, "
        f"callbacks to: {hosts})",
        f"  dashboard:    {url}/__mock__/" + (f"?token={quote(token)}" if token else ""),
        f"  API base URL: {url}   OpenAPI: {url}/openapi.json",
        f"  rate limit:   {settings.rate_limit or 'off'} submits per API key, in mock time "
        "(--rate-limit)",
        f"  event loop:   {loop} (--event-loop)",
    ]
    public = public_url(settings, published)
    if public:
        lines.insert(1, f"  public URL:   {public}   dashboard: {public}/__mock__/")
    lines += [f"  also as:      {other}" for other in others]
    if token:
        lines.append(
            f"  control token: {token} (send header {TOKEN_HEADER}; fix it with "
            "--control-token or SUNO_MOCK_CONTROL_TOKEN)"
        )
    return lines


async def serve(
    settings: Settings,
    *,
    host: str,
    port: int,
    time_scale: float | None = 1.0,
    published: int | None = None,
) -> int:
    """Run until SIGINT/SIGTERM; pending deliveries are cancelled and logged. `time_scale`
    None: a manual clock at `settings.start_time`."""
    clock: Clock = (
        ManualClock(settings.start_time) if time_scale is None else ScaledClock(time_scale)
    )
    try:
        server = MockServer(settings, clock=clock, host=host, port=port)
    except ScenarioError as err:
        print(f"suno-mock: error: {err}", file=sys.stderr)
        return 2
    try:
        await server.start()
    except OSError as err:
        print(f"suno-mock: cannot listen on {host}:{port}: {err}", file=sys.stderr)
        return 1
    _tune_gc()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    token = server.control_token
    name = "uvloop" if type(loop).__module__.startswith("uvloop") else "asyncio"
    for line in banner(settings, server.host, server.port, token, time_scale, published, name):
        print(line, flush=True)
    await stop.wait()
    pending = server.clock.pending()
    log.info("shutting down; cancelling %d pending stage/retry timers and deliveries", pending)
    await server.close()
    print("suno-mock-server stopped", flush=True)
    return 0
