"""Repairing a damaged index: move it aside, start afresh, keep whatever can still be read.

Everything in the index can be rebuilt from the user's folders except the expensive part,
the vectors (one forward pass of the model per passage), and a few decisions the user made
(which folders, which duplicates to ignore, which model). Those are salvaged row by row:
a range of keys that SQLite cannot read is split into sixteen smaller ranges and tried
again, down to a 1/65536 slice of the key space, so a few damaged pages cost only the rows
on them. The following sync re-extracts every file and finds most vectors in the cache.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .catalog import Store
from .database import DB_NAME, StoreError, connect, is_damage

if TYPE_CHECKING:
    from desktop_search.core.sync_report import SyncReport

log = logging.getLogger(__name__)

_HEX = "0123456789abcdef"
#: Key prefixes are split down to this length (16**4 slices) before a range is given up.
MAX_PREFIX = 4


@dataclass
class RepairReport:
    damaged_copy: Path | None = None  # where the damaged file now lies (None: it was healthy)
    vectors_salvaged: int = 0
    ranges_lost: int = 0  # slices of the vector key space that could not be read
    roots: list[str] = field(default_factory=list)  # folders indexed again
    roots_missing: list[str] = field(default_factory=list)  # listed, but no longer readable
    sync: SyncReport | None = None

    def as_json(self) -> dict:
        return {
            "damaged_copy": str(self.damaged_copy) if self.damaged_copy else None,
            "vectors_salvaged": self.vectors_salvaged,
            "ranges_lost": self.ranges_lost,
            "roots": self.roots,
            "roots_missing": self.roots_missing,
            "sync": self.sync.as_json() if self.sync else None,
        }


def is_healthy(db_path: Path) -> bool:
    """SQLite's ``quick_check`` (reads every page once: about 0.4 s per 600 MB when cached).

    An index that cannot be opened for another reason (permissions) is a StoreError.
    """
    try:
        conn = connect(db_path, readonly=True)
        try:
            return conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            return False
        raise StoreError(f"cannot open index database {db_path}: {exc}") from exc


def salvage(data_dir: Path) -> RepairReport:
    """Move a damaged ``index.db`` aside and make a fresh one holding what could be read.

    The caller holds the writer lock. A healthy index is left as it is.
    """
    report = RepairReport()
    db = data_dir / DB_NAME
    if not db.exists() or is_healthy(db):
        return report
    aside = data_dir / f"{DB_NAME}.damaged-{time.strftime('%Y%m%d-%H%M%S')}"
    for suffix in ("", "-wal", "-shm"):  # SQLite finds the WAL by the database's name
        if Path(f"{db}{suffix}").exists():
            os.replace(f"{db}{suffix}", f"{aside}{suffix}")
    report.damaged_copy = aside
    for cache in (data_dir / "vectors").glob("*"):  # derived from SQLite; rebuilt on open
        cache.unlink()
    log.warning("index database damaged: moved to %s", aside)
    with Store(data_dir) as fresh:
        try:
            old = connect(aside, readonly=True)
        except sqlite3.DatabaseError as exc:
            log.warning("nothing can be read from the damaged index: %s", exc)
            return report
        try:
            _copy_decisions(old, fresh, report)
            _copy_vectors(old, fresh, report)
        finally:
            old.close()
    log.warning(
        "salvaged %d vectors and %d folders (%d key ranges lost)",
        report.vectors_salvaged,
        len(report.roots),
        report.ranges_lost,
    )
    return report


def _rows(conn: sqlite3.Connection, sql: str, args: tuple = ()) -> list[tuple]:
    try:
        return conn.execute(sql, args).fetchall()
    except sqlite3.DatabaseError as exc:  # damaged, or a table this index never had
        log.info("unreadable: %s (%s)", sql.split(" WHERE")[0], exc)
        return []


def _copy_decisions(old: sqlite3.Connection, fresh: Store, report: RepairReport) -> None:
    """The folders (those still readable), the duplicate ignore list and the active model."""
    roots = {
        path: (json.loads(include or "[]"), json.loads(exclude or "[]"))
        for _, path, include, exclude in _by_id(old, "roots", "path, include, exclude")
    }
    for path in _roots_from_files(old):  # roots whose rows were on a bad page
        if not any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots):
            roots[path] = ([], [])
    for path, (include, exclude) in sorted(roots.items()):
        if os.path.isdir(path) and os.access(path, os.R_OK | os.X_OK):
            fresh.add_root(path, include, exclude)
            report.roots.append(path)
        else:
            report.roots_missing.append(path)
    ignored = _rows(old, "SELECT kind, a, b, added_at FROM dup_ignore")
    active = _rows(old, "SELECT value FROM meta WHERE key = 'active_model'")
    with fresh.write():
        if ignored:
            fresh.conn.execute(
                "CREATE TABLE IF NOT EXISTS dup_ignore (kind TEXT NOT NULL, a TEXT NOT NULL,"
                " b TEXT NOT NULL DEFAULT '', added_at REAL NOT NULL,"
                " PRIMARY KEY (kind, a, b)) WITHOUT ROWID"
            )
            fresh.conn.executemany("INSERT OR IGNORE INTO dup_ignore VALUES (?, ?, ?, ?)", ignored)
        if active:
            fresh.set_meta("active_model", active[0][0])


def _roots_from_files(old: sqlite3.Connection) -> list[str]:
    """Each root's folder as the common parent of the files it held (include and exclude
    rules are lost with the root's row; the defaults apply)."""
    by_root: dict[int | None, list[str]] = {}
    for _, root_id, path in _by_id(old, "files", "root_id, path"):
        by_root.setdefault(root_id, []).append(os.path.dirname(path))
    return [os.path.commonpath(dirs) for dirs in by_root.values()]


def _by_id(old: sqlite3.Connection, table: str, columns: str) -> list:
    """Every readable row of a rowid table, in id ranges halved around unreadable pages."""
    select = f"SELECT id, {columns} FROM {table}"
    top = _rows(old, f"SELECT max(id) FROM {table}")
    hi = (top[0][0] or 0) + 1 if top else 1 << 22
    out: list[tuple] = []
    ranges = [(1, hi)]
    budget = 4096  # failed queries before the table is given up (a broken interior page)
    while ranges and budget > 0:
        lo, hi = ranges.pop()
        try:
            out += old.execute(f"{select} WHERE id >= ? AND id < ?", (lo, hi)).fetchall()
        except sqlite3.DatabaseError:
            budget -= 1
            if hi - lo > 1:
                mid = (lo + hi) // 2
                ranges += [(mid, hi), (lo, mid)]
    return out


def _copy_vectors(old: sqlite3.Connection, fresh: Store, report: RepairReport) -> None:
    for model in _models(old):
        good: dict[str, np.ndarray] = {}
        for text_hash, blob in _vector_rows(old, model, "", report):
            vec = np.frombuffer(blob, dtype=np.float32) if len(blob) % 4 == 0 else None
            if vec is not None and len(vec) and np.isfinite(vec).all() and vec.any():
                good[text_hash] = vec
        sizes = [len(v) for v in good.values()]
        dim = max(set(sizes), key=sizes.count) if sizes else 0
        good = {h: v for h, v in good.items() if len(v) == dim}  # a garbled row has odd length
        with fresh.write():
            fresh.put_vectors(model, good)
        report.vectors_salvaged += len(good)


def _models(old: sqlite3.Connection) -> list[str]:
    """Distinct models by skip-scan (one index seek each), stopping at the first bad page."""
    models: list[str] = []
    while True:
        rows = _rows(
            old,
            "SELECT model FROM vectors WHERE model > ? ORDER BY model LIMIT 1",
            (models[-1] if models else "",),
        )
        if not rows:
            return models
        models.append(rows[0][0])


def _vector_rows(
    old: sqlite3.Connection, model: str, prefix: str, report: RepairReport
) -> Iterator[tuple[str, bytes]]:
    """Every readable (text_hash, vec) of ``model`` whose hash starts with ``prefix``."""
    sql = "SELECT text_hash, vec FROM vectors WHERE model = ?"
    args: tuple = (model,)
    if prefix:
        sql += " AND text_hash >= ? AND text_hash < ?"
        args += (prefix, prefix + "\U0010ffff")
    try:
        rows = old.execute(sql, args).fetchall()
    except sqlite3.DatabaseError:
        if len(prefix) >= MAX_PREFIX:
            report.ranges_lost += 1
            return
        for digit in _HEX:
            yield from _vector_rows(old, model, prefix + digit, report)
        return
    yield from rows
