"""The importer's modules import one another in one direction: no cycles, read from the source."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support import PROJECT_DIR


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_DIR).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, modules: set[str]) -> set[str]:
    """The modules of `modules` that the file imports, at any depth of its code."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            target = ".".join(filter(None, (base if node.level else "", node.module or "")))
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found & modules - {name}


def import_graph(*packages: str) -> dict[str, set[str]]:
    paths = [path for package in packages for path in (PROJECT_DIR / package).rglob("*.py")]
    modules = {module_name(path) for path in paths}
    return {module_name(path): imported(path, modules) for path in paths}


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of the graph, if it has any."""
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str] | None:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return None
        for target in sorted(graph[module]):
            if found := visit(target, [*path, module]):
                return found
        done.add(module)
        return None

    return next(filter(None, (visit(module, []) for module in sorted(graph))), None)


def test_the_importer_and_common_have_no_import_cycle():
    assert cycle(import_graph("importer", "common")) is None


def test_the_cycle_finder_finds_one():
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_common_imports_neither_side():
    graph = import_graph("importer", "common", "timesheets", "issuer")
    assert {
        (module, target)
        for module, targets in graph.items()
        if module.startswith("common")
        for target in targets
        if not target.startswith("common")
    } == set()
