"""`suno-mock` command line: `main(argv) -> int`.

One module per family of subcommands (`serve`; `scenarios`, `check`, `replay`, `record`;
`probe`; `proxy`, `drift`), each adding its parser and the function that runs it. `serve`'s
flags, and their SUNO_MOCK_* variables, are generated from `Settings` (`flags.py`).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import cast

from mock_server import __version__
from mock_server.cli import probe, recording, scenarios, serve
from mock_server.cli.flags import ENV_PREFIX, apply_env, settings_from_args
from mock_server.cli.serve import SERVE_FLAGS, banner, browser_urls
from mock_server.cli.usage import Parser

__all__ = [
    "ENV_PREFIX",
    "banner",
    "browser_urls",
    "build_parser",
    "main",
    "parse_args",
    "settings_from_args",
]


def build_parser() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """The top-level parser and its `serve` subparser."""
    parser = Parser(prog="suno-mock", description="Offline test double of the Suno music API.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve_parser = serve.add_parser(sub.add_parser)
    scenarios.add_parsers(sub.add_parser)
    probe.add_parser(sub.add_parser)
    recording.add_parsers(sub.add_parser)
    return parser, serve_parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line, with SUNO_MOCK_* variables as defaults for `serve`'s flags."""
    parser, serve_parser = build_parser()
    apply_env(parser, serve_parser, SERVE_FLAGS)
    args, extra = parser.parse_known_args(argv)
    if extra:  # said by the subcommand, which knows the flags the user meant
        commands = next(
            a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction)
        )
        commands[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; its exit status (2: a usage error)."""
    args = parse_args(argv)
    return cast(int, args.run(args))
