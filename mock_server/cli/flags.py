"""`serve`'s flags and their SUNO_MOCK_* variables, generated from the `Settings` model.

Every field of `Settings` is a flag `--field-name` and a variable `SUNO_MOCK_FIELD_NAME`; its
docstring is the help text and its annotation gives the shape (a switch for a bool, choices for a
Literal, a repeatable flag for a tuple of strings, `none` for a number that may be None). The
tables below hold only what a field's type cannot say: a singular name, a special syntax.
"""

from __future__ import annotations

import argparse
import os
import sys
import typing
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from mock_server.core.clock import MAX_SCALE, MIN_SCALE
from mock_server.core.hints import mistake, nearest
from mock_server.core.settings import Settings, StageDelays, parse_rate_limit, setting_docs

__all__ = [
    "ENV_PREFIX",
    "NO_LIMIT",
    "SETTING_FLAGS",
    "AddParser",
    "Flag",
    "add_flags",
    "apply_env",
    "positive_float",
    "setting_flag",
    "settings_from_args",
    "time_scale",
    "token_flag",
]

ENV_PREFIX = "SUNO_MOCK_"
PUBLISHED_PORT = ENV_PREFIX + "PUBLISHED_PORT"
"""The host's port a container's port is published on (`docker run -p 18080:8080` -> 18080):
a container cannot see it, so the user says it, for the banner's link."""
NO_LIMIT = "none"
"""What a flag takes for a number setting that may be None (no limit, not set)."""


class _NoLimit:
    """NO_LIMIT as parsed: argparse's None already means "not given"."""

    def __repr__(self) -> str:
        return NO_LIMIT


_NO_LIMIT = _NoLimit()
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
"""Values of a switch's variable that turn it on (anything else turns it off)."""

AddParser = Callable[..., argparse.ArgumentParser]
"""`add_parser` of the subcommands: each subcommand module adds its own parser with it."""


LARGEST = 1e6
"""Largest number a plain positive flag takes (seconds, counts): finite, and far past use."""


def positive_float(text: str) -> float:
    """A number above 0 and at most LARGEST (a NaN or an infinity is refused)."""
    try:
        value = float(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from err
    if not 0 < value <= LARGEST:  # also false for NaN
        raise argparse.ArgumentTypeError(f"must be above 0 and at most {LARGEST:g}, got {text}")
    return value


def time_scale(text: str) -> float:
    """`--time-scale`: real seconds per mock second, MIN_SCALE to MAX_SCALE."""
    value = positive_float(text)
    if not MIN_SCALE <= value <= MAX_SCALE:
        raise argparse.ArgumentTypeError(f"must be from {MIN_SCALE:g} to {MAX_SCALE:g}, got {text}")
    return value


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


def _rate_limit(text: str) -> str:
    try:
        parse_rate_limit(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from err
    return text


def _or_none(kind: type) -> Callable[[str], Any]:
    """`kind`, or the word `none`."""

    def convert(text: str) -> Any:
        if text.strip().lower() == NO_LIMIT:
            return _NO_LIMIT
        try:
            return kind(text)
        except ValueError as err:
            raise argparse.ArgumentTypeError(f"not a {kind.__name__}: {text!r}") from err

    convert.__name__ = kind.__name__  # argparse names the type in its messages
    return convert


@dataclass(frozen=True)
class Flag:
    """One `serve` flag and its variable: `--name` and SUNO_MOCK_NAME (dashes as underscores)."""

    name: str
    dest: str
    help: str
    parse: Callable[[str], Any] = str
    choices: tuple[Any, ...] | None = None
    metavar: str | None = None
    default: Any = None
    repeatable: bool = False
    """Given once per value; its variable takes a comma-separated list."""
    switch: bool = False
    """Takes no value; its variable is on for 1, true, yes or on."""

    @property
    def option(self) -> str:
        return "--" + self.name

    @property
    def variable(self) -> str:
        return ENV_PREFIX + self.name.replace("-", "_").upper()

    def add_to(self, parser: argparse.ArgumentParser) -> None:
        text = self.help.replace("%", "%%")
        if self.switch:
            parser.add_argument(
                self.option, dest=self.dest, action="store_true", default=None, help=text
            )
            return
        parser.add_argument(
            self.option,
            dest=self.dest,
            action="append" if self.repeatable else "store",
            type=self.parse,
            choices=self.choices,
            default=self.default,
            metavar=self.metavar,
            help=text,
        )

    def from_text(self, raw: str) -> Any:
        """The value a variable gives this flag; raises ArgumentTypeError or ValueError."""
        if self.switch:
            return raw.strip().lower() in TRUE_WORDS
        if self.repeatable:
            return [self.parse(part.strip()) for part in raw.split(",") if part.strip()]
        value = self.parse(raw)
        if self.choices is not None and value not in self.choices:
            choices = [str(c) for c in self.choices]
            raise argparse.ArgumentTypeError(mistake("not allowed", got=raw, choices=choices))
        return value


# What a field's type cannot say. Singular names: a repeatable flag names one value.
RENAMED = {"api_keys": "api-key", "allow_callback_hosts": "allow-callback-host",
           "scenario_dirs": "scenarios-dir"}  # fmt: skip
PARSERS: dict[str, Callable[[str], Any]] = {
    "stage_delays": _stage_delays,
    "rate_limit": _rate_limit,
}
METAVARS = {
    "stage_delays": "text=S,first=S,complete=S", "retry_delays": "S,S,S",
    "rate_limit": "N/WINDOW", "api_keys": "KEY", "allow_callback_hosts": "HOST",
    "scenario_dirs": "DIR", "scenario": "NAME_OR_FILE", "webhook_hmac_key": "KEY",
    "control_token": "TOKEN", "public_base_url": "URL", "upload_base_url": "URL",
}  # fmt: skip
_METAVAR_OF_TYPE: dict[Any, str] = {int: "N", float: "SECONDS", str: "TEXT"}


def _shown(value: Any) -> str:
    """A default as the help text shows it."""
    if value is None or value == ():
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, BaseModel):
        return ",".join(f"{k}={_shown(v)}" for k, v in value.model_dump().items())
    if isinstance(value, tuple):
        return ",".join(map(_shown, value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def _positive(field: FieldInfo) -> bool:
    return any(getattr(rule, "gt", None) == 0 for rule in field.metadata)


def _parser_of(name: str, kind: Any, field: FieldInfo, nullable: bool) -> Callable[[str], Any]:
    if name in PARSERS:
        return PARSERS[name]
    if kind == tuple[float, ...]:
        return _float_list
    if nullable and kind is not str:
        return _or_none(kind)
    if kind is float and _positive(field):
        return positive_float
    if kind not in (int, float, str, bool):  # a bool is a switch: its parser goes unused
        raise TypeError(
            f"Settings.{name}: no flag for a {kind!r}; give it a parser in PARSERS (cli/flags.py)"
        )
    plain: Callable[[str], Any] = kind  # argparse words the errors of int and float itself
    return plain


def setting_flag(name: str) -> Flag:
    """The flag of the `Settings` field `name`, derived from its annotation and docstring."""
    field = Settings.model_fields[name]
    annotation = field.annotation
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    nullable = type(None) in typing.get_args(annotation)
    kind = args[0] if nullable else annotation
    choices = tuple(args) if typing.get_origin(annotation) is typing.Literal else None
    if choices is not None:
        kind = type(choices[0])
    repeatable = kind == tuple[str, ...]
    metavar = METAVARS.get(name) or _METAVAR_OF_TYPE.get(kind, name.upper())
    if nullable and kind is not str:
        metavar += "|none"
    description = " ".join((setting_docs().get(name) or name).split())
    return Flag(
        name=RENAMED.get(name, name.replace("_", "-")),
        dest=name,
        help=f"{description} (default {_shown(field.default)})",
        parse=str if repeatable else _parser_of(name, kind, field, nullable),
        choices=choices,
        metavar=None if choices else metavar,
        repeatable=repeatable,
        switch=kind is bool,
    )


SETTING_FLAGS: tuple[Flag, ...] = tuple(setting_flag(name) for name in Settings.model_fields)
"""A flag for every setting, in the model's order."""


def apply_env(
    parser: argparse.ArgumentParser, command: argparse.ArgumentParser, flags: Iterable[Flag]
) -> None:
    """Turn SUNO_MOCK_* variables into `command`'s defaults (so the command line still wins);
    a bad value is a usage error of `parser` naming the variable; a misspelt one is warned of."""
    flags = list(flags)
    known = [f.variable for f in flags] + [PUBLISHED_PORT]
    for name in sorted(os.environ):
        if name.startswith(ENV_PREFIX) and name not in known and (close := nearest(name, known)):
            print(
                f"suno-mock: warning: {name} is not a setting (ignored); did you mean {close}?",
                file=sys.stderr,
            )
    for flag in flags:
        raw = os.environ.get(flag.variable)
        if raw is None:
            continue
        try:
            value = flag.from_text(raw)
        except (argparse.ArgumentTypeError, ValueError) as err:
            parser.exit(2, f"suno-mock: error: {flag.variable}={raw!r}: {err}\n")
        command.set_defaults(**{flag.dest: value})


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The `Settings` the flags (and variables) give; a flag not given keeps the default."""
    values: dict[str, Any] = {}
    for flag in SETTING_FLAGS:
        value = getattr(args, flag.dest)
        if value is None or (flag.repeatable and not value):
            continue
        if flag.repeatable:
            value = tuple(value)
        values[flag.dest] = None if value is _NO_LIMIT else value
    return Settings.model_validate(values)


def token_flag(add: Callable[..., Any], help_text: str) -> None:
    """`--control-token` of the commands that talk to (or are) an exposed server; its default
    comes from SUNO_MOCK_CONTROL_TOKEN, as serve's does."""
    add(
        "--control-token",
        default=os.environ.get(ENV_PREFIX + "CONTROL_TOKEN"),
        metavar="TOKEN",
        help=f"{help_text} (default: SUNO_MOCK_CONTROL_TOKEN)",
    )


def add_flags(parser: argparse.ArgumentParser, flags: Sequence[Flag]) -> None:
    for flag in flags:
        flag.add_to(parser)


def allow_host_flag(add: Callable[..., Any], help_text: str) -> None:
    """`--allow-callback-host HOST` (repeatable) of the commands that send callbacks."""
    add(
        "--allow-callback-host",
        action="append",
        dest="allow_callback_hosts",
        default=[],
        metavar="HOST",
        help=help_text,
    )
