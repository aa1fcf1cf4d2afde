"""Every setting is documented: the README's configuration table names each field of Settings,
and each serve flag it lists exists (so the table cannot fall behind the model)."""

from __future__ import annotations

import re
from pathlib import Path

from mock_server.cli import build_parser
from mock_server.settings import Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def configuration_table() -> str:
    text = README.read_text()
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
