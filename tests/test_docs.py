"""docs/ cannot rot: each Python block is a file of tests/examples/ (which runs with the suite),
and every in-page link of the README and docs/ points at a heading that exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_the_pytest_guide_shows_example_files() -> None:
    guide = (ROOT / "docs" / "pytest.md").read_text()
    assert guide.count("```python\n# tests/examples/") >= 4


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_python_blocks_are_example_files(page: Path) -> None:
    if page.name == "README.md":
        return  # tests/test_readme.py runs the README's blocks
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.DOTALL)
    for block in blocks:
        header, _, body = block.partition("\n")
        match = re.fullmatch(r"# (tests/examples/test_\w+\.py)", header)
        assert match, f"{page.name}: a python block must start with # tests/examples/<file>"
        assert body == (ROOT / match.group(1)).read_text(), match.group(1)


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
