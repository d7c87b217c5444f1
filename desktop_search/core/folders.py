"""Folders that hold one another: which of two listed folders searches a file.

Every file belongs to one listed folder (a root). A folder inside a listed one adds
nothing (its files are searched already), and a folder around listed ones takes them
over. These pure functions decide; ``Store.add_root`` applies them, and the indexer
finds the root of a changed file with ``root_of``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable


def inside(path: str, folder: str) -> bool:
    """``path`` is ``folder`` itself or lies somewhere under it."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def outermost(paths: Iterable[str]) -> list[str]:
    """``paths`` without those that lie inside another of them (order kept, duplicates
    dropped): the folders to walk so that no file is counted twice."""
    unique = list(dict.fromkeys(paths))
    return [p for p in unique if not any(q != p and inside(p, q) for q in unique)]


def overlap(path: str, roots: Iterable[str]) -> tuple[str | None, list[str]]:
    """(the listed folder that holds ``path``, the listed folders ``path`` holds).

    At most one of the two is non-empty when ``roots`` do not overlap each other.
    """
    roots = list(roots)
    outer = next((r for r in roots if r != path and inside(path, r)), None)
    inner = [r for r in roots if r != path and inside(r, path)]
    return outer, inner


def root_of(path: str, roots: Iterable[dict]) -> dict | None:
    """The listed root (a ``Store.roots()`` row) that holds ``path``: the innermost, should
    roots ever nest; None when no root holds it."""
    best = None
    for r in roots:
        if inside(path, r["path"]) and (best is None or len(r["path"]) > len(best["path"])):
            best = r
    return best
