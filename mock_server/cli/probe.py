"""`suno-mock probe`: a battery of realistic callbacks at the user's endpoint, a verdict each."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from pydantic import ValidationError

from mock_server.cli.flags import AddParser, allow_host_flag, positive_float
from mock_server.core.settings import Settings
from mock_server.probe import DEFAULT_BUDGET, CaseResult, ProbeError, probe

__all__ = ["add_parser", "run_probe"]


def add_parser(add: AddParser) -> None:
    parser = add(
        "probe",
        help="check your callback endpoint: a battery of realistic callbacks, a verdict each",
        description="Fire a named battery of realistic callbacks (the server's own payloads) at "
        "--to, one at a time, and report each answer's status, latency and verdict. A valid "
        "callback must get HTTP 200 within the receiver timeout; a duplicate the same answer as "
        "the first delivery; a broken body anything but a 5xx or no answer; a badly signed "
        "callback (with --webhook-hmac-key) a refusal. Exit 1 if any case failed.",
    )
    flag = parser.add_argument
    flag("--to", required=True, metavar="URL", help="your callback endpoint (the callBackUrl)")
    flag(
        "--only",
        default=None,
        metavar="CASES",
        help="comma-separated case names or patterns, e.g. sequence,error-* (default: all)",
    )
    flag(
        "--budget",
        type=positive_float,
        default=DEFAULT_BUDGET,
        metavar="SECONDS",
        help=f"warn about answers slower than this (default {DEFAULT_BUDGET:g})",
    )
    flag(
        "--timeout",
        type=positive_float,
        default=None,
        metavar="SECONDS",
        help="fail answers slower than this, as the provider does (default 15)",
    )
    flag(
        "--format",
        choices=["text", "json", "junit"],
        default="text",
        help="report as readable text (default), JSON or JUnit XML (one testcase per case)",
    )
    flag(
        "--webhook-hmac-key",
        default=None,
        metavar="KEY",
        help="sign every callback with KEY and add the signed / bad-signature cases",
    )
    flag("--seed", type=int, default=0, help="seed of generated ids and data (default 0)")
    allow_host_flag(flag, "allow a non-loopback --to host (repeatable)")
    parser.set_defaults(run=run_probe)


def _progress(number: int, total: int, case: CaseResult) -> None:
    """A line per case as it finishes, on stderr (stdout keeps the report alone, for --format
    json), flushed so a pipe into a CI log shows it at once."""
    print(f"[{number}/{total}] {case.line()}", file=sys.stderr, flush=True)


def run_probe(args: argparse.Namespace) -> int:
    """`suno-mock probe --to URL`: print the report; 1 if a case failed, 2 if it cannot run."""
    logging.basicConfig(level=logging.ERROR)  # the report says what happened
    try:
        settings = Settings(
            seed=args.seed,
            webhook_hmac_key=args.webhook_hmac_key,
            allow_callback_hosts=tuple(args.allow_callback_hosts),
        )
        only = args.only.split(",") if args.only is not None else None
        report = asyncio.run(
            probe(args.to, settings=settings, only=only, budget=args.budget,
                  receiver_timeout=args.timeout, progress=_progress,
                  timeout_name="--timeout")
        )  # fmt: skip
    except (ProbeError, ValidationError) as err:
        print(f"suno-mock: error: {err}", file=sys.stderr)
        return 2
    sys.stdout.write(report.render(args.format))
    return report.exit_code
