"""The scenario commands: `scenarios` (list the bundled ones), `check` (validate files),
`replay` (fire a scenario's callbacks at a URL) and `record` (a task of a running server as a
scenario)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

import aiohttp
from pydantic import ValidationError

from mock_server.cli.flags import AddParser, allow_host_flag, time_scale, token_flag
from mock_server.cli.replay import replay
from mock_server.core.errors import ScenarioError
from mock_server.core.settings import Settings
from mock_server.http.guard import TOKEN_HEADER
from mock_server.scripting.scenario import bundled_names, load_bundled, load_scenario
from mock_server.scripting.script import ScenarioLibrary

__all__ = ["add_parsers", "check_files", "fetch_recording", "list_scenarios", "run_replay"]


def add_parsers(add: AddParser) -> None:
    scenarios = add("scenarios", help="list the bundled scenarios with a line about each")
    scenarios.set_defaults(run=lambda _: list_scenarios())
    check = add("check", help="validate scenario files; exit 1 on the first problem")
    check.add_argument("files", nargs="+", metavar="FILE", help="scenario .yaml files")
    check.set_defaults(run=lambda args: check_files(args.files))
    _replay_parser(add)
    record = add(
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
    token_flag(record.add_argument, "the server's control token, if it has one")
    record.set_defaults(
        run=lambda args: asyncio.run(fetch_recording(args.source, args.task_id, args.control_token))
    )


def _replay_parser(add: AddParser) -> None:
    parser = add(
        "replay",
        help="fire a scenario's callbacks at a URL, as the server would",
        description="Fire a scenario's callbacks at --to exactly as the server would (same "
        "payloads, delays, retries, faults), printing a line per attempt. Exit 1 if the "
        "receiver never accepted a callback.",
    )
    flag = parser.add_argument
    flag("scenario", metavar="SCENARIO", help="bundled name or .yaml path")
    flag("--to", required=True, metavar="URL", help="the callBackUrl to call")
    flag("--task-id", default=None, help="task id to use (default: seeded)")
    flag(
        "--time-scale",
        type=time_scale,
        default=1.0,
        help="real seconds per mock second (0.01 = 100x faster)",
    )
    flag("--seed", type=int, default=0, help="seed of generated ids and data")
    flag(
        "--public-base-url",
        default=None,
        help="base of file URLs in payloads (default http://127.0.0.1:8080)",
    )
    allow_host_flag(flag, "allow a non-loopback --to host (repeatable)")
    parser.set_defaults(run=run_replay)


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


def check_files(files: list[str]) -> int:
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
    # Its own lines say what happened; the library's warnings would repeat them.
    logging.basicConfig(level=logging.ERROR)
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
