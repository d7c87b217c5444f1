"""Crash points, failing files and a full disk, for the crash-safety and clear-error tests.

``DESKTOP_SEARCH_CRASHPOINT=name:n`` makes the process SIGKILL itself the n-th time it
reaches the named point, so tests can kill a real indexing run at exact moments
(mid-embedding, mid-commit, mid-save). Unset, it costs one dict lookup.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter

ENV = "DESKTOP_SEARCH_CRASHPOINT"
POINTS = ("embed", "commit", "save")
_seen: Counter[str] = Counter()


def crashpoint(name: str) -> None:
    spec = os.environ.get(ENV)
    if not spec:
        return
    point, _, nth = spec.partition(":")
    if point != name:
        return
    _seen[name] += 1
    if _seen[name] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)


PAGES_ENV = "DESKTOP_SEARCH_MAX_PAGES"


def page_limit(conn) -> None:
    """``DESKTOP_SEARCH_MAX_PAGES=n`` caps the database at n pages (SQLite's own
    ``max_page_count``): past it every write fails exactly as on a full disk."""
    pages = os.environ.get(PAGES_ENV)
    if pages:
        conn.execute(f"PRAGMA max_page_count = {int(pages)}")


FAIL_ENV = "DESKTOP_SEARCH_FAILPOINT"


def failpoint(name: str, path: str) -> None:
    """``DESKTOP_SEARCH_FAILPOINT=name:needle`` raises an unexpected error at the named point
    for every file whose path contains ``needle`` (a bug, as far as the indexer knows)."""
    spec = os.environ.get(FAIL_ENV)
    if spec:
        point, _, needle = spec.partition(":")
        if point == name and needle in path:
            raise RuntimeError(f"injected failure at {name}")


SLOW_ENV = "DESKTOP_SEARCH_SLOWPOINT"


def slowpoint(name: str) -> None:
    """``DESKTOP_SEARCH_SLOWPOINT=read:0.2,embed:1`` sleeps that many seconds at each named
    point: a slow disk or a slow machine, so that tests can pause or quit mid-phase."""
    for spec in os.environ.get(SLOW_ENV, "").split(","):
        point, _, seconds = spec.partition(":")
        if point == name:
            time.sleep(float(seconds or 0))
