"""Every package of mock_server ships: pyproject.toml lists its packages by hand (the bundled
scenarios are mapped in from another folder), so a new subpackage missing there would be left
out of the wheel while every in-repo test still passes."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_subpackage_is_listed_in_pyproject() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "mock_server").rglob("__init__.py")
    }
    assert sorted(found - listed) == []
