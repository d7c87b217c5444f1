"""The house's floors, read from the source (as import-linter's layers contract does).

``core``'s packages are stacked: a package may import its own modules, the packages on
the floors below it and the shared ground, never a package beside it or above it. Nothing
outside ``core`` reaches below the Engine: the CLI and the app import ``core.engine``
(the one API and its vocabulary), ``core.service`` (the indexing process they start) and
the ground. Imports inside function bodies count too."""

from __future__ import annotations

import re

from tests.test_imports import graph

CORE = "desktop_search.core"
GROUND = {"errors", "sanitize", "folders", "faults", "sync_report", "blas", "children"}
FLOORS = [
    {"extract", "encode", "store"},
    {"index", "search", "duplicates", "training"},
    {"engine"},
    {"service"},
]
FLOOR_OF = {pkg: n for n, floor in enumerate(FLOORS, start=1) for pkg in floor}
FLOOR_OF |= dict.fromkeys(GROUND, 0)
SURFACE_MAY_IMPORT = {"engine", "service"} | GROUND


def part(module: str) -> str | None:
    """The first name below ``core`` (``store`` for ``core.store.catalog``); None outside."""
    if module == CORE or not module.startswith(CORE + "."):
        return None
    return module[len(CORE) + 1 :].split(".")[0]


def violations(edges: dict[str, set[str]]) -> list[str]:
    found = []
    for module, targets in sorted(edges.items()):
        here = part(module)
        for target in sorted(targets):
            there = part(target)
            if there is None or there == here:
                continue
            if here is None:
                if module.startswith("desktop_search.") and there not in SURFACE_MAY_IMPORT:
                    found.append(f"{module} reaches below the Engine: {target}")
                continue
            if here not in FLOOR_OF or there not in FLOOR_OF:
                found.append(f"{module} -> {target}: a package with no floor")
            elif FLOOR_OF[there] >= FLOOR_OF[here] and FLOOR_OF[here] > 0:
                found.append(f"{module} imports {target}, on its own floor or above")
            elif FLOOR_OF[here] == 0 and there not in GROUND:
                found.append(f"{module} (ground) imports {target}")
    return found


def test_every_package_of_core_has_a_floor():
    edges, _ = graph()
    parts = {part(m) for m in edges} - {None}
    assert parts == set(FLOOR_OF)


def test_floors_read_downward_and_surfaces_stop_at_the_engine():
    edges, _ = graph()
    assert violations(edges) == []


def test_the_checker_sees_an_upward_import_a_peer_import_and_a_reach_past_the_engine():
    edges, _ = graph()
    planted = {k: set(v) for k, v in edges.items()}
    planted["desktop_search.core.store.catalog"].add("desktop_search.core.search.searcher")
    planted["desktop_search.core.index.phase1"].add("desktop_search.core.search.keyword")
    planted["desktop_search.core.errors"].add("desktop_search.core.store.database")
    planted["desktop_search.app.search.job"].add("desktop_search.core.store.catalog")
    assert violations(planted) == [
        "desktop_search.app.search.job reaches below the Engine: desktop_search.core.store.catalog",
        "desktop_search.core.errors (ground) imports desktop_search.core.store.database",
        "desktop_search.core.index.phase1 imports desktop_search.core.search.keyword,"
        " on its own floor or above",
        "desktop_search.core.store.catalog imports desktop_search.core.search.searcher,"
        " on its own floor or above",
    ]


def test_the_engine_package_lists_every_public_member_of_the_api():
    import desktop_search.core.engine as engine

    members = {
        name
        for klass in engine.Engine.__mro__[:-1]
        for name in vars(klass)
        if not name.startswith("_")
    }
    listed = set(re.findall(r"\b(\w+)\(|\b(\w+)\b", engine.__doc__ or ""))
    listed = {a or b for a, b in listed}
    assert sorted(members - listed) == []
