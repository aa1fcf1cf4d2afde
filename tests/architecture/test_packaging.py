"""Every package of mock_server ships: pyproject.toml lists its packages by hand (the bundled
scenarios are mapped in from another folder), so a new subpackage missing there would be left
out of the wheel while every in-repo test still passes."""

from __future__ import annotations

import ast
import tomllib

from tests.helpers import ROOT


def test_every_subpackage_is_listed_in_pyproject() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "mock_server").rglob("__init__.py")
    }
    assert sorted(found - listed) == []


def test_the_pythons_classified_are_the_pythons_tested() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    prefix = "Programming Language :: Python :: 3."
    classified = sorted(
        c.removeprefix("Programming Language :: Python :: ")
        for c in project["classifiers"]
        if c.startswith(prefix)
    )
    tree = ast.parse((ROOT / "noxfile.py").read_text())
    (pythons,) = (
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "PYTHONS"
    )
    assert classified == pythons
    assert project["requires-python"] == f">={pythons[0]}"
