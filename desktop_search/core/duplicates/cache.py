"""What the duplicate finder keeps in SQLite: the ignore list, the last scan's pairs, and
the verdicts on file pairs (so a rescan re-judges only pairs whose files changed).

Both tables are created on first use (``CREATE TABLE IF NOT EXISTS``) on the Store's own
connection, so an index made before the duplicate finder existed needs no migration.

Ignore list keys, chosen to survive re-indexing:

* a file: its path;
* a file pair: the two paths, sorted;
* a passage pair: the two passages' text hashes, sorted. Passage ids change whenever a
  file is re-indexed; the text hash does not, and the same two texts elsewhere are the
  same judgement ("these are not duplicates").
"""

from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import dataclass, field

import numpy as np

from desktop_search.core.store.catalog import Store
from desktop_search.core.store.database import db_text

log = logging.getLogger(__name__)

_IGNORE_DDL = """CREATE TABLE IF NOT EXISTS dup_ignore (
    kind TEXT NOT NULL,          -- 'file', 'file_pair' or 'passage_pair'
    a TEXT NOT NULL,
    b TEXT NOT NULL DEFAULT '',
    added_at REAL NOT NULL,
    PRIMARY KEY (kind, a, b)) WITHOUT ROWID"""

_CACHE_DDL = """CREATE TABLE IF NOT EXISTS dup_pair_cache (
    model TEXT PRIMARY KEY,
    threshold REAL NOT NULL,
    max_id INTEGER NOT NULL,     -- every passage id <= max_id was queried
    a BLOB NOT NULL, b BLOB NOT NULL, score BLOB NOT NULL,
    saved_at REAL NOT NULL)"""


_VERDICT_DDL = """CREATE TABLE IF NOT EXISTS dup_file_verdicts (
    model TEXT NOT NULL,
    key TEXT NOT NULL,           -- rules version, threshold, min share, both content hashes
    verdict TEXT NOT NULL,       -- JSON, or 'null' for "not duplicates"
    saved_at REAL NOT NULL,
    PRIMARY KEY (model, key)) WITHOUT ROWID"""
#: Verdicts kept at most (the oldest go first); a verdict is a few hundred bytes.
MAX_VERDICTS = 200_000


@dataclass
class Ignored:
    files: set[str] = field(default_factory=set)
    file_pairs: set[tuple[str, str]] = field(default_factory=set)
    passage_pairs: set[tuple[str, str]] = field(default_factory=set)


class IgnoreList:
    def __init__(self, store: Store) -> None:
        self.conn = store.conn
        try:
            self.conn.execute(_IGNORE_DDL)
        except sqlite3.Error as exc:  # a read-only database: reads still work if the table exists
            log.warning("cannot create the duplicate ignore list table: %s", exc)

    def _add(self, kind: str, a: str, b: str = "") -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO dup_ignore(kind, a, b, added_at)"
            " VALUES (?, CAST(? AS TEXT), CAST(? AS TEXT), ?)",
            (kind, db_text(a), db_text(b), time.time()),
        )

    def ignore_file(self, path: str) -> None:
        self._add("file", path)

    def ignore_file_pair(self, path_a: str, path_b: str) -> None:
        a, b = sorted((path_a, path_b))
        self._add("file_pair", a, b)

    def ignore_passage_pair(self, text_hash_a: str, text_hash_b: str) -> None:
        a, b = sorted((text_hash_a, text_hash_b))
        self._add("passage_pair", a, b)

    def remove(self, kind: str, a: str, b: str = "") -> None:
        if kind != "file":
            a, b = sorted((a, b))
        self.conn.execute(
            "DELETE FROM dup_ignore WHERE kind = ? AND a = CAST(? AS TEXT) AND b = CAST(? AS TEXT)",
            (kind, db_text(a), db_text(b)),
        )

    def clear(self) -> None:
        self.conn.execute("DELETE FROM dup_ignore")

    def entries(self) -> list[dict]:
        rows = self.conn.execute(
            "SELECT kind, a, b, added_at FROM dup_ignore ORDER BY added_at"
        ).fetchall()
        return [{"kind": r[0], "a": r[1], "b": r[2], "added_at": r[3]} for r in rows]

    def load(self) -> Ignored:
        out = Ignored()
        try:
            rows = self.conn.execute("SELECT kind, a, b FROM dup_ignore").fetchall()
        except sqlite3.OperationalError:  # no table (read-only database never written to)
            return out
        for kind, a, b in rows:
            if kind == "file":
                out.files.add(a)
            elif kind == "file_pair":
                out.file_pairs.add((a, b))
            elif kind == "passage_pair":
                out.passage_pairs.add((a, b))
        return out


class PairCache:
    """The pairs of the last full passage scan for one model, as three arrays in one row.

    Valid for any threshold at or above the one it was scanned at. Passage ids are never
    reused (AUTOINCREMENT), so passages above ``max_id`` are exactly the ones to query
    next time, and pairs that name a missing id are stale.
    """

    def __init__(self, store: Store, model_id: str) -> None:
        self.conn = store.conn
        self.model_id = model_id
        self.threshold: float | None = None
        self.enabled = True
        try:
            self.conn.execute(_CACHE_DDL)
        except sqlite3.Error as exc:
            log.warning("duplicate scan cache disabled: %s", exc)
            self.enabled = False

    def get(self, threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, int] | None:
        """(a, b, score, max_id) if a cached scan covers ``threshold``; else None.

        Plain arrays, so this module needs nothing from ``duplicates`` (which imports it).
        """
        if not self.enabled:
            return None
        row = self.conn.execute(
            "SELECT threshold, max_id, a, b, score FROM dup_pair_cache WHERE model = ?",
            (self.model_id,),
        ).fetchone()
        if row is None or row[0] > threshold + 1e-9:
            return None
        self.threshold = float(row[0])
        return (
            np.frombuffer(row[2], dtype=np.int64).copy(),
            np.frombuffer(row[3], dtype=np.int64).copy(),
            np.frombuffer(row[4], dtype=np.float32).copy(),
            int(row[1]),
        )

    def put(
        self, a: np.ndarray, b: np.ndarray, score: np.ndarray, threshold: float, max_id: int
    ) -> None:
        if not self.enabled:
            return
        try:
            self.conn.execute(
                "INSERT OR REPLACE INTO dup_pair_cache(model, threshold, max_id, a, b, score, saved_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    self.model_id,
                    float(threshold),
                    int(max_id),
                    np.asarray(a, dtype=np.int64).tobytes(),
                    np.asarray(b, dtype=np.int64).tobytes(),
                    np.asarray(score, dtype=np.float32).tobytes(),
                    time.time(),
                ),
            )
            self.threshold = float(threshold)
        except sqlite3.Error as exc:  # a cache, never a reason to fail a scan
            log.warning("could not save the duplicate scan cache: %s", exc)

    def clear(self) -> None:
        if self.enabled:
            self.conn.execute("DELETE FROM dup_pair_cache WHERE model = ?", (self.model_id,))


class VerdictCache:
    """File-pair verdicts by the two files' content hashes (and the settings they were
    made with): two unchanged files get the same verdict, wherever they live, so a
    rescan after a change judges only the pairs that involve changed files."""

    def __init__(self, store: Store, model_id: str) -> None:
        self.conn = store.conn
        self.model_id = model_id
        self.enabled = True
        try:
            self.conn.execute(_VERDICT_DDL)
        except sqlite3.Error as exc:
            log.warning("duplicate verdict cache disabled: %s", exc)
            self.enabled = False

    @staticmethod
    def key(version: int, threshold: float, min_share: float, hash_a: str, hash_b: str) -> str:
        lo, hi = sorted((hash_a, hash_b))
        return f"{version}|{threshold:.4f}|{min_share:.4f}|{lo}|{hi}"

    def get_many(self, keys: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        if not self.enabled:
            return out
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            q = (
                "SELECT key, verdict FROM dup_file_verdicts WHERE model = ?"
                f" AND key IN ({','.join('?' * len(part))})"
            )
            out.update(self.conn.execute(q, [self.model_id, *part]).fetchall())
        return out

    def put_many(self, verdicts: dict[str, str]) -> None:
        if not self.enabled or not verdicts:
            return
        now = time.time()
        try:
            self.conn.executemany(
                "INSERT OR REPLACE INTO dup_file_verdicts(model, key, verdict, saved_at)"
                " VALUES (?, ?, ?, ?)",
                [(self.model_id, k, v, now) for k, v in verdicts.items()],
            )
            (n,) = self.conn.execute("SELECT count(*) FROM dup_file_verdicts").fetchone()
            if n > MAX_VERDICTS:
                self.conn.execute(
                    "DELETE FROM dup_file_verdicts WHERE (model, key) IN (SELECT model, key"
                    " FROM dup_file_verdicts ORDER BY saved_at LIMIT ?)",
                    (n - MAX_VERDICTS,),
                )
        except sqlite3.Error as exc:  # a cache, never a reason to fail a scan
            log.warning("could not save duplicate verdicts: %s", exc)

    def clear(self) -> None:
        if self.enabled:
            self.conn.execute("DELETE FROM dup_file_verdicts WHERE model = ?", (self.model_id,))
