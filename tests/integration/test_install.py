"""The package as a user gets it: a wheel built from this checkout, installed into a fresh
virtual environment, used by a project of its own in strict and in auto mode; `python -m build`
and `twine check` as a publisher runs them; the lean install and the `pytest` extra from the
package index, as a user gets them.

The in-repo suite cannot see packaging mistakes (a missing data file, `py.typed`, the pytest11
entry point) nor an ini that differs from ours; this test can. To stay fast the new environment
borrows this one's dependencies through a .pth file; the package itself comes only from the
wheel.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.wheel

EXAMPLES = ROOT / "tests" / "examples"
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


def clean_copy(root: Path, dest: Path) -> Path:
    """Copy of `root` as a fresh clone would have it: the files git tracks and new ones it does
    not ignore. What git ignores stays out (.venv, caches, build/, and .nox, whose sessions
    .ci/run runs beside this suite and which write and delete their temporary files meanwhile).
    """
    # `safe.directory`: a checkout owned by another user than the one running the tests (a CI
    # runner's) is otherwise refused for "dubious ownership".
    git = ["git", "-c", f"safe.directory={root}", "ls-files", "-z"]
    listed = _run([*git, "--cached", "--others", "--exclude-standard"], root)
    for name in sorted(set(listed.split("\0")) - {""}):
        if (root / name).is_file():  # tracked but deleted in this checkout: not copied
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / name, dest / name)
    return dest


def test_clean_copy_leaves_out_what_git_ignores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    for name, text in {
        ".gitignore": ".nox/\n",
        "pkg/tracked.py": "x = 1\n",
        "pkg/new.py": "y = 2\n",
        "gone.txt": "deleted after commit\n",
        ".nox/lowest/tmp/busy": "written by a concurrent session\n",
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t.invalid"]
    _run(["git", "init", "-q"], root)
    _run(["git", "add", ".gitignore", "pkg/tracked.py", "gone.txt"], root)
    _run([*git, "commit", "-q", "-m", "c"], root)
    (root / "gone.txt").unlink()
    # As in a CI runner's checkout owned by another user (git's own switch for its tests).
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")

    dest = clean_copy(root, tmp_path / "copy")

    copied = sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file())
    assert copied == [".gitignore", "pkg/new.py", "pkg/tracked.py"]
    assert (dest / "pkg" / "new.py").read_text() == "y = 2\n"


@pytest.fixture(scope="module")
def fresh_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("install")
    # A clean copy: setuptools builds in the source tree, and a stale build/ would leak in.
    source = clean_copy(ROOT, base / "source")
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


# What a user does: `python -m build`, then `pip install` of the wheel into a new environment
# with nothing borrowed (its dependencies come from the package index, as a user's do).
WHEEL_DATA = (
    "mock_server/py.typed",
    "mock_server/dashboard.html",
    "mock_server/media/cover.jpg",
    "mock_server/scenarios/happy-path.yaml",
)
THREADED_AND_ASYNC = """
import json
import urllib.request

import pytest


def test_threaded_fixtures_work_without_the_extra(suno_mock_threaded, callback_receiver_threaded):
    body = {"customMode": False, "instrumental": True, "model": "V4_5", "prompt": "rain",
            "callBackUrl": callback_receiver_threaded.url}
    request = urllib.request.Request(
        suno_mock_threaded.api_url + "/api/v1/generate", data=json.dumps(body).encode(),
        headers={"Authorization": "Bearer k", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as resp:
        task_id = json.load(resp)["data"]["taskId"]
    suno_mock_threaded.wait_for_callback(task_id, "complete")


async def test_async_fixture_says_what_to_install(suno_mock):
    raise AssertionError("not reached: the fixture fails first")
"""


@dataclass
class Built:
    sdist: Path
    wheel: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """`python -m build` of a clean copy: an sdist, and a wheel built from that sdist."""
    base = tmp_path_factory.mktemp("build")
    source = clean_copy(ROOT, base / "source")
    _run([sys.executable, "-m", "build", "--outdir", base / "dist", source], base)
    (sdist,) = (base / "dist").glob("suno_mock_server-*.tar.gz")
    (wheel,) = (base / "dist").glob("suno_mock_server-*.whl")
    return Built(sdist, wheel)


def test_build_makes_an_sdist_and_a_wheel_twine_accepts(built: Built) -> None:
    out = _run([sys.executable, "-m", "twine", "check", "--strict", built.sdist, built.wheel], ROOT)
    assert out.count("PASSED") == 2, out
    with zipfile.ZipFile(built.wheel) as wheel:
        names = set(wheel.namelist())
        (metadata,) = (n for n in names if n.endswith(".dist-info/METADATA"))
        meta = wheel.read(metadata).decode()
    assert set(WHEEL_DATA) <= names
    scenarios = {p.name for p in (ROOT / "scenarios").glob("*.yaml")}
    assert {f"mock_server/scenarios/{name}" for name in scenarios} <= names
    with tarfile.open(built.sdist) as sdist:
        members = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {"LICENSE", "README.md", "pyproject.toml", "mock_server/py.typed"} <= members
    assert {f"scenarios/{name}" for name in scenarios} <= members
    # The core needs no test tooling; the plugin's needs come with the extra.
    requires = [line for line in meta.splitlines() if line.startswith("Requires-Dist:")]
    for name in ("pytest", "pytest-asyncio", "pytest-aiohttp"):
        (line,) = (r for r in requires if re.match(rf"Requires-Dist: {name}\b(?!-)", r))
        assert "extra == 'pytest'" in line.replace('"', "'"), line
    assert not [r for r in requires if "faker" in r.lower()]
    for version in ("3.11", "3.12", "3.13"):
        assert f"Classifier: Programming Language :: Python :: {version}" in meta


def test_lean_install_then_the_pytest_extra_in_a_new_environment(
    built: Built, tmp_path: Path
) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    pip: list[str | Path] = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}

    _run([*pip, built.wheel], tmp_path, env)
    listed = _run([python, "-m", "pip", "list", "--format=freeze"], tmp_path, env).lower()
    installed = {line.split("==")[0] for line in listed.split()}
    assert not installed & {"pytest", "pytest-asyncio", "pytest-aiohttp", "faker"}, listed
    assert "0.1.0" in _run([env_dir / "bin" / "suno-mock", "--version"], tmp_path, env)
    _run(
        [python, "-c", "import mock_server.server, mock_server.testing, mock_server.cli"],
        tmp_path,
        env,
    )

    # A user with pytest but not the extra: the plugin loads, the threaded fixtures work and an
    # async one fails with the install line, without a traceback.
    _run([*pip, "pytest"], tmp_path, env)
    project = tmp_path / "project"
    project.mkdir()
    (project / "test_lean.py").write_text(THREADED_AND_ASYNC)
    done = subprocess.run(
        [python, "-m", "pytest", "-p", "no:cacheprovider", "-W", "error", "-rf"],
        cwd=project, env=env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    out = done.stdout + done.stderr
    assert "1 passed, 1 error" in out, out
    assert "suno_mock is an async fixture and needs pytest-asyncio" in out, out
    assert 'pip install "suno-mock-server[pytest]"' in out, out
    assert "Traceback" not in out, out
    assert "pytest_plugin.py" not in out, out

    # With the extra: the README's example in strict mode (pytest-asyncio's default), with
    # warnings as errors and no loop-scope line in the project's configuration.
    _run([*pip, f"{built.wheel}[pytest]"], tmp_path, env)
    (project / "test_lean.py").unlink()
    (project / "test_extend_flow.py").write_text((EXAMPLES / "test_extend_flow.py").read_text())
    out = _run([python, "-m", "pytest", "-p", "no:cacheprovider", "-W", "error"], project, env)
    assert "mode=strict" in out.lower().replace("mode.strict", "mode=strict"), out
    assert "asyncio_default_fixture_loop_scope=function" in out, out
    assert "1 passed" in out, out
    assert "warning" not in out.lower(), out
