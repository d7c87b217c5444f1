"""The search filters (folder, file types, dates) as one SQL fragment over ``files f``.

A folder takes in everything below it, its subfolders too. Paths are bound as their exact
bytes (``database.db_text``), so a folder whose name is not valid UTF-8 filters like any
other.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from desktop_search.core.store.sqlpaths import under, under_args


@dataclass
class Filters:
    folder: str | None = None
    types: tuple[str, ...] = ()  # suffixes such as ".pdf" or "pdf"
    after: float | None = None  # modified at or after (POSIX seconds)
    before: float | None = None

    def active(self) -> bool:
        return bool(self.folder or self.types or self.after is not None or self.before is not None)

    def sql(self) -> tuple[str, list]:
        """A WHERE fragment over ``files f``."""
        clauses, args = [], []
        if self.folder:
            clauses.append(under("f.path"))
            args += under_args(os.path.abspath(os.path.expanduser(self.folder)))
        if self.types:
            ors = []
            for t in self.types:
                suffix = t.lower() if t.startswith(".") else "." + t.lower()
                ors.append("lower(f.path) LIKE ? ESCAPE '\\'")
                args.append("%" + suffix.replace("_", "\\_").replace("%", "\\%"))
            clauses.append("(" + " OR ".join(ors) + ")")
        if self.after is not None:
            clauses.append("f.mtime_ns >= ?")
            args.append(_ns(self.after))
        if self.before is not None:
            clauses.append("f.mtime_ns < ?")
            args.append(_ns(self.before))
        return (" AND ".join(clauses) or "1"), args


def _ns(seconds: float) -> int:
    """POSIX seconds to SQLite-safe nanoseconds (a date in year 2999 must not overflow)."""
    return int(max(-9.2e18, min(9.2e18, seconds * 1e9)))
