"""One entry point for working on suno-mock-server; needs only Python >= 3.11 and pip.

    python3 dev.py serve [suno-mock serve flags...]   start the dev server
    python3 dev.py test [pytest args...]              run the whole test suite
    python3 dev.py lint                               ruff check, ruff format --check, mypy --strict
    python3 dev.py bench                              run the benchmarks in bench/

Every command first makes sure `.venv/` exists and holds the project (editable, with its dev
extras); it reinstalls only when pyproject.toml changed since the last install.
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


def ensure_env() -> None:
    """Create .venv and install the project into it when missing or out of date."""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    if not (BIN / "python").exists():
        print("dev.py: creating .venv", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("dev.py: installing suno-mock-server and its dev tools into .venv", file=sys.stderr)
    pip = [_python(), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    done = subprocess.run(
        [*pip, "--editable", f"{ROOT}[dev]"], capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"dev.py: pip install failed (exit {done.returncode}); see above")
    STAMP.write_text(wanted)


def _run(argv: list[str]) -> int:
    return subprocess.run(argv, cwd=ROOT, check=False).returncode


def _exec(argv: list[str]) -> int:
    """Become the command, so Ctrl-C/SIGTERM and the exit status reach it directly."""
    os.chdir(ROOT)
    if os.name == "nt":
        return _run(argv)
    os.execv(argv[0], argv)  # noqa: S606 - our own venv's python
    raise AssertionError("os.execv returned")


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command not in {"serve", "test", "lint", "bench"}:
        print(
            f"dev.py: unknown command {command!r}; use serve, test, lint or bench", file=sys.stderr
        )
        return 2
    ensure_env()
    if command == "serve":
        return _exec([_python(), "-m", "mock_server", "serve", *rest])
    if command == "test":
        return _exec([_python(), "-m", "pytest", *rest])
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
