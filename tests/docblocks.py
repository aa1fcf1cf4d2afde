"""The code blocks of the README, CONTRIBUTING.md and docs/, and how each kind runs.

A block runs as its language says (CONTRIBUTING.md, "Documentation", is the user's version):
`python` is a file of tests/examples/ or is executed; `sh` runs in bash, and a block that is
only `suno-mock serve ...` starts that server for the page's later blocks; `yaml` is a
scenario; `ini` is the pytest.ini of a scratch project; `text` is an output listing. A block
that cannot run here carries `<!-- not run: reason -->` right above it, and one that a test
runs itself (against a receiver of its own) `<!-- run by: tests/test_x.py::test_name -->`.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
DEFAULT_URL = "http://127.0.0.1:8080"
BIN = Path(sys.executable).parent
"""Where the installed `suno-mock` command is (the test run's own environment)."""

_FENCE = re.compile(
    r"(?:<!-- (?P<kind>not run|run by): (?P<note>.*?) -->\n)?"
    r"^```(?P<lang>[\w-]*)\n(?P<body>.*?)^```$",
    flags=re.DOTALL | re.MULTILINE,
)


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    lang: str
    body: str
    not_run: str | None
    """The reason given in `<!-- not run: ... -->`, None for a block that runs."""
    run_by: str | None = None
    """`<!-- run by: tests/test_x.py::test_name -->`: a test runs the block's commands itself
    (against a receiver of its own), so the generic runner leaves it alone."""

    @property
    def runs_here(self) -> bool:
        """Whether the generic runner runs it."""
        return self.not_run is None and self.run_by is None

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def server_command(self) -> str | None:
        """The command when the block is only `[VAR=value ...] suno-mock serve ...`."""
        lines = [ln.split(" #")[0].strip() for ln in self.body.splitlines()]
        lines = [ln for ln in lines if ln and not ln.startswith("#")]
        if self.lang != "sh" or len(lines) != 1:
            return None
        words = shlex.split(lines[0])
        while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
            words = words[1:]
        return lines[0] if words[:2] == ["suno-mock", "serve"] else None


def blocks(page: Path) -> list[Block]:
    text = page.read_text()
    return [
        Block(
            page,
            text.count("\n", 0, found.start("lang")) + 1,
            found.group("lang"),
            found.group("body"),
            found.group("note") if found.group("kind") == "not run" else None,
            found.group("note") if found.group("kind") == "run by" else None,
        )
        for found in _FENCE.finditer(text)
    ]


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    for name in [n for n in env if n.startswith("SUNO_MOCK_")]:
        del env[name]  # the blocks show the defaults
    return env


@contextmanager
def served(command: str, cwd: Path) -> Iterator[str]:
    """Run a `suno-mock serve` command on a free port until the block ends; yield its URL."""
    proc = subprocess.Popen(
        ["bash", "-c", f"exec env {command} --port 0"],  # noqa: S607
        cwd=cwd,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        found = re.search(r"listening on (\S+)", first)
        assert found, f"{command!r} did not start: {first}{proc.stdout.read()[:2000]}"
        yield found.group(1)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.communicate(timeout=10)
        assert proc.returncode == 0, f"{command!r} exited {proc.returncode}"


def run_shell(block: Block, cwd: Path, url: str | None) -> subprocess.CompletedProcess[str]:
    """Run an `sh` block in bash (errors stop it), against the server at `url` if any."""
    script = block.body if url is None else block.body.replace(DEFAULT_URL, url)
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],  # noqa: S607
        cwd=cwd,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, (
        f"{block.where}: exit {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
    return result
