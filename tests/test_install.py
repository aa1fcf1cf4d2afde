"""The package as a user gets it: a wheel built from this checkout, installed into a fresh
virtual environment, used by a project of its own in strict and in auto mode.

The in-repo suite cannot see packaging mistakes (a missing data file, `py.typed`, the pytest11
entry point) nor an ini that differs from ours; this test can. To stay fast the new environment
borrows this one's dependencies through a .pth file; the package itself comes only from the
wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "tests" / "examples"
SKIP = (".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*_cache", "test-artifacts")
WHERE = """
import os
from pathlib import Path

import mock_server


def test_the_package_comes_from_the_wheel() -> None:
    installed = Path(mock_server.__file__).resolve()
    assert installed.is_relative_to(Path(os.environ["FRESH_VENV"]).resolve())
    assert (installed.parent / "py.typed").exists()
    assert (installed.parent / "scenarios" / "happy-path.yaml").exists()
"""


def _run(argv: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def fresh_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("install")
    # A clean copy: setuptools builds in the source tree, and a stale build/ would leak in.
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*SKIP))
    dist = base / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", dist, source], base)
    (wheel,) = dist.glob("suno_mock_server-*.whl")
    env_dir = base / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = Path(
        _run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], base
        ).strip()
    )
    _run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", site, wheel], base)
    # Dependencies (aiohttp, pydantic, pytest, ...) from this environment, after the wheel's
    # package on sys.path; this environment's editable hook is not processed from there.
    (site / "zz_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


@pytest.mark.parametrize("mode", ["strict", "auto"])
def test_readme_example_in_a_project_that_installed_the_wheel(
    fresh_python: Path, tmp_path: Path, mode: str
) -> None:
    ini = "[pytest]\nasyncio_default_fixture_loop_scope = function\nfilterwarnings = error\n"
    if mode == "auto":
        ini += "asyncio_mode = auto\n"
    (tmp_path / "pytest.ini").write_text(ini)
    for example in ("test_extend_flow.py", "test_sync_client.py"):
        (tmp_path / example).write_text((EXAMPLES / example).read_text())
    (tmp_path / "test_where.py").write_text(WHERE)
    env = {**os.environ, "FRESH_VENV": str(fresh_python.parent.parent)}
    env.pop("PYTHONPATH", None)
    out = _run([fresh_python, "-m", "pytest", "-p", "no:cacheprovider"], tmp_path, env)
    assert f"asyncio: mode=Mode.{mode.upper()}" in out or f"mode={mode}" in out
    assert "3 passed" in out
