"""Every setting is documented and reachable: the configuration table (docs/configuration.md)
names each field of Settings, and each serve flag it lists exists (so the table cannot fall
behind the model);
`suno-mock serve --help` shows every field with its docstring, and every field's SUNO_MOCK_*
variable sets it."""

from __future__ import annotations

import os
import re
import typing
from typing import Any

import pytest

from mock_server.cli import build_parser, main, parse_args, settings_from_args
from mock_server.core.settings import Settings, StageDelays, setting_docs
from tests.helpers import ROOT

CONFIGURATION = ROOT / "docs" / "configuration.md"


def configuration_table() -> str:
    text = CONFIGURATION.read_text()
    start = text.index("| flag / env / setting | default | meaning |")
    return text[start : text.index("\n\n", start)]


def test_every_setting_is_in_the_configuration_table() -> None:
    named = set(re.findall(r"`([a-z_0-9]+)`", configuration_table()))
    assert [field for field in Settings.model_fields if field not in named] == []


def test_every_flag_in_the_table_is_a_serve_flag() -> None:
    _, serve = build_parser()
    flags = {flag for action in serve._actions for flag in action.option_strings}
    listed = set(re.findall(r"`(--[a-z0-9-]+)", configuration_table()))
    assert sorted(listed - flags) == []


PLURAL = {"api_keys": "api-key", "allow_callback_hosts": "allow-callback-host",
          "scenario_dirs": "scenarios-dir"}  # fmt: skip
"""Settings whose flag names one value (it is repeatable)."""


def flag_of(field: str) -> str:
    return PLURAL.get(field, field.replace("_", "-"))


def test_serve_help_lists_every_setting_with_its_docstring(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["serve", "--help"])
    assert done.value.code == 0
    # argparse rewraps the help, and may break a line after a hyphen.
    shown = " ".join(capsys.readouterr().out.split()).replace("- ", "-")
    docs = setting_docs()
    missing = [
        field
        for field in Settings.model_fields
        if f"--{flag_of(field)} " not in shown
        or not docs.get(field)
        or " ".join(docs[field].split()) not in shown
    ]
    assert missing == []


def variable_value(field: str) -> tuple[str, Any]:
    """A value unlike the default for the setting's SUNO_MOCK_* variable, and what it means."""
    special: dict[str, tuple[str, Any]] = {
        "rate_limit": ("5/1s", "5/1s"),
        "stage_delays": ("text=1,first=2,complete=3", StageDelays(text=1, first=2, complete=3)),
        "retry_delays": ("1,2", (1.0, 2.0)),
        "infill_max_seconds": ("60", 60.0),
        "journal_limit": ("none", None),
        "callback_socket_budget": ("500", 500),
    }
    if field in special:
        return special[field]
    info = Settings.model_fields[field]
    default, annotation = info.default, info.annotation
    if typing.get_origin(annotation) is typing.Literal:
        other = next(v for v in typing.get_args(annotation) if v != default)
        return str(other), other
    if annotation is bool:
        return "true", True
    if annotation == tuple[str, ...]:
        return "a.invalid,b.invalid", ("a.invalid", "b.invalid")
    if isinstance(default, bool | int | float) and default is not None:
        return str(default + 1), default + 1
    return "x-value", "x-value"  # the str settings


@pytest.mark.parametrize("field", list(Settings.model_fields))
def test_every_setting_has_a_working_variable(field: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("SUNO_MOCK_"):
            monkeypatch.delenv(name)
    raw, expected = variable_value(field)
    monkeypatch.setenv("SUNO_MOCK_" + flag_of(field).replace("-", "_").upper(), raw)
    settings = settings_from_args(parse_args(["serve"]))
    assert getattr(settings, field) == expected
    assert getattr(settings, field) != Settings.model_fields[field].default
