"""The search filters (folders, file types, dates, sizes, topic) as one SQL fragment over ``files f``.

A folder takes in everything below it, its subfolders too, and so does a left-out one. Paths are bound as their exact
bytes (``database.db_text``), so a folder whose name is not valid UTF-8 filters like any
other.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from desktop_search.core.store.sqlpaths import under, under_args


@dataclass
class Filters:
    folder: str | None = None
    types: tuple[str, ...] = ()  # suffixes such as ".pdf" or "pdf"
    after: float | None = None  # modified at or after (POSIX seconds)
    before: float | None = None
    not_in: tuple[str, ...] = ()  # folders left out, with everything below them
    larger_than: int | None = None  # bytes
    smaller_than: int | None = None
    topic: int | None = None  # files of this topic or sub-topic (see ``topics``)

    def active(self) -> bool:
        bounds = (self.after, self.before, self.larger_than, self.smaller_than, self.topic)
        return bool(self.folder or self.types or self.not_in) or any(b is not None for b in bounds)

    def merged(self, typed: Filters) -> Filters:
        """These filters with ``typed`` over them: what a person typed in the query wins
        over the widgets or flags, field by field; left-out folders add up."""
        over = {k: v for k, v in vars(typed).items() if v not in (None, ()) and k != "not_in"}
        return replace(self, **over, not_in=tuple(dict.fromkeys(self.not_in + typed.not_in)))

    def sql(self) -> tuple[str, list]:
        """A WHERE fragment over ``files f``."""
        clauses, args = [], []
        if self.folder:
            clauses.append(under("f.path"))
            args += under_args(os.path.abspath(os.path.expanduser(self.folder)))
        for folder in self.not_in:
            clauses.append("NOT " + under("f.path"))
            args += under_args(os.path.abspath(os.path.expanduser(folder)))
        if self.types:
            ors = []
            for t in self.types:
                suffix = t.lower() if t.startswith(".") else "." + t.lower()
                ors.append("lower(f.path) LIKE ? ESCAPE '\\'")
                args.append("%" + suffix.replace("_", "\\_").replace("%", "\\%"))
                if suffix == ".eml":  # and the messages of Maildir folders (no suffix)
                    ors.append("f.kind = 'email'")
            clauses.append("(" + " OR ".join(ors) + ")")
        if self.after is not None:
            clauses.append("f.mtime_ns >= ?")
            args.append(_ns(self.after))
        if self.before is not None:
            clauses.append("f.mtime_ns < ?")
            args.append(_ns(self.before))
        if self.larger_than is not None:
            clauses.append("f.size > ?")
            args.append(self.larger_than)
        if self.smaller_than is not None:
            clauses.append("f.size < ?")
            args.append(self.smaller_than)
        if self.topic is not None:
            clauses.append("f.id IN (SELECT file_id FROM file_topics WHERE topic = ? OR sub = ?)")
            args += [int(self.topic), int(self.topic)]
        return (" AND ".join(clauses) or "1"), args


def _ns(seconds: float) -> int:
    """POSIX seconds to SQLite-safe nanoseconds (a date in year 2999 must not overflow)."""
    return int(max(-9.2e18, min(9.2e18, seconds * 1e9)))
