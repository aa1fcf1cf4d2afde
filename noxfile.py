"""The suite's fast part on every supported Python, and on the lowest versions the metadata
admits (https://nox.thea.codes; `.venv/bin/nox` after `python3 dev.py test` or `lint`).

    nox -s tests-3.12            one Python (tests-3.11, tests-3.12, tests-3.13)
    nox -s lowest                Python 3.11 with the lowest direct dependency versions allowed
    nox -s tests-3.13 -- -k foo  pytest arguments after `--`

The fast part leaves out the tests that build a container, drive a browser or build and install
the wheel (`python3 dev.py test` runs those). Environments are made with uv, which finds the
interpreters on PATH and is not allowed to download one.
"""

from __future__ import annotations

import os

import nox

PYTHONS = ["3.11", "3.12", "3.13"]
FAST = "not docker and not browser and not wheel"
"""The markers `python3 dev.py test --fast` leaves out (pyproject.toml registers them)."""

nox.options.default_venv_backend = "uv"
nox.options.sessions = [*(f"tests-{version}" for version in PYTHONS), "lowest"]
os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")


def _fast(session: nox.Session) -> None:
    # Each session its own temporary root: .ci/run runs the sessions side by side, and pytest
    # sweeping old numbered directories in one shared /tmp/pytest-of-<user> races with another
    # session's sweep (an OSError at exit, turned into an error by filterwarnings).
    session.run(
        "python",
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-m",
        FAST,
        *session.posargs,
        env={"PYTEST_DEBUG_TEMPROOT": session.create_tmp()},
    )


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The fast part of the suite on one Python, with the newest dependency versions."""
    session.install("--editable", ".[dev]")
    _fast(session)


@nox.session(python=PYTHONS[0])
def lowest(session: nox.Session) -> None:
    """The fast part with the lowest versions pyproject.toml admits for every direct
    dependency, so a lower bound that does not work fails here."""
    session.install("--resolution", "lowest-direct", "--editable", ".[dev]")
    session.run("uv", "pip", "list", "--python", "python", external=True)
    _fast(session)
