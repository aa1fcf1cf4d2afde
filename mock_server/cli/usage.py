"""How the command line answers a mistake, and how `serve --help` is laid out.

argparse answers a bad flag with the whole usage block (45 lines for `serve`) above the one line
that matters; `Parser.error` prints that line, the nearest valid flag or choice, and a pointer
to `--help`, in at most five lines. `serve --help` groups its flags by what they tune.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from typing import NoReturn

from mock_server.cli.flags import Flag
from mock_server.core.hints import nearest

__all__ = ["DEFAULT_GROUP", "FLAG_GROUPS", "Parser", "add_grouped", "group_of"]

_UNKNOWN = re.compile(r"unrecognized arguments: (.*)")
_ARGUMENT = re.compile(r"argument (--[\w-]+)")
_CHOICE = re.compile(r"argument (\S+): invalid choice: '([^']*)' \(choose from (.*)\)")

FLAG_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "server": (
        "where it listens and what its API answers",
        ("host", "port", "event_loop", "seed", "credits", "task_cost", "public_base_url",
         "upload_base_url", "mirror_http_status", "create_time_format", "text_callback_tracks",
         "title_limit_v4_5",
         "upload_extend_default_requires_prompt", "rate_limit_code", "cover_repeat_code",
         "vocal_removal_track_field", "lyrics_limit_unit", "default_source_duration",
         "default_upload_duration", "duration_spread", "unknown_audio_id", "repeat_file_job",
         "legacy_custom_mode", "wav_source", "voice_regenerate_callback",
         "upload_api_http_200"),
    ),
    "time": (
        "mock time: how fast it runs and when stages fire",
        ("time_scale", "manual_clock", "stage_delays", "job_delay", "start_time"),
    ),
    "delivery": (
        "how callbacks are sent",
        ("callback_timeout", "callback_connections_per_host", "callback_socket_budget",
         "retry_delays", "webhook_hmac_key"),
    ),
    "scenarios": ("scripted behaviours", ("scenario", "scenario_dirs", "scenario_max_bytes")),
    "limits": (
        "sizes, counts and read timeouts (every store is bounded)",
        ("rate_limit", "max_body_bytes", "journal_limit", "task_limit", "job_limit",
         "max_upload_duration", "upload_extend_max_duration_v4_5all",
         "upload_cover_max_duration_v4_5all", "max_upload_bytes",
         "upload_retention", "upload_store_bytes", "upload_fetch_timeout", "infill_min_seconds",
         "infill_max_seconds", "control_max_body_bytes", "header_read_timeout",
         "body_read_timeout", "journal_body_bytes", "journal_bytes", "task_store_bytes",
         "job_store_bytes", "event_streams", "write_timeout"),
    ),
    "safety": (
        "who may call the mock, and whom it may call",
        ("api_keys", "control_token", "allow_callback_hosts"),
    ),
    "logging": ("what it prints on stderr", ("log_format", "log_level")),
}  # fmt: skip
"""`serve --help`'s sections, by the `dest` of their flags."""


DEFAULT_GROUP = "server"
"""Where a flag not listed goes (a new setting still gets its flag; tests/product/test_mistakes.py
asks for it to be listed)."""


def group_of(dest: str) -> str:
    for group, (_, members) in FLAG_GROUPS.items():
        if dest in members:
            return group
    return DEFAULT_GROUP


def add_grouped(parser: argparse.ArgumentParser, flags: Sequence[Flag]) -> None:
    """Add `flags` to `parser` under the sections of FLAG_GROUPS, in their order."""
    sections = {
        name: parser.add_argument_group(name, description)
        for name, (description, _) in FLAG_GROUPS.items()
    }
    for flag in flags:
        flag.add_to(sections[group_of(flag.dest)])  # type: ignore[arg-type]


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors fit in five lines and suggest the fix."""

    def error(self, message: str) -> NoReturn:
        lines = [f"{self.prog}: error: {message}"]
        if hint := self._hint(message):
            lines.append(f"  {hint}")
        lines.append(f"  (see `{self.prog} --help`)")
        sys.stderr.write("\n".join(lines) + "\n")
        raise SystemExit(2)

    def _hint(self, message: str) -> str | None:
        if match := _UNKNOWN.search(message):
            words = [w.split("=", 1)[0] for w in match[1].split() if w.startswith("--")]
            options = [o for a in self._actions for o in a.option_strings if o.startswith("--")]
            for word in words:
                if close := nearest(word, options):
                    return f"did you mean {close}?"
            return None
        if (match := _ARGUMENT.match(message)) and not _CHOICE.search(message):
            return self._what_it_takes(match[1])
        if match := _CHOICE.search(message):
            choices = [c.strip().strip("'") for c in match[3].split(",")]
            if close := nearest(match[2], choices):
                flag = f"{match[1]} " if match[1].startswith("-") else ""
                return f"did you mean {flag}{close}?"
        return None

    def _what_it_takes(self, option: str) -> str | None:
        """`--time-scale SECONDS: real seconds per mock second; ...`: what a flag takes."""
        for action in self._actions:
            if option in action.option_strings and action.help:
                metavar = action.metavar or action.dest.upper()
                text = " ".join(f"{option} {metavar}: {action.help}".split()).replace("%%", "%")
                return text if len(text) <= 110 else text[:107] + "..."
        return None
