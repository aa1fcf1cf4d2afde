"""The recording commands: `proxy` (forward to the real API and record) and `drift` (replay a
recording against a mock and report where the shapes changed)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import secrets
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

from mock_server.capture import RecordingError, load_recording
from mock_server.capture.proxy import Proxy, ProxyConfig, token_guard
from mock_server.cli.flags import AddParser, allow_host_flag, positive_float, time_scale, token_flag
from mock_server.cli.logs import configure_logging
from mock_server.core.clock import ScaledClock
from mock_server.core.net import is_loopback
from mock_server.drift import drift
from mock_server.http.guard import TOKEN_HEADER

__all__ = ["add_parsers", "run_drift", "run_proxy"]

log = logging.getLogger(__name__)


def add_parsers(add: AddParser) -> None:
    _proxy_parser(add)
    _drift_parser(add)


def _proxy_parser(add: AddParser) -> None:
    parser = add(
        "proxy",
        help="forward to the real API and record requests, answers and callbacks",
        description="Forward every API request to --upstream (with the client's own "
        "Authorization) and its callbacks back to the client, recording both into --record DIR "
        "as JSON fixtures plus one scenario per task. Credentials are never written.",
    )
    flag = parser.add_argument
    token_flag(
        flag,
        "require X-Suno-Mock-Token on every request but the upstream's callbacks (generated "
        "and printed when bound to a non-loopback address)",
    )
    flag(
        "--upstream",
        required=True,
        metavar="URL",
        help="the real API, e.g. https://api.sunoapi.org",
    )
    flag(
        "--upload-upstream",
        default=None,
        metavar="URL",
        help="the File Upload API's host for /api/file-* (default: --upstream)",
    )
    flag("--record", default=None, metavar="DIR", help="folder to record into (default: none)")
    flag(
        "--download-files",
        action="store_true",
        help="also store the audio and images, so a replay of the scenarios serves them",
    )
    flag(
        "--download-host",
        action="append",
        dest="download_hosts",
        default=[],
        metavar="HOST",
        help="with --download-files: a media host besides the upstream's (repeatable; '*' any)",
    )
    flag(
        "--redact",
        action="append",
        default=[],
        metavar="NAME",
        help="also keep this header, query parameter, JSON key or form field out of the "
        "recording, besides the built-in secret names (repeatable; case, '-' and '_' do not "
        "matter; '*' matches any run of characters, e.g. '*mail*'); see docs/tools.md",
    )
    _proxy_network_flags(flag)
    parser.set_defaults(run=lambda args: asyncio.run(run_proxy(args)))


def _proxy_network_flags(flag: Callable[..., Any]) -> None:
    flag(
        "--public-url",
        default=None,
        metavar="URL",
        help="base URL the upstream reaches this proxy at for callbacks, e.g. a tunnel "
        "(default: the URL the client used)",
    )
    allow_host_flag(flag, "send callbacks on to HOST too (repeatable); loopback always")
    flag(
        "--callback-timeout",
        type=positive_float,
        default=15.0,
        help="seconds the client's receiver has to answer a callback (default 15)",
    )
    flag(
        "--time-scale",
        type=time_scale,
        default=1.0,
        help="real seconds per recorded second: match a local upstream's `serve --time-scale`",
    )
    flag("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    flag("--port", type=int, default=8081, help="port; 0 picks a free one (default 8081)")
    flag("--log-format", choices=["text", "json"], default="text", help="stderr line format")
    flag(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="log verbosity on stderr (default INFO)",
    )


def _drift_parser(add: AddParser) -> None:
    parser = add(
        "drift",
        help="replay a recording against a mock; exit 1 if answers or callbacks changed shape",
        description="Replay the requests recorded by `suno-mock proxy --record DIR` against a "
        "mock and compare every answer and callback with the recorded one: keys, nesting, value "
        "types, enum values, callback order, status walk. Exit 0: no drift; 1: drift; 2: the "
        "replay could not run (one line on stderr says why). Only files inside DIR are read.",
    )
    flag = parser.add_argument
    flag("recording", metavar="DIR", help="a folder written by `suno-mock proxy --record`")
    flag(
        "--against",
        default=None,
        metavar="URL",
        help="a running suno-mock server (default: a fresh one in this process)",
    )
    flag(
        "--ignore",
        action="append",
        default=[],
        metavar="KEY_OR_PATH",
        help="leave out a key anywhere (msg) or a location ($.data.data[*].tags) (repeatable)",
    )
    token_flag(flag, "the --against server's control token, if it has one")
    flag("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(run=lambda args: asyncio.run(run_drift(args)))


def _proxy_config(args: argparse.Namespace) -> ProxyConfig:
    return ProxyConfig(
        upstream=args.upstream,
        upload_upstream=args.upload_upstream,
        record_dir=Path(args.record) if args.record else None,
        download_files=args.download_files,
        download_hosts=tuple(args.download_hosts),
        redact=tuple(args.redact),
        public_url=args.public_url,
        allow_callback_hosts=tuple(args.allow_callback_hosts),
        callback_timeout=args.callback_timeout,
    )


async def run_proxy(args: argparse.Namespace) -> int:
    """`suno-mock proxy --upstream URL [--record DIR]`: run until SIGINT/SIGTERM."""
    configure_logging(args.log_level, args.log_format)
    middlewares = []
    token = args.control_token
    if not is_loopback(args.host):  # exposed: the server's token rule
        token = token or secrets.token_urlsafe(24)
        log.warning("proxy bound to %s, not loopback: requests need %s", args.host, TOKEN_HEADER)
    if token:
        middlewares.append(token_guard(token))
    try:
        proxy = Proxy(
            _proxy_config(args), clock=ScaledClock(args.time_scale), host=args.host,
            port=args.port, middlewares=middlewares,
        )  # fmt: skip
        await proxy.start()
    except RecordingError as err:
        print(f"suno-mock: error: --record: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"suno-mock: cannot start the proxy: {err}", file=sys.stderr)
        return 1
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    where = f"recording to {args.record}" if args.record else "not recording"
    print(
        f"suno-mock proxy listening on {proxy.url} (upstream {args.upstream}, {where})",
        flush=True,
    )
    if token:
        print(f"  control token: {token} (send it as {TOKEN_HEADER})", flush=True)
    await stop.wait()
    await proxy.close()
    print("suno-mock proxy stopped", flush=True)
    return 0


async def run_drift(args: argparse.Namespace) -> int:
    """`suno-mock drift DIR [--against URL]`: 0 no drift, 1 drift, 2 cannot run (one line)."""
    logging.basicConfig(level=logging.ERROR)
    try:
        recording = load_recording(args.recording)
        report = await drift(
            recording, against=args.against, ignore=args.ignore, control_token=args.control_token
        )
    except (ValueError, OSError, aiohttp.ClientError, RuntimeError) as err:
        # ValueError: RecordingError, ScenarioError (a recorded scenario), a bad URL.
        return _cannot_run(str(err) or type(err).__name__)
    except Exception as err:
        # Exit 1 means "drift found": nothing else may end with it, a bug included.
        log.debug("drift failed", exc_info=True)
        return _cannot_run(f"drift stopped by an unexpected {type(err).__name__}: {err}")
    if args.json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(report.text())
    return 1 if report.drifted else 0


def _cannot_run(message: str) -> int:
    print(f"suno-mock: error: {' '.join(message.split())}", file=sys.stderr)
    return 2
