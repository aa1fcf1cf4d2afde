"""dev.py's record of what .venv holds: `serve` installs the package alone, `test`/`lint` the dev
tools too, and neither mistakes the other's install for its own."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from types import ModuleType

import pytest

from tests.helpers import ROOT


@pytest.fixture(scope="module")
def dev() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dev_script", ROOT / "dev.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("dev_script", module)
    spec.loader.exec_module(module)
    return module


def test_each_command_needs_the_install_it_says(dev: ModuleType) -> None:
    assert dev.NEEDS == {"serve": "core", "test": "dev", "lint": "dev", "bench": "dev"}
    assert dev.TARGETS["core"] == str(ROOT)
    assert dev.TARGETS["dev"] == f"{ROOT}[dev]"


@pytest.mark.parametrize(
    ("stamp", "level", "current"),
    [
        ("abc core", "core", True),
        ("abc dev", "core", True),  # the dev tools hold everything serve needs
        ("abc dev", "dev", True),
        ("abc core", "dev", False),  # serve's lean install is not enough to test
        ("old core", "core", False),  # pyproject.toml changed
        ("old dev", "dev", False),
        ("abc", "core", False),  # a stamp from before levels
        ("", "dev", False),
    ],
)
def test_stamp(dev: ModuleType, stamp: str, level: str, current: bool) -> None:
    assert dev.is_current(stamp, "abc", level) is current


def test_fast_leaves_out_the_costly_tests(dev: ModuleType) -> None:
    assert dev.pytest_args(["--fast", "-k", "inbox"]) == [
        "-m",
        "not docker and not browser and not wheel",
        "-n",
        "auto",
        "-k",
        "inbox",
    ]
    assert dev.pytest_args(["--fast", "-n", "0"]) == [
        "-m",
        "not docker and not browser and not wheel",
        "-n",
        "0",
    ]
    assert dev.pytest_args(["-x"]) == ["-x"]


def test_every_costly_test_carries_its_marker() -> None:
    """What `--fast` leaves out is exactly the container, browser and wheel tests."""

    def collected(*args: str) -> set[str]:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "--collect-only",
                "-q",
                "-p",
                "no:cacheprovider",
                *args,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        return {line for line in done.stdout.splitlines() if "::" in line}

    everything = collected("tests")
    fast = collected("-m", "not docker and not browser and not wheel", "tests")
    left_out = {test.split("::")[0] for test in everything - fast}
    costly = {
        "tests/integration/test_container.py",
        "tests/integration/test_install.py",
        "tests/product/test_dashboard.py",
    }
    # A file collected here (Docker's engine or Chromium may be missing outside CI) is left out.
    assert {path for path in costly if any(t.startswith(path) for t in everything)} <= left_out
    assert "tests/integration/test_install.py" in left_out
    assert left_out <= {*costly, "tests/product/test_dashboard_guard.py"}
