"""Layers are lists of modules and packages, and imports go one way.

Every module under `mock_server/` is read with `ast` (nothing is imported), its imports are
resolved to modules of the package — module-level, inside functions, under `TYPE_CHECKING`,
relative (`from . import x`) — and the resulting graph must have no cycle and no import from a
lower layer to a higher one. A module may import its own layer and any layer below it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import ROOT

PACKAGE = "mock_server"

LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Bottom to top. A name is a module; `name.*` is a package and everything in it. A folder
    # is a layer (or a part of one): a module's folder says where it sits.
    # Configuration, time, the error catalogue, enums, limits, the request-model base.
    ("core", ("mock_server.core.*", "mock_server.version")),
    # The files: URLs, made-up media, durations, fetching upload URLs.
    ("media", ("mock_server.media.*",)),
    # Sending callbacks and remembering what happened: dispatcher, lines, budget, journal.
    # Scenario files and a scenario compiled for one task.
    ("wings", ("mock_server.delivery.*", "mock_server.scripting.*")),
    # One folder per API family: wire, store, backend, payloads, handlers; the registry.
    ("families", ("mock_server.families.*",)),
    # The running mock: the engine that builds the families, the waits, what file URLs serve,
    # and the probe battery.
    ("service", ("mock_server.service.*", "mock_server.probe.*")),
    # What a client sees over HTTP: middleware, the route table, OpenAPI, the control plane.
    ("http", ("mock_server.http.*",)),
    # The front door: the app, the server handle, the pytest plugin and its helpers.
    (
        "front door",
        (
            "mock_server.app",
            "mock_server.server",
            "mock_server.testing.*",
            "mock_server.pytest_plugin",
            "mock_server.pytest_session",
        ),
    ),
    # Command-line tools and the package root, whose public names reach every layer.
    (
        "tools",
        (
            "mock_server",
            "mock_server.__main__",
            "mock_server.capture.*",
            "mock_server.cli.*",
            "mock_server.drift.*",
        ),
    ),
)

KNOWN_EXCEPTIONS: tuple[tuple[str, str], ...] = (
    # (importer, imported): upward imports that still exist and that their owner will remove.
    # Keep this empty; an entry that is no longer needed fails `test_known_exceptions_are_real`.
)


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int


def module_names(root: Path, package: str) -> dict[str, Path]:
    """Every module of `package` (found under `root`) by dotted name."""
    found: dict[str, Path] = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _base(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute name `from <this> import ...` refers to."""
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    keep = len(parts) - node.level + (1 if is_package else 0)
    prefix = ".".join(parts[:keep])
    return f"{prefix}.{node.module}" if node.module else prefix


def _deepest(name: str, modules: Iterable[str]) -> str | None:
    """The module that `import name` lands in: name itself or its nearest known parent."""
    known = set(modules)
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str, path: Path, modules: Mapping[str, Path]) -> Iterator[Import]:
    """The internal imports of one module, wherever they appear in it."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    seen = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _base(module, is_package, node)
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            found = _deepest(target, modules)
            if found is not None and found != module and (found, node.lineno) not in seen:
                seen.add((found, node.lineno))
                yield Import(module, found, node.lineno)


def import_graph(root: Path, package: str) -> list[Import]:
    modules = module_names(root, package)
    return [found for name, path in modules.items() for found in imports_of(name, path, modules)]


def layer_of(module: str, layers: tuple[tuple[str, tuple[str, ...]], ...] = LAYERS) -> list[int]:
    """The index of every layer that lists `module` (exactly one, when the lists are right)."""
    hits = []
    for index, (_, names) in enumerate(layers):
        for name in names:
            prefix = name.removesuffix(".*")
            if module == name or (
                name.endswith(".*") and (module == prefix or module.startswith(prefix + "."))
            ):
                hits.append(index)
                break
    return hits


def find_cycles(edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    """One shortest cycle through each strongly connected group of modules (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_shortest_cycle(min(group), graph, group) for group in groups]


def _shortest_cycle(start: str, graph: Mapping[str, set[str]], group: set[str]) -> list[str]:
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in sorted(graph[node] & group):
                if nxt == start:
                    return [*paths[node], start]
                if nxt not in paths:
                    paths[nxt] = [*paths[node], nxt]
                    following.append(nxt)
        frontier = following
    raise AssertionError(f"no cycle through {start}")


def upward(
    graph: Iterable[Import], layers: tuple[tuple[str, tuple[str, ...]], ...] = LAYERS
) -> list[Import]:
    """Imports from a lower layer to a higher one."""
    return [
        edge
        for edge in graph
        if layer_of(edge.importer, layers)
        and layer_of(edge.imported, layers)
        and layer_of(edge.importer, layers)[0] < layer_of(edge.imported, layers)[0]
    ]


def _describe(edge: Import) -> str:
    low, high = LAYERS[layer_of(edge.importer)[0]][0], LAYERS[layer_of(edge.imported)[0]][0]
    return f"{edge.importer} ({low}) imports {edge.imported} ({high}), line {edge.line}"


@pytest.fixture(scope="module")
def graph() -> list[Import]:
    return import_graph(ROOT, PACKAGE)


def test_every_module_is_in_exactly_one_layer() -> None:
    names = ", ".join(name for name, _ in LAYERS)
    problems = []
    for module in module_names(ROOT, PACKAGE):
        hits = layer_of(module)
        if not hits:
            problems.append(
                f"{module} is in no layer: add it to the list of one of the layers "
                f"({names}) in LAYERS in tests/architecture/test_layers.py"
            )
        elif len(hits) > 1:
            listed = ", ".join(LAYERS[i][0] for i in hits)
            problems.append(f"{module} is listed in several layers ({listed}); keep one")
    assert not problems, "\n".join(problems)


def test_every_listed_name_is_a_module() -> None:
    modules = module_names(ROOT, PACKAGE)
    stale = [
        f"{name} ({layer})"
        for layer, names in LAYERS
        for name in names
        if name.removesuffix(".*") not in modules
    ]
    assert stale == [], f"LAYERS lists modules that no longer exist; remove them: {stale}"


def test_no_import_cycle(graph: list[Import]) -> None:
    cycles = find_cycles((edge.importer, edge.imported) for edge in graph)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_imports_only_go_down_the_layers(graph: list[Import]) -> None:
    wrong = [e for e in upward(graph) if (e.importer, e.imported) not in KNOWN_EXCEPTIONS]
    assert not wrong, (
        "imports from a lower layer to a higher one "
        "(see LAYERS in tests/architecture/test_layers.py):\n"
        + "\n".join(_describe(edge) for edge in wrong)
    )


def test_the_domain_never_imports_the_http_layer(graph: list[Import]) -> None:
    below_api = {
        i for i, (name, _) in enumerate(LAYERS) if name in {"core", "media", "wings", "families"}
    }
    wrong = [
        edge
        for edge in graph
        if edge.imported.startswith("mock_server.http") and set(layer_of(edge.importer)) & below_api
    ]
    assert not wrong, "\n".join(_describe(edge) for edge in wrong)


MAX_IMPORTS = 12
MAX_IMPORTERS = 5


def hubs(graph: Iterable[Import]) -> list[str]:
    """Modules that both import more than MAX_IMPORTS package modules and are imported by more
    than MAX_IMPORTERS: a change to a hub, or to anything it reaches, reaches everything."""
    imports: dict[str, set[str]] = {}
    importers: dict[str, set[str]] = {}
    for edge in graph:
        imports.setdefault(edge.importer, set()).add(edge.imported)
        importers.setdefault(edge.imported, set()).add(edge.importer)
    return [
        f"{module} imports {len(imports[module])} package modules and is imported by "
        f"{len(importers.get(module, ()))}"
        for module in sorted(imports)
        if len(imports[module]) > MAX_IMPORTS and len(importers.get(module, ())) > MAX_IMPORTERS
    ]


def test_no_module_is_a_hub(graph: list[Import]) -> None:
    found = hubs(graph)
    assert not found, (
        f"split these modules, or let fewer modules import them (at most {MAX_IMPORTS} "
        f"imports, or at most {MAX_IMPORTERS} importers):\n" + "\n".join(found)
    )


def test_the_hub_check_counts_both_ways() -> None:
    spokes = [Import("hub", f"low{i}", i) for i in range(MAX_IMPORTS + 1)]
    users = [Import(f"user{i}", "hub", 1) for i in range(MAX_IMPORTERS + 1)]
    assert hubs(spokes + users) == [
        f"hub imports {MAX_IMPORTS + 1} package modules and is imported by {MAX_IMPORTERS + 1}"
    ]
    assert hubs(spokes + users[:-1]) == []
    assert hubs(spokes[:-1] + users) == []


def test_known_exceptions_are_real(graph: list[Import]) -> None:
    live = {(edge.importer, edge.imported) for edge in upward(graph)}
    stale = [pair for pair in KNOWN_EXCEPTIONS if pair not in live]
    assert not stale, f"no longer imported upward, remove from KNOWN_EXCEPTIONS: {stale}"


# The checker itself, on a small package written for the purpose.

FAKE_LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("low", ("pkg.low", "pkg.sub.*")),
    ("high", ("pkg", "pkg.high")),
)


def _fake_package(tmp_path: Path, files: Mapping[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_the_checker_reads_every_kind_of_import(tmp_path: Path) -> None:
    root = _fake_package(
        tmp_path,
        {
            "pkg/__init__.py": "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from pkg.high import thing\n",
            "pkg/high.py": "import pkg.sub.deep\n",
            "pkg/low.py": "def late():\n    from . import high\n",
            "pkg/sub/__init__.py": "from .deep import x\nfrom .. import low\n",
            "pkg/sub/deep.py": "import json\nfrom pkg.sub import missing_name\n",
        },
    )
    edges = {(e.importer, e.imported) for e in import_graph(root, "pkg")}
    assert edges == {
        ("pkg", "pkg.high"),
        ("pkg.high", "pkg.sub.deep"),
        ("pkg.low", "pkg.high"),
        ("pkg.sub", "pkg.sub.deep"),
        ("pkg.sub", "pkg.low"),
        ("pkg.sub.deep", "pkg.sub"),
    }
    wrong = upward(import_graph(root, "pkg"), FAKE_LAYERS)
    assert [(e.importer, e.imported, e.line) for e in wrong] == [("pkg.low", "pkg.high", 2)]
    assert layer_of("pkg.sub.deep", FAKE_LAYERS) == [0]
    assert layer_of("pkg.other", FAKE_LAYERS) == []


def test_the_checker_reports_the_path_of_a_cycle() -> None:
    edges = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e"), ("e", "d"), ("x", "a")]
    assert find_cycles(edges) == [["d", "e", "d"], ["a", "b", "c", "a"]]
    assert find_cycles([("a", "b"), ("b", "c")]) == []
