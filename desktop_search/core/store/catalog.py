"""SQLite store: the source of truth for roots, files, passages, FTS5 and vectors.

One ``Store`` per thread (SQLite connections are not shared). WAL mode lets searches
read while the indexer writes; every file's passages change in one transaction, so a
reader never sees half a file and a crash never leaves one.

``Store`` holds the connection, transactions, meta and the file and passage rows; the
roots (``roots``), vectors (``vector_rows``) and what ``status`` reads (``summary``) are
mixed in, and the tables are laid out in ``schema``.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from desktop_search.core.faults import crashpoint

from .database import (
    DB_NAME,
    DamagedIndexError,
    NoIndexError,
    ReadOnlyError,
    StoreError,
    can_write,
    connect,
    db_text,
    is_damage,
    private_dir,
    require_index,
    touch_private,
)
from .roots import RootRows
from .schema import (
    BLOCKS,
    SCHEMA_VERSION,
    blocks,
    create_blocks,
    create_schema,
    create_topic_tables,
    span_columns,
)
from .sqlpaths import under, under_args
from .summary import SummaryRows
from .vector_rows import VectorRows


@dataclass(frozen=True)
class FileRow:
    id: int
    path: str
    size: int
    mtime_ns: int
    hash: str | None
    state: str
    error: str | None

    def unchanged(self, size: int, mtime_ns: int) -> bool:
        """Whether a file with this stat needs no reading: same stat, and not marked to be
        cut again (an indexed file whose hash was forgotten, see ``follow_chunking``)."""
        stale = self.state == "ok" and self.hash is None
        return self.size == size and self.mtime_ns == mtime_ns and not stale


@dataclass(frozen=True)
class NewPassage:
    ord: int
    text: str
    start: int
    end: int
    page: int | None  # the span's number (see ``spans``)
    text_hash: str
    span: str | None = None
    label: str | None = None


class Store(RootRows, VectorRows, SummaryRows):
    """One connection to the index; read-only (by itself) where the user may not write."""

    def __init__(self, data_dir: str | os.PathLike) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / DB_NAME
        if self.data_dir.is_dir() and not can_write(self.data_dir):
            require_index(self.data_dir)
            self.readonly = True
        else:
            self.readonly = False
            private_dir(self.data_dir)
            touch_private(self.path)
        try:
            self.conn = connect(self.path, self.readonly)
            self.db = sqlite_utils.Database(self.conn)
            self._ensure_schema()
            self._span_columns = span_columns(self.db, self.readonly)
        except sqlite3.DatabaseError as exc:
            if is_damage(exc):
                raise DamagedIndexError(self.path) from exc
            raise StoreError(f"cannot open index database {self.path}: {exc}") from exc

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- schema -----------------------------------------------------------------------

    def _ensure_schema(self) -> None:
        """Create the schema once; ``meta`` is written last, so its presence means complete."""
        import fcntl

        try:
            if "meta" in self.db.table_names():
                self._check_version()
                return
        except sqlite3.DatabaseError as exc:
            if is_damage(exc):
                raise
            raise StoreError(f"{self.path} is not a desktop-search database: {exc}") from exc
        if self.readonly:
            raise NoIndexError(self.data_dir)
        lock_path = self.data_dir / ".schema.lock"
        touch_private(lock_path)
        with open(lock_path, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if "meta" in self.db.table_names():  # another process won the race
                self._check_version()
                return
            create_schema(self.db)

    def ensure_blocks(self) -> None:
        """Give an index made before keyword blocks existed its blocks, and drop an older
        version's insert trigger, and give it the topic map's tables (the writer does this;
        see ``schema.create_blocks``)."""
        create_blocks(self.db)
        create_topic_tables(self.db)

    def _check_version(self) -> None:
        version = int(self.get_meta("schema_version", "0"))
        if version != SCHEMA_VERSION:
            raise StoreError(f"index schema {version} is not supported (expected {SCHEMA_VERSION})")

    # -- transactions -----------------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[None]:
        """One IMMEDIATE transaction: writers queue on the busy timeout, never deadlock."""
        if self.readonly:
            raise ReadOnlyError(self.data_dir)
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:  # SQLite has already rolled back after a full disk
                self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[None]:
        """A consistent snapshot across several SELECTs."""
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            self.conn.execute("COMMIT")

    # -- meta -------------------------------------------------------------------------

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def follow_chunking(self, chunking: str) -> int:
        """Note how passages are cut (``chunking``: a config's signature); when an index was
        cut otherwise, forget every indexed file's hash so the next sync reads and cuts it
        again (``FileRow.unchanged``). Returns the number of files to cut again. Their old
        passages, dates and sizes stay searchable until then: each file's passages are
        replaced as it is read."""
        if self.get_meta("chunking") == chunking:
            return 0
        with self.write():
            stale = self.conn.execute(
                "UPDATE files SET hash = NULL WHERE state = 'ok' AND n_passages > 0"
            ).rowcount
            self.set_meta("chunking", chunking)
        return stale

    def generation(self) -> int:
        return int(self.get_meta("generation", "0"))

    def _bump_generation(self) -> None:
        self.conn.execute(
            "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'"
        )

    # -- files ------------------------------------------------------------------------

    def files_under(self, root: str) -> dict[str, FileRow]:
        rows = self.conn.execute(
            f"SELECT id, path, size, mtime_ns, hash, state, error FROM files WHERE {under()}",
            under_args(root),
        ).fetchall()
        return {r[1]: FileRow(*r) for r in rows}

    def file(self, path: str) -> FileRow | None:
        r = self.conn.execute(
            "SELECT id, path, size, mtime_ns, hash, state, error FROM files"
            " WHERE path = CAST(? AS TEXT)",
            (db_text(path),),
        ).fetchone()
        return FileRow(*r) if r else None

    def files_with_hash(self, content_hash: str) -> list[FileRow]:
        rows = self.conn.execute(
            "SELECT id, path, size, mtime_ns, hash, state, error FROM files WHERE hash = ?",
            (content_hash,),
        ).fetchall()
        return [FileRow(*r) for r in rows]

    def passage_hashes(self, file_id: int) -> list[str]:
        rows = self.conn.execute(
            "SELECT text_hash FROM passages WHERE file_id = ? ORDER BY ord", (file_id,)
        )
        return [r[0] for r in rows]

    def touch_file(self, path: str, size: int, mtime_ns: int) -> None:
        """Content unchanged (same hash): only remember the new stat so we skip it next time."""
        with self.write():
            self.conn.execute(
                "UPDATE files SET size = ?, mtime_ns = ? WHERE path = CAST(? AS TEXT)",
                (size, mtime_ns, db_text(path)),
            )

    def save_file(
        self,
        *,
        path: str,
        root_id: int | None,
        size: int,
        mtime_ns: int,
        content_hash: str,
        kind: str,
        passages: Sequence[NewPassage],
    ) -> tuple[list[int], list[int]]:
        """Replace a file's passages (text and FTS rows), atomically.

        Returns (added passage ids, removed passage ids) for the vector index.
        """
        with self.write():
            file_id, removed = self._replace_file(
                path,
                root_id=root_id,
                size=size,
                mtime_ns=mtime_ns,
                hash=content_hash,
                kind=kind,
                state="ok",
                error=None,
                n_passages=len(passages),
            )
            added = []
            for p in passages:
                cur = self.conn.execute(
                    'INSERT INTO passages(file_id, ord, text, page, start, "end", text_hash,'
                    " span, label) VALUES (?,?,?,?,?,?,?,?,?)",
                    (file_id, p.ord, p.text, p.page, p.start, p.end, p.text_hash, p.span, p.label),
                )
                added.append(cur.lastrowid)
            at = [(i, p.ord, p.page, p.start, p.end, p.text) for i, p in zip(added, passages)]
            self.conn.executemany(
                f"INSERT INTO {BLOCKS}(rowid, text) VALUES (?, ?)",
                blocks(sorted(at, key=lambda r: r[1])),
            )
            if added or removed:
                self._bump_generation()
            crashpoint("commit")
        return added, removed

    def record_problem(
        self, *, path: str, root_id: int | None, size: int, mtime_ns: int, state: str, error: str
    ) -> list[int]:
        """Remember a file we could not (or chose not to) index, and drop any stale passages."""
        with self.write():
            _, removed = self._replace_file(
                path,
                root_id=root_id,
                size=size,
                mtime_ns=mtime_ns,
                hash=None,
                kind=None,
                state=state,
                error=error,
                n_passages=0,
            )
            if removed:
                self._bump_generation()
        return removed

    def _replace_file(self, path: str, **fields) -> tuple[int, list[int]]:
        """Insert or update a file row and drop its old passages (inside a write transaction)."""
        fields["indexed_at"] = time.time()
        old = self.conn.execute(
            "SELECT id FROM files WHERE path = CAST(? AS TEXT)", (db_text(path),)
        ).fetchone()
        if not old:
            cols = ", ".join(["path", *fields])
            marks = ", ".join(["CAST(? AS TEXT)", *("?" * len(fields))])
            cur = self.conn.execute(
                f"INSERT INTO files({cols}) VALUES ({marks})", [db_text(path), *fields.values()]
            )
            return int(cur.lastrowid), []
        removed = [
            r[0] for r in self.conn.execute("SELECT id FROM passages WHERE file_id = ?", (old[0],))
        ]
        self.conn.execute("DELETE FROM passages WHERE file_id = ?", (old[0],))
        sets = ", ".join(f"{k} = ?" for k in fields)
        self.conn.execute(f"UPDATE files SET {sets} WHERE id = ?", [*fields.values(), old[0]])
        return int(old[0]), removed

    def remove_files(self, paths: Iterable[str]) -> tuple[int, list[int]]:
        """Forget files; returns (files removed, their passage ids)."""
        removed: list[int] = []
        files = 0
        with self.write():
            for path in dict.fromkeys(paths):
                row = self.conn.execute(
                    "SELECT id FROM files WHERE path = CAST(? AS TEXT)", (db_text(path),)
                ).fetchone()
                if not row:
                    continue
                removed += [
                    r[0]
                    for r in self.conn.execute(
                        "SELECT id FROM passages WHERE file_id = ?", (row[0],)
                    )
                ]
                self.conn.execute("DELETE FROM files WHERE id = ?", (row[0],))
                files += 1
            if removed:
                self._bump_generation()
        return files, removed

    def move_file(self, old_path: str, new_path: str, root_id: int | None) -> bool:
        """A rename keeps the passages (and their ids) as they are: no embedding, no index change."""
        with self.write():
            new, old = db_text(new_path), db_text(old_path)
            if self.conn.execute(
                "SELECT 1 FROM files WHERE path = CAST(? AS TEXT)", (new,)
            ).fetchone():
                return False
            cur = self.conn.execute(
                "UPDATE files SET path = CAST(? AS TEXT), root_id = ? WHERE path = CAST(? AS TEXT)",
                (new, root_id, old),
            )
            return cur.rowcount > 0

    # -- reads for search -------------------------------------------------------------

    def passages_by_id(self, ids: Sequence[int]) -> dict[int, dict]:
        out: dict[int, dict] = {}
        ids = list(ids)
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            q = (
                'SELECT p.id, p.text, p.page, p.start, p."end", p.ord, f.path, f.mtime_ns, f.kind, f.size, p.file_id,'
                f" {self._span_columns}"
                f" FROM passages p JOIN files f ON f.id = p.file_id WHERE p.id IN ({','.join('?' * len(part))})"
            )
            for r in self.conn.execute(q, part):
                out[r[0]] = {
                    "id": r[0],
                    "text": r[1],
                    "page": r[2],
                    "start": r[3],
                    "end": r[4],
                    "ord": r[5],
                    "path": r[6],
                    "mtime_ns": r[7],
                    "kind": r[8],
                    "size": r[9],
                    "file_id": r[10],
                    "span": r[11],
                    "label": r[12],
                }
        return out
