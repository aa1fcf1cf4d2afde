"""One entry point for working on suno-mock-server; needs only Python >= 3.11 and pip.

    python3 dev.py serve [suno-mock serve flags...]   start the dev server
    python3 dev.py test [pytest args...]              run the whole test suite
    python3 dev.py test --fast [pytest args...]       all but the docker, browser and wheel tests,
                                                      on every core
    python3 dev.py lint                               ruff check, ruff format --check, mypy --strict
    python3 dev.py bench                              run the benchmarks in bench/

Every command first makes sure `.venv/` exists and holds the project, editable: `serve` needs
only the package and its runtime dependencies; `test`, `lint` and `bench` add the dev tools (the
`dev` extra). It installs again only when pyproject.toml changed since the last install or the
command needs more than what is there.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".suno-mock-installed"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def _python() -> str:
    return str(BIN / "python")


# What a command needs in .venv: serve the package alone, the rest the dev tools as well.
NEEDS = {"serve": "core", "test": "dev", "lint": "dev", "bench": "dev"}
TARGETS = {"core": str(ROOT), "dev": f"{ROOT}[dev]"}
SAYS = {
    "core": "suno-mock-server and what it needs to serve, no dev tools (first time only)",
    "dev": "suno-mock-server and its dev tools (first time only)",
}


def is_current(stamp: str, wanted: str, level: str) -> bool:
    """Whether the install the stamp records (`<pyproject hash> <core|dev>`) is from this
    pyproject.toml and holds what `level` needs (dev holds core; core does not hold dev)."""
    digest, _, installed = stamp.strip().partition(" ")
    return digest == wanted and (installed == level or installed == "dev")


def ensure_env(level: str) -> None:
    """Create .venv and install what `level` (core or dev) needs when missing or out of date."""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and is_current(STAMP.read_text(), wanted, level):
        return
    if not (BIN / "python").exists():
        print("dev.py: creating .venv", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print(f"dev.py: installing {SAYS[level]} into .venv", file=sys.stderr, flush=True)
    pip = [_python(), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    done = subprocess.run(
        [*pip, "--editable", TARGETS[level]], capture_output=True, text=True, check=False
    )
    if done.returncode:
        STAMP.unlink(missing_ok=True)
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"dev.py: pip install failed (exit {done.returncode}); see above")
    STAMP.write_text(f"{wanted} {level}")


def _run(argv: list[str]) -> int:
    return subprocess.run(argv, cwd=ROOT, check=False).returncode


def _exec(argv: list[str]) -> int:
    """Become the command, so Ctrl-C/SIGTERM and the exit status reach it directly."""
    os.chdir(ROOT)
    if os.name == "nt":
        return _run(argv)
    os.execv(argv[0], argv)  # noqa: S606 - our own venv's python
    raise AssertionError("os.execv returned")


FAST = "not docker and not browser and not wheel"
"""The tests `test --fast` runs: all but the container, browser and wheel ones (markers)."""


def pytest_args(rest: list[str]) -> list[str]:
    """`test`'s arguments for pytest: `--fast` leaves out the costly tests and runs the rest on
    every core (pytest-xdist; `-n 0` or `-p no:xdist` after it runs them one at a time)."""
    if "--fast" not in rest:
        return rest
    chosen = [arg for arg in rest if arg != "--fast"]
    own = any(a.startswith(("-n", "--numprocesses")) or a == "no:xdist" for a in chosen)
    workers = [] if own else ["-n", "auto"]
    return ["-m", FAST, *workers, *chosen]


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command not in NEEDS:
        print(
            f"dev.py: unknown command {command!r}; use serve, test, lint or bench", file=sys.stderr
        )
        return 2
    ensure_env(NEEDS[command])
    if command == "serve":
        return _exec([_python(), "-m", "mock_server", "serve", *rest])
    if command == "test":
        return _exec([_python(), "-m", "pytest", *pytest_args(rest)])
    if command == "bench":
        return _exec([_python(), str(ROOT / "bench" / "run.py"), *rest])
    for step in (
        [_python(), "-m", "ruff", "check", "."],
        [_python(), "-m", "ruff", "format", "--check", "."],
        [_python(), "-m", "mypy", "--strict"],
    ):
        code = _run(step)
        if code:
            return code
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
