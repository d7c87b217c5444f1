"""Crash points for the crash-safety tests.

``DESKTOP_SEARCH_CRASHPOINT=name:n`` makes the process SIGKILL itself the n-th time it
reaches the named point, so tests can kill a real indexing run at exact moments
(mid-embedding, mid-commit, mid-save). Unset, it costs one dict lookup.
"""

from __future__ import annotations

import os
import signal
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
