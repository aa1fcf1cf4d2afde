"""The README's Python example runs, so the documentation cannot rot."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mock_server.scenario import load_scenario

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)


def test_readme_fixture_examples_are_the_example_tests() -> None:
    fixture_example, sync_example, _ = python_blocks()
    examples = README.parent / "tests" / "examples"
    assert fixture_example == (examples / "test_extend_flow.py").read_text()
    assert sync_example == (examples / "test_sync_client.py").read_text()


async def test_readme_example_runs() -> None:
    _, _, block = python_blocks()
    namespace: dict[str, Any] = {}
    exec(compile(block, str(README), "exec"), namespace)  # noqa: S102 - our own README
    await namespace["main"]()


def test_readme_names_the_two_setup_commands() -> None:
    text = README.read_text()
    assert "python3 dev.py serve" in text
    assert "python3 dev.py test" in text
    assert "python3 dev.py test" in (README.parent / ".ci" / "run").read_text()


def test_readme_scenario_example_is_valid() -> None:
    (block,) = re.findall(r"```yaml\n(.*?)```", README.read_text(), flags=re.DOTALL)
    scenario = load_scenario("README.md", block)
    assert scenario.delivery.swap == ["text", "first"]
    assert scenario.api.times == 2
