"""The shape the code keeps (docs/architecture.md): small modules, short functions, thin
handlers. Read with `ast`, so it stays true as the code grows."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers import ROOT

PACKAGE = ROOT / "mock_server"
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 60
MAX_HANDLER_LINES = 10
HANDLER_MODULES = (
    *(
        str(p.relative_to(PACKAGE).with_suffix(""))
        for p in sorted(PACKAGE.glob("families/*/handlers.py"))
    ),
    "http/files",
)
"""Modules whose public functions taking `request` are request handlers: each family's
`handlers.py`, and the file server."""


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def _length(node: ast.AST) -> int:
    end = node.end_lineno if node.end_lineno is not None else node.lineno  # type: ignore[attr-defined]
    return end - node.lineno + 1  # type: ignore[attr-defined,no-any-return]


def test_no_module_is_over_the_limit() -> None:
    long = {
        str(path.relative_to(PACKAGE.parent)): n
        for path in _modules()
        if (n := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}, f"split these modules (at most {MAX_MODULE_LINES} lines): {long}"


def test_no_function_is_over_the_limit() -> None:
    long = {
        f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name}": _length(node)
        for path in _modules()
        for node in _functions(ast.parse(path.read_text()))
        if _length(node) > MAX_FUNCTION_LINES
    }
    assert long == {}, f"split these functions (at most {MAX_FUNCTION_LINES} lines): {long}"


def _handlers(module: str) -> list[ast.AsyncFunctionDef]:
    path = PACKAGE / f"{module}.py"
    tree = ast.parse(path.read_text())
    found: list[ast.AsyncFunctionDef] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.AsyncFunctionDef) and not node.name.startswith("_"):
            args = node.args.args
            if args and args[0].arg == "request":
                found.append(node)
    return found


@pytest.mark.parametrize("module", HANDLER_MODULES)
def test_handlers_are_thin(module: str) -> None:
    """A handler parses, calls one backend method and answers: short, and no error handling
    of its own (the backends raise the error catalogue; the middleware renders it)."""
    handlers = _handlers(module)
    assert handlers, f"no handlers found in mock_server/{module}.py"
    fat = {h.name: _length(h) for h in handlers if _length(h) > MAX_HANDLER_LINES}
    assert fat == {}, f"move the rules of these handlers into a backend: {fat}"
    guarded = [h.name for h in handlers if any(isinstance(n, ast.Try) for n in ast.walk(h))]
    assert guarded == [], f"handlers with try/except (raise from the backend instead): {guarded}"


def test_the_request_models_the_music_backend_tells_apart_by_type_are_final() -> None:
    """`Music.accept` picks a branch with `type(body) is ...` (isinstance on pydantic models
    is slow: docs/performance.md, "Exact-type dispatch"); a subclass of one of these would
    silently take the wrong branch."""
    from mock_server.families.music.section import ReplaceSectionRequest
    from mock_server.families.music.sounds import SoundsRequest
    from mock_server.families.music.wire import ExtendRequest, MusicRequest

    for model in (ExtendRequest, ReplaceSectionRequest, SoundsRequest):
        assert model.__subclasses__() == [], model
    assert not issubclass(ReplaceSectionRequest, MusicRequest)
    assert not issubclass(SoundsRequest, MusicRequest)
