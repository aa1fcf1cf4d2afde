"""The documentation cannot rot: every code block of the README, CONTRIBUTING.md and docs/ runs
(or says why it cannot), each pytest example is shown once, and every link resolves.

How each kind of block runs is in tests/docblocks.py; the README's quick start has its own,
stricter test in tests/product/test_readme.py."""

from __future__ import annotations

import json
import re
import tomllib
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from mock_server.scripting.scenario import load_scenario
from tests.docblocks import PAGES, ROOT, Block, blocks, run_shell, served

EXAMPLES = ROOT / "tests" / "examples"
RUNNABLE = {"python", "sh", "yaml", "ini", "json", "toml", "text"}

ALL_BLOCKS = [block for page in PAGES for block in blocks(page)]


def _ids(blocks_: list[Block]) -> list[str]:
    return [b.where for b in blocks_]


def test_every_page_is_in_the_readme_map() -> None:
    readme = (ROOT / "README.md").read_text()
    for page in PAGES[1:]:
        assert f"]({page.relative_to(ROOT)})" in readme, f"README links no {page.name}"


def test_every_block_runs_or_says_why_not() -> None:
    unknown = [b.where for b in ALL_BLOCKS if b.lang not in RUNNABLE and b.runs_here]
    assert unknown == [], "a block of an unknown language, without <!-- not run: why -->"
    vague = [b.where for b in ALL_BLOCKS if b.not_run is not None and len(b.not_run) < 30]
    assert vague == [], "say why the block cannot run, and what covers it instead"
    exceptions = [b for b in ALL_BLOCKS if b.not_run is not None]
    assert len(exceptions) <= len(ALL_BLOCKS) // 4, [b.where for b in exceptions]


def test_a_block_run_by_a_test_names_one_that_exists() -> None:
    named = [b for b in ALL_BLOCKS if b.run_by is not None]
    assert named, "no block says which test runs it"
    for block in named:
        path, _, name = block.run_by.partition("::") if block.run_by else ("", "", "")
        assert f"def {name}(" in (ROOT / path).read_text(), f"{block.where}: no {block.run_by}"


def _example_of(block: Block) -> Path | None:
    """The example file a python block shows: named on its first line, or equal to one."""
    header, _, body = block.body.partition("\n")
    if match := re.fullmatch(r"# (tests/examples/test_\w+\.py)", header):
        path = ROOT / match.group(1)
        assert body == path.read_text(), f"{block.where} differs from {match.group(1)}"
        return path
    return next((p for p in EXAMPLES.glob("test_*.py") if p.read_text() == block.body), None)


PYTHON = [b for b in ALL_BLOCKS if b.lang == "python" and b.runs_here]


def test_each_example_file_is_shown_once() -> None:
    shown = [_example_of(b) for b in PYTHON]
    files = [p.name for p in shown if p is not None]
    assert sorted(files) == sorted(p.name for p in EXAMPLES.glob("test_*.py"))


@pytest.mark.parametrize(
    "block", [b for b in PYTHON if _example_of(b) is None], ids=lambda b: b.where
)
async def test_python_blocks_that_are_no_example_file_run(block: Block) -> None:
    namespace: dict[str, Any] = {}
    exec(compile(block.body, block.where, "exec"), namespace)  # noqa: S102 - our own docs
    assert "main" in namespace, f"{block.where}: define main() for the suite to run"
    await namespace["main"]()


@pytest.mark.parametrize(
    "block", [b for b in ALL_BLOCKS if b.lang == "yaml"], ids=lambda b: b.where
)
def test_yaml_blocks_are_valid_scenarios(block: Block) -> None:
    scenario = load_scenario(block.where, block.body)
    assert scenario.version == 1


def test_json_and_toml_blocks_parse() -> None:
    for block in ALL_BLOCKS:
        if block.lang == "json":
            json.loads(block.body)
        elif block.lang == "toml":
            tomllib.loads(block.body)


SCRATCH_TEST = """
import pytest

from mock_server import SunoMock


@pytest.mark.asyncio
async def test_the_mock_serves(suno_mock: SunoMock) -> None:
    assert suno_mock.api_url.startswith("http://127.0.0.1:")
"""


@pytest.mark.parametrize("block", [b for b in ALL_BLOCKS if b.lang == "ini"], ids=lambda b: b.where)
def test_ini_blocks_configure_a_working_suite(block: Block, pytester: pytest.Pytester) -> None:
    """A user who copies the block gets a suite that runs, with no deprecation warning."""
    pytester.makeini(block.body)
    pytester.makepyfile(test_scratch=SCRATCH_TEST)
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "error::DeprecationWarning")
    result.assert_outcomes(passed=1, warnings=0)


SHELL_PAGES = sorted({b.page for b in ALL_BLOCKS if b.lang == "sh" and b.runs_here})


@pytest.mark.parametrize("page", SHELL_PAGES, ids=lambda p: p.name)
def test_shell_blocks_run(page: Path, tmp_path: Path) -> None:
    """In page order: a `suno-mock serve` block starts the server the later blocks use."""
    url = None
    with ExitStack() as servers:
        for block in blocks(page):
            if block.lang != "sh" or not block.runs_here:
                continue
            if (command := block.server_command) is not None:
                url = servers.enter_context(served(command, tmp_path))
            else:
                run_shell(block, tmp_path, url)


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_links_resolve(page: Path) -> None:
    text = page.read_text()
    text_outside_code = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    anchors = {_slug(h) for h in re.findall(r"^#+ (.+)$", text_outside_code, flags=re.M)}
    for target in re.findall(r"\]\(([^)\s]+)\)", text_outside_code):
        if target.startswith(("http://", "https://")):
            continue
        path, _, anchor = target.partition("#")
        if path:
            linked = (page.parent / path).resolve()
            assert linked.exists(), f"{page.name}: link to missing {path}"
            if anchor:
                other = re.sub(r"```.*?```", "", linked.read_text(), flags=re.DOTALL)
                assert anchor in {_slug(h) for h in re.findall(r"^#+ (.+)$", other, flags=re.M)}
        else:
            assert anchor in anchors, f"{page.name}: no heading for #{anchor}"
