"""The package's import graph, read from the source: no circles (imports inside function
bodies count too, since hiding one there does not remove the circle), and ``core`` never
imports Qt."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "desktop_search"


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, modules: set[str]) -> tuple[set[str], set[str]]:
    """(package modules it imports, top-level names of everything it imports), anywhere in
    the file. ``from . import x`` counts as importing the module ``x`` when there is one."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    ours: set[str] = set()
    every: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                every.add(alias.name.split(".")[0])
                if alias.name in modules:
                    ours.add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            every.add(target.split(".")[0])
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in modules:
                    ours.add(sub)
                elif target in modules:
                    ours.add(target)
    ours.discard(name)
    return ours, every


def graph() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(files)
    edges, names = {}, {}
    for name, path in files.items():
        edges[name], names[name] = imports_of(path, modules)
    return edges, names


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_checker_finds_a_circle_hidden_in_a_function():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(edges) == [["a", "b", "c"]]


def test_no_import_circles_anywhere_in_the_package():
    edges, _ = graph()
    assert "desktop_search.app.mainwindow.controller" in edges
    # package __init__ files re-export their modules; a module importing its own package's
    # __init__ would loop through them, so they count like any other module
    assert cycles(edges) == []


def test_core_and_the_launcher_service_never_import_qt():
    _, names = graph()
    qt = {
        name
        for name, used in names.items()
        if name.startswith(("desktop_search.core", "desktop_search.launcher"))
        and (used & {"PySide6", "PyQt5", "PyQt6", "shiboken6"})
    }
    assert qt == set()
