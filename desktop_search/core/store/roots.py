"""The folders the user listed (``roots``): adding one, listing, forgetting.

A folder inside a listed one is refused and one around listed ones absorbs them, so no
file is ever indexed twice; the rules live here, beside the rows they guard.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence

from desktop_search.core.errors import FolderError
from desktop_search.core.folders import overlap

from .database import db_text
from .sqlpaths import under, under_args


class RootRows:
    """Mixed into ``Store``: the queries over the ``roots`` table."""

    conn: sqlite3.Connection  # and write(), _bump_generation(): Store's

    def add_root(self, path: str, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> int:
        """Add a folder (or change its rules); returns its id.

        A folder inside a listed one is refused (``FolderError``): its files are searched
        already. A folder around listed ones replaces them, and their files move to it as
        they are, passages and vectors included: nothing is read or embedded again.
        """
        with self.write():
            row = self.conn.execute(
                "SELECT id FROM roots WHERE path = CAST(? AS TEXT)", (db_text(path),)
            ).fetchone()
            if row:
                self.conn.execute(
                    "UPDATE roots SET include = ?, exclude = ? WHERE id = ?",
                    (json.dumps(list(include)), json.dumps(list(exclude)), row[0]),
                )
                return int(row[0])
            listed = [r[0] for r in self.conn.execute("SELECT path FROM roots")]
            outer, inner = overlap(path, listed)
            if outer is not None:
                raise FolderError(f"{path} is already searched as part of {outer}")
            cur = self.conn.execute(
                "INSERT INTO roots(path, include, exclude, added_at) VALUES (CAST(? AS TEXT), ?, ?, ?)",
                (db_text(path), json.dumps(list(include)), json.dumps(list(exclude)), time.time()),
            )
            if inner:
                self.conn.execute(
                    f"UPDATE files SET root_id = ? WHERE {under()}",
                    (cur.lastrowid, *under_args(path)),
                )
                self.conn.executemany(
                    "DELETE FROM roots WHERE path = CAST(? AS TEXT)", [(db_text(r),) for r in inner]
                )
            return int(cur.lastrowid)

    def roots(self) -> list[dict]:
        rows = self.conn.execute(
            "SELECT id, path, include, exclude FROM roots ORDER BY path"
        ).fetchall()
        return [
            {
                "id": r[0],
                "path": r[1],
                "include": json.loads(r[2] or "[]"),
                "exclude": json.loads(r[3] or "[]"),
            }
            for r in rows
        ]

    def remove_root(self, path: str) -> list[int]:
        """Forget a root and everything under it; returns the passage ids removed."""
        with self.write():
            removed = self._passage_ids_under(path)
            self.conn.execute(f"DELETE FROM files WHERE {under()}", under_args(path))
            self.conn.execute("DELETE FROM roots WHERE path = CAST(? AS TEXT)", (db_text(path),))
            if removed:
                self._bump_generation()
        return removed

    def knows(self, path: str) -> bool:
        """Is ``path`` a root, or an indexed file or folder?"""
        root = self.conn.execute(
            "SELECT 1 FROM roots WHERE path = CAST(? AS TEXT)", (db_text(path),)
        ).fetchone()
        inside = self.conn.execute(
            f"SELECT 1 FROM files WHERE {under()} LIMIT 1", under_args(path)
        ).fetchone()
        return bool(root or inside)

    def _passage_ids_under(self, path: str) -> list[int]:
        rows = self.conn.execute(
            f"SELECT p.id FROM passages p JOIN files f ON f.id = p.file_id WHERE {under('f.path')}",
            under_args(path),
        ).fetchall()
        return [r[0] for r in rows]
