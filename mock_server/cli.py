"""`suno-mock` command line. Every flag of `serve` can also come from SUNO_MOCK_<FLAG> (a list
flag from a comma-separated value); a flag on the command line wins over the environment."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import secrets
import signal
import socket
import sys
import time
import typing
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
from pydantic import ValidationError

from mock_server import __version__
from mock_server.capture import RecordingError, load_recording
from mock_server.clock import ScaledClock
from mock_server.drift import drift
from mock_server.guard import TOKEN_HEADER
from mock_server.net import is_loopback
from mock_server.probe import DEFAULT_BUDGET, ProbeError, probe
from mock_server.proxy import Proxy, ProxyConfig, token_guard
from mock_server.replay import replay
from mock_server.scenario import (
    ScenarioError,
    ScenarioLibrary,
    bundled_names,
    load_bundled,
    load_scenario,
)
from mock_server.server import MockServer
from mock_server.settings import Settings, StageDelays, parse_rate_limit

__all__ = ["main"]

log = logging.getLogger(__name__)
ENV_PREFIX = "SUNO_MOCK_"


LOG_FIELDS = (
    "event", "method", "path", "status", "code", "api_msg", "task_id", "callback_type",
    "attempt", "outcome", "latency_ms", "error", "url",
)  # fmt: skip


class TextFormatter(logging.Formatter):
    """One readable line per event; coloured when the stream is a terminal."""

    def __init__(self, colour: bool) -> None:
        super().__init__()
        self.colour = colour

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
        text = f"{stamp} {record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        if not self.colour:
            return text
        outcome = getattr(record, "outcome", None)
        code = getattr(record, "code", None)
        if record.levelno >= logging.WARNING or outcome in ("failed", "blocked"):
            shade = "31" if record.levelno >= logging.WARNING else "33"
        elif outcome == "delivered" or code == 200:
            shade = "32"
        elif code is not None:
            shade = "31"
        else:
            shade = "2"
        return f"\033[{shade}m{text}\033[0m"


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the event's fields (for machines)."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        data |= {name: getattr(record, name) for name in LOG_FIELDS if hasattr(record, name)}
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def configure_logging(level: str, fmt: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    colour = sys.stderr.isatty() and "NO_COLOR" not in os.environ
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter(colour))
    logging.basicConfig(level=level, handlers=[handler], force=True)


def _float_list(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"expected seconds like 60,300,900, got {text!r}") from err


def _stage_delays(text: str) -> dict[str, float]:
    delays: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        if not sep or name not in StageDelays.model_fields:
            raise argparse.ArgumentTypeError(
                f"expected text=30,first=60,complete=150, got {part!r}"
            )
        try:
            delays[name] = float(value)
        except ValueError as err:
            raise argparse.ArgumentTypeError(f"{name}: not a number: {value!r}") from err
    return delays


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from err
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


def _rate_limit(text: str) -> str:
    try:
        parse_rate_limit(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from err
    return text


HAND_WRITTEN = frozenset({
    "seed", "api_keys", "stage_delays", "callback_timeout", "retry_delays",
    "allow_callback_hosts", "public_base_url", "rate_limit", "credits", "task_cost",
    "mirror_http_status", "create_time_format", "text_callback_tracks",
    "default_source_duration", "default_upload_duration", "title_limit_v4_5", "scenario",
    "webhook_hmac_key", "scenario_dirs", "control_token", "control_max_body_bytes",
    "scenario_max_bytes", "header_read_timeout", "body_read_timeout",
})  # fmt: skip
"""Settings with a flag of their own above (their own names, lists, or parsing)."""
GENERATED_SETTINGS = tuple(name for name in Settings.model_fields if name not in HAND_WRITTEN)

NO_LIMIT = "none"
"""What a generated flag takes for a setting that may be None (no limit, not set)."""


def _generated_flags(serve: argparse.ArgumentParser) -> None:
    """A flag (`--field-name`, so also `SUNO_MOCK_FIELD_NAME`) for each setting that has no
    hand-written one above; its help is the field's documentation."""
    for name in GENERATED_SETTINGS:
        field = Settings.model_fields[name]
        kind, choices, nullable = _field_shape(field.annotation)
        default = "none" if field.default is None else field.default
        help_text = f"{field.description or name} (default {default})".replace("%", "%%")
        flag = "--" + name.replace("_", "-")
        if kind is bool:
            serve.add_argument(flag, action="store_true", default=None, help=help_text)
            continue
        serve.add_argument(
            flag,
            type=_typed(kind, nullable),
            choices=[*choices, *([NO_LIMIT] if nullable else [])] if choices else None,
            default=None,
            metavar=kind.__name__.upper() + ("|none" if nullable else ""),
            help=help_text,
        )


def _field_shape(annotation: Any) -> tuple[type, list[Any], bool]:
    """(value type, allowed values, may be None) of a setting's annotation."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    nullable = type(None) in typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Literal:
        return type(args[0]), list(args), False
    if nullable:
        return args[0], [], True
    return annotation, [], False


def _typed(kind: type, nullable: bool) -> Callable[[str], Any]:
    def convert(text: str) -> Any:
        if nullable and text.strip().lower() == NO_LIMIT:
            return NO_LIMIT
        try:
            return kind(text)
        except ValueError as err:
            raise argparse.ArgumentTypeError(f"not a {kind.__name__}: {text!r}") from err

    convert.__name__ = kind.__name__  # argparse names the type in its messages
    return convert


def _serve_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    serve = sub.add_parser(
        "serve",
        help="run the mock API as a dev server",
        description="Run the mock API. Times are seconds of mock time unless noted.",
    )
    add = serve.add_argument
    add("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    add("--port", type=int, default=8080, help="port to bind; 0 picks a free one (default 8080)")
    add("--seed", type=int, default=0, help="seed of ids, titles and durations (default 0)")
    add(
        "--time-scale",
        type=_positive_float,
        default=1.0,
        help="real seconds per mock second; 0.01 runs the 21 min retry schedule in 12.6 s",
    )
    add(
        "--api-key",
        action="append",
        dest="api_keys",
        default=None,
        metavar="KEY",
        help="accepted Bearer key (repeatable); default: any non-empty key",
    )
    add(
        "--stage-delays",
        type=_stage_delays,
        default=None,
        metavar="text=S,first=S,complete=S",
        help="when each callback stage fires after submission "
        "(default text=30,first=60,complete=150)",
    )
    add(
        "--callback-timeout",
        type=_positive_float,
        default=None,
        help="wall-clock seconds a callback receiver has to answer (default 15)",
    )
    add(
        "--retry-delays",
        type=_float_list,
        default=None,
        metavar="S,S,S",
        help="delays before each callback retry (default 60,300,900)",
    )
    add(
        "--allow-callback-host",
        action="append",
        dest="allow_callback_hosts",
        default=None,
        metavar="HOST",
        help="also call back to HOST (repeatable; '*' = any); loopback always",
    )
    add(
        "--public-base-url",
        default=None,
        help="base URL written into audio/image URLs (default: the URL the client used)",
    )
    add(
        "--rate-limit",
        type=_rate_limit,
        default=None,
        metavar="N/WINDOW",
        help="submits allowed per API key, e.g. 20/10s (the real limit, default) or 'off'",
    )
    add("--credits", type=int, default=None, help="starting credit balance (default 10000)")
    add("--task-cost", type=int, default=None, help="credits charged per task (default 12)")
    add(
        "--mirror-http-status",
        action="store_true",
        default=None,
        help="send error codes as HTTP statuses too (default: HTTP 200, code in body)",
    )
    add(
        "--create-time-format",
        choices=["epoch_ms", "string"],
        default=None,
        help="tracks' createTime: epoch_ms (real payloads, default) or string (docs)",
    )
    add(
        "--text-callback-tracks",
        action="store_true",
        default=None,
        help="send the two tracks in the text callback instead of an empty list",
    )
    add(
        "--default-source-duration",
        type=_positive_float,
        default=None,
        help="duration assumed for an unknown audioId (default 240)",
    )
    add(
        "--default-upload-duration",
        type=_positive_float,
        default=None,
        help="duration assumed for an uploadUrl (default 120)",
    )
    add(
        "--title-limit-v4-5",
        type=int,
        choices=[80, 100],
        default=None,
        help="extend/upload-extend title limit of V4_5/V4_5PLUS/V5/V5_5 (default 100; else 80)",
    )
    add(
        "--webhook-hmac-key",
        default=None,
        metavar="KEY",
        help="sign callbacks with X-Webhook-Timestamp/X-Webhook-Signature (kie.ai style)",
    )
    add(
        "--scenario",
        default=None,
        metavar="NAME_OR_FILE",
        help="default scenario for every task (bundled name, name in --scenarios-dir, or .yaml)",
    )
    add(
        "--scenarios-dir",
        action="append",
        dest="scenario_dirs",
        default=None,
        metavar="DIR",
        help="folder of scenario files (repeatable); files with a `match` block route requests",
    )
    add(
        "--control-token",
        default=None,
        metavar="TOKEN",
        help="token the /__mock__/ control plane requires (header X-Suno-Mock-Token); "
        "generated and printed when bound to a non-loopback address",
    )
    add(
        "--control-max-body-bytes",
        type=int,
        default=None,
        help="largest control-plane request body (default 65536)",
    )
    add(
        "--scenario-max-bytes",
        type=int,
        default=None,
        help="largest scenario file read (default 1048576)",
    )
    add(
        "--header-read-timeout",
        type=_positive_float,
        default=None,
        help="wall-clock seconds to send a request's headers; idle connections close "
        "after it too (default 60)",
    )
    add(
        "--body-read-timeout",
        type=_positive_float,
        default=None,
        help="wall-clock seconds for a request body to arrive in full (default 300)",
    )
    add(
        "--log-format",
        choices=["text", "json"],
        default="text",
        help="stderr lines: readable text (coloured on a terminal) or JSON, one per line",
    )
    add(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="log verbosity on stderr (default INFO)",
    )
    _generated_flags(serve)
    return serve


def _probe_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    probe = sub.add_parser(
        "probe",
        help="check your callback endpoint: a battery of realistic callbacks, a verdict each",
        description="Fire a named battery of realistic callbacks (the server's own payloads) at "
        "--to, one at a time, and report each answer's status, latency and verdict. A valid "
        "callback must get HTTP 200 within the receiver timeout; a duplicate the same answer as "
        "the first delivery; a broken body anything but a 5xx or no answer; a badly signed "
        "callback (with --webhook-hmac-key) a refusal. Exit 1 if any case failed.",
    )
    add = probe.add_argument
    add("--to", required=True, metavar="URL", help="your callback endpoint (the callBackUrl)")
    add(
        "--only",
        default=None,
        metavar="CASES",
        help="comma-separated case names or patterns, e.g. sequence,error-* (default: all)",
    )
    add(
        "--budget",
        type=_positive_float,
        default=DEFAULT_BUDGET,
        metavar="SECONDS",
        help=f"warn about answers slower than this (default {DEFAULT_BUDGET:g})",
    )
    add(
        "--timeout",
        type=_positive_float,
        default=None,
        metavar="SECONDS",
        help="fail answers slower than this, as the provider does (default 15)",
    )
    add(
        "--format",
        choices=["text", "json", "junit"],
        default="text",
        help="report as readable text (default), JSON or JUnit XML (one testcase per case)",
    )
    add(
        "--webhook-hmac-key",
        default=None,
        metavar="KEY",
        help="sign every callback with KEY and add the signed / bad-signature cases",
    )
    add("--seed", type=int, default=0, help="seed of generated ids and data (default 0)")
    add(
        "--allow-callback-host",
        action="append",
        dest="allow_callback_hosts",
        default=[],
        metavar="HOST",
        help="allow a non-loopback --to host (repeatable)",
    )


def build_parser() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """The top-level parser and its `serve` subparser."""
    parser = argparse.ArgumentParser(
        prog="suno-mock", description="Offline test double of the Suno music API."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve_parser = _serve_parser(sub)
    sub.add_parser("scenarios", help="list the bundled scenarios with a line about each")
    check = sub.add_parser("check", help="validate scenario files; exit 1 on the first problem")
    check.add_argument("files", nargs="+", metavar="FILE", help="scenario .yaml files")
    replay = sub.add_parser(
        "replay",
        help="fire a scenario's callbacks at a URL, as the server would",
        description="Fire a scenario's callbacks at --to exactly as the server would (same "
        "payloads, delays, retries, faults), printing a line per attempt. Exit 1 if the "
        "receiver never accepted a callback.",
    )
    replay.add_argument("scenario", metavar="SCENARIO", help="bundled name or .yaml path")
    replay.add_argument("--to", required=True, metavar="URL", help="the callBackUrl to call")
    replay.add_argument("--task-id", default=None, help="task id to use (default: seeded)")
    replay.add_argument(
        "--time-scale",
        type=_positive_float,
        default=1.0,
        help="real seconds per mock second (0.01 = 100x faster)",
    )
    replay.add_argument("--seed", type=int, default=0, help="seed of generated ids and data")
    replay.add_argument(
        "--public-base-url",
        default=None,
        help="base of file URLs in payloads (default http://127.0.0.1:8080)",
    )
    replay.add_argument(
        "--allow-callback-host",
        action="append",
        dest="allow_callback_hosts",
        default=[],
        metavar="HOST",
        help="allow a non-loopback --to host (repeatable)",
    )
    _probe_parser(sub)
    record = sub.add_parser(
        "record",
        help="export what happened to a task on a running server as a scenario (YAML)",
    )
    record.add_argument("task_id", metavar="TASK_ID")
    record.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="URL",
        help="the running server, e.g. http://127.0.0.1:8080",
    )
    _token_flag(record.add_argument, "the server's control token, if it has one")
    _proxy_parser(sub)
    _drift_parser(sub)
    return parser, serve_parser


def _token_flag(add: Callable[..., Any], help_text: str) -> None:
    """`--control-token` of the commands that talk to (or are) an exposed server; its default
    comes from SUNO_MOCK_CONTROL_TOKEN, as serve's does."""
    add(
        "--control-token",
        default=os.environ.get(ENV_PREFIX + "CONTROL_TOKEN"),
        metavar="TOKEN",
        help=f"{help_text} (default: SUNO_MOCK_CONTROL_TOKEN)",
    )


def _proxy_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    proxy = sub.add_parser(
        "proxy",
        help="forward to the real API and record requests, answers and callbacks",
        description="Forward every API request to --upstream (with the client's own "
        "Authorization) and its callbacks back to the client, recording both into --record DIR "
        "as JSON fixtures plus one scenario per task. Credentials are never written.",
    )
    add = proxy.add_argument
    _token_flag(
        add,
        "require X-Suno-Mock-Token on every request but the upstream's callbacks (generated "
        "and printed when bound to a non-loopback address)",
    )
    add(
        "--upstream",
        required=True,
        metavar="URL",
        help="the real API, e.g. https://api.sunoapi.org",
    )
    add(
        "--upload-upstream",
        default=None,
        metavar="URL",
        help="the File Upload API's host for /api/file-* (default: --upstream)",
    )
    add("--record", default=None, metavar="DIR", help="folder to record into (default: none)")
    add(
        "--download-files",
        action="store_true",
        help="also store the audio and images, so a replay of the scenarios serves them",
    )
    add(
        "--download-host",
        action="append",
        dest="download_hosts",
        default=[],
        metavar="HOST",
        help="with --download-files: a media host besides the upstream's (repeatable; '*' any)",
    )
    add(
        "--redact",
        action="append",
        default=[],
        metavar="FIELD",
        help="blank this JSON field, query parameter or header in the recording (repeatable)",
    )
    add(
        "--public-url",
        default=None,
        metavar="URL",
        help="base URL the upstream reaches this proxy at for callbacks, e.g. a tunnel "
        "(default: the URL the client used)",
    )
    add(
        "--allow-callback-host",
        action="append",
        dest="allow_callback_hosts",
        default=[],
        metavar="HOST",
        help="send callbacks on to HOST too (repeatable); loopback always",
    )
    add(
        "--callback-timeout",
        type=_positive_float,
        default=15.0,
        help="seconds the client's receiver has to answer a callback (default 15)",
    )
    add(
        "--time-scale",
        type=_positive_float,
        default=1.0,
        help="real seconds per recorded second: match a local upstream's `serve --time-scale`",
    )
    add("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    add("--port", type=int, default=8081, help="port; 0 picks a free one (default 8081)")
    add("--log-format", choices=["text", "json"], default="text", help="stderr line format")
    add(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="log verbosity on stderr (default INFO)",
    )


def _drift_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    drift = sub.add_parser(
        "drift",
        help="replay a recording against a mock; exit 1 if answers or callbacks changed shape",
        description="Replay the requests recorded by `suno-mock proxy --record DIR` against a "
        "mock and compare every answer and callback with the recorded one: keys, nesting, value "
        "types, enum values, callback order, status walk. Exit 0: no drift; 1: drift; 2: bad "
        "input.",
    )
    add = drift.add_argument
    add("recording", metavar="DIR", help="a folder written by `suno-mock proxy --record`")
    add(
        "--against",
        default=None,
        metavar="URL",
        help="a running suno-mock server (default: a fresh one in this process)",
    )
    add(
        "--ignore",
        action="append",
        default=[],
        metavar="KEY_OR_PATH",
        help="leave out a key anywhere (msg) or a location ($.data.data[*].tags) (repeatable)",
    )
    _token_flag(add, "the --against server's control token, if it has one")
    add("--json", action="store_true", help="print the report as JSON")


def _apply_env(parser: argparse.ArgumentParser, serve: argparse.ArgumentParser) -> None:
    """Turn SUNO_MOCK_* variables into defaults (so the command line still wins)."""
    for action in serve._actions:
        if not action.option_strings or action.dest == "help":
            continue
        name = ENV_PREFIX + action.option_strings[-1].lstrip("-").replace("-", "_").upper()
        raw = os.environ.get(name)
        if raw is None:
            continue
        try:
            if isinstance(action, argparse._StoreTrueAction):
                value: Any = raw.strip().lower() in {"1", "true", "yes", "on"}
            elif isinstance(action, argparse._AppendAction):
                value = [part.strip() for part in raw.split(",") if part.strip()]
            else:
                convert = action.type if callable(action.type) else str
                value = convert(raw)
                if action.choices is not None and value not in action.choices:
                    raise argparse.ArgumentTypeError(f"choose from {list(action.choices)}")
        except (argparse.ArgumentTypeError, ValueError) as err:
            parser.exit(2, f"suno-mock: error: {name}={raw!r}: {err}\n")
        serve.set_defaults(**{action.dest: value})


def settings_from_args(args: argparse.Namespace) -> Settings:
    fields: dict[str, Any] = {
        "seed": args.seed,
        "api_keys": tuple(args.api_keys) if args.api_keys else None,
        "stage_delays": args.stage_delays,
        "callback_timeout": args.callback_timeout,
        "retry_delays": args.retry_delays,
        "allow_callback_hosts": tuple(args.allow_callback_hosts)
        if args.allow_callback_hosts
        else None,
        "public_base_url": args.public_base_url,
        "rate_limit": args.rate_limit,
        "credits": args.credits,
        "task_cost": args.task_cost,
        "mirror_http_status": args.mirror_http_status,
        "create_time_format": args.create_time_format,
        "text_callback_tracks": args.text_callback_tracks,
        "default_source_duration": args.default_source_duration,
        "default_upload_duration": args.default_upload_duration,
        "title_limit_v4_5": args.title_limit_v4_5,
        "scenario": args.scenario,
        "webhook_hmac_key": args.webhook_hmac_key,
        "scenario_dirs": tuple(args.scenario_dirs) if args.scenario_dirs else None,
        "control_token": args.control_token,
        "control_max_body_bytes": args.control_max_body_bytes,
        "scenario_max_bytes": args.scenario_max_bytes,
        "header_read_timeout": args.header_read_timeout,
        "body_read_timeout": args.body_read_timeout,
    }
    for name in GENERATED_SETTINGS:
        value = getattr(args, name)
        fields[name] = None if value == NO_LIMIT else value
        if value is None:
            del fields[name]
    return Settings.model_validate(
        {k: v for k, v in fields.items() if v is not None or k in GENERATED_SETTINGS}
    )


def _tune_gc() -> None:
    """A long-running server keeps every task it accepts, so the default collector thresholds
    make it walk an ever larger heap: freeze what start-up made (modules, Faker's data) and
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


def banner(
    settings: Settings, host: str, port: int, token: str | None, time_scale: float
) -> list[str]:
    """What `serve` prints once listening."""
    url, *others = browser_urls(host, port)
    hosts = ", ".join(["loopback", *settings.allow_callback_hosts])
    scenario = settings.scenario or "none (plain success)"
    bound = "" if is_loopback(host) else f"bound to {host or '0.0.0.0'}, not loopback; "  # noqa: S104
    lines = [
        f"suno-mock-server {__version__} listening on {url} "
        f"({bound}seed {settings.seed}, time scale {time_scale:g}, scenario {scenario}, "
        f"callbacks to: {hosts})",
        f"  dashboard:    {url}/__mock__/" + (f"?token={quote(token)}" if token else ""),
        f"  API base URL: {url}   OpenAPI: {url}/openapi.json",
        f"  rate limit:   {settings.rate_limit or 'off'} submits per API key, in mock time "
        "(--rate-limit)",
    ]
    lines += [f"  also as:      {other}" for other in others]
    if token:
        lines.append(
            f"  control token: {token} (send header {TOKEN_HEADER}; fix it with "
            "--control-token or SUNO_MOCK_CONTROL_TOKEN)"
        )
    return lines


async def serve(settings: Settings, *, host: str, port: int, time_scale: float) -> int:
    """Run until SIGINT/SIGTERM; pending deliveries are cancelled and logged."""
    clock = ScaledClock(time_scale)
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
    for line in banner(settings, server.host, server.port, server.control_token, time_scale):
        print(line, flush=True)
    await stop.wait()
    pending = server.clock.pending()
    log.info("shutting down; cancelling %d pending stage/retry timers and deliveries", pending)
    await server.close()
    print("suno-mock-server stopped", flush=True)
    return 0


def list_scenarios() -> int:
    """`suno-mock scenarios`: each bundled scenario with its description."""
    names = bundled_names()
    width = max(map(len, names), default=0)
    broken = 0
    for name in names:
        try:
            description = load_bundled(name).description
        except ScenarioError as err:
            description, broken = f"BROKEN: {err}", broken + 1
        print(f"{name:<{width}}  {description}")
    return 1 if broken else 0


def check_files(files: Sequence[str]) -> int:
    """`suno-mock check FILE...`: validate each file; print the located problem."""
    failed = 0
    for file in files:
        try:
            scenario = load_scenario(file)
        except ScenarioError as err:
            print(err, file=sys.stderr)
            failed += 1
        else:
            print(f"{file}: ok ({scenario.description or scenario.name})")
    return 1 if failed else 0


def run_replay(args: argparse.Namespace) -> int:
    """`suno-mock replay SCENARIO --to URL`."""
    try:
        scenario = ScenarioLibrary().resolve(args.scenario)
        settings = Settings(
            seed=args.seed,
            public_base_url=args.public_base_url,
            allow_callback_hosts=tuple(args.allow_callback_hosts),
        )
    except (ScenarioError, ValidationError) as err:
        print(f"suno-mock: error: {err}", file=sys.stderr)
        return 2
    return asyncio.run(
        replay(
            scenario, args.to, settings=settings, time_scale=args.time_scale, task_id=args.task_id
        )
    )


def run_probe(args: argparse.Namespace) -> int:
    """`suno-mock probe --to URL`: print the report; 1 if a case failed, 2 if it cannot run."""
    try:
        settings = Settings(
            seed=args.seed,
            webhook_hmac_key=args.webhook_hmac_key,
            allow_callback_hosts=tuple(args.allow_callback_hosts),
        )
        only = args.only.split(",") if args.only is not None else None
        report = asyncio.run(
            probe(args.to, settings=settings, only=only, budget=args.budget,
                  receiver_timeout=args.timeout)
        )  # fmt: skip
    except (ProbeError, ValidationError) as err:
        print(f"suno-mock: error: {err}", file=sys.stderr)
        return 2
    sys.stdout.write(report.render(args.format))
    return report.exit_code


async def fetch_recording(source: str, task_id: str, token: str | None = None) -> int:
    """`suno-mock record TASK_ID --from URL`: print the task's scenario YAML."""
    url = f"{source.rstrip('/')}/__mock__/tasks/{task_id}/scenario"
    headers = {TOKEN_HEADER: token} if token else {}
    try:
        async with aiohttp.ClientSession(headers=headers) as http, http.get(url) as resp:
            text = await resp.text()
            if resp.status != 200:
                print(f"suno-mock: {url}: HTTP {resp.status}: {text}", file=sys.stderr)
                return 1
    except aiohttp.ClientError as err:
        print(f"suno-mock: cannot reach {url}: {err}", file=sys.stderr)
        return 1
    sys.stdout.write(text)
    return 0


async def run_proxy(args: argparse.Namespace) -> int:
    """`suno-mock proxy --upstream URL [--record DIR]`: run until SIGINT/SIGTERM."""
    middlewares = []
    token = args.control_token
    if not is_loopback(args.host):  # exposed: the server's token rule
        token = token or secrets.token_urlsafe(24)
        log.warning("proxy bound to %s, not loopback: requests need %s", args.host, TOKEN_HEADER)
    if token:
        middlewares.append(token_guard(token))
    config = ProxyConfig(
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
    try:
        proxy = Proxy(
            config, clock=ScaledClock(args.time_scale), host=args.host, port=args.port,
            middlewares=middlewares,
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
    """`suno-mock drift DIR [--against URL]`: 0 no drift, 1 drift, 2 bad input."""
    try:
        recording = load_recording(args.recording)
        report = await drift(
            recording, against=args.against, ignore=args.ignore, control_token=args.control_token
        )
    except RecordingError as err:
        print(f"suno-mock: error: {err}", file=sys.stderr)
        return 2
    except (aiohttp.ClientError, RuntimeError) as err:
        print(f"suno-mock: error: {err}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(report.text())
    return 1 if report.drifted else 0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line, with SUNO_MOCK_* variables as defaults for `serve`'s flags."""
    parser, serve_parser = build_parser()
    _apply_env(parser, serve_parser)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command == "scenarios":
        return list_scenarios()
    if args.command == "check":
        return check_files(args.files)
    if args.command == "replay":
        # Its own lines say what happened; the library's warnings would repeat them.
        logging.basicConfig(level=logging.ERROR)
        return run_replay(args)
    if args.command == "probe":
        logging.basicConfig(level=logging.ERROR)  # the report says what happened
        return run_probe(args)
    if args.command == "record":
        return asyncio.run(fetch_recording(args.source, args.task_id, args.control_token))
    if args.command == "drift":
        logging.basicConfig(level=logging.ERROR)
        return asyncio.run(run_drift(args))
    if args.command == "proxy":
        configure_logging(args.log_level, args.log_format)
        return asyncio.run(run_proxy(args))
    try:
        settings = settings_from_args(args)
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors(include_url=False)
        )
        print(f"suno-mock: error: {problems}", file=sys.stderr)
        raise SystemExit(2) from None  # a usage error, like argparse's own
    configure_logging(args.log_level, args.log_format)
    return asyncio.run(serve(settings, host=args.host, port=args.port, time_scale=args.time_scale))
