"""The vector rows of the index: one vector per (model, text hash), shared by every passage
with that text, so a rename, a copy or an undo costs no forward pass."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

import numpy as np

from desktop_search.core.faults import crashpoint

PENDING = "p.text_hash NOT IN (SELECT text_hash FROM vectors WHERE model = ?)"
"""A passage ``p`` with no vector for the model yet. One list of the model's hashes, probed
per passage: a correlated NOT EXISTS looked each passage up in the vectors' table, with
the vectors in its pages (1.2 s to count a 65k-passage library against 0.19 s)."""


class VectorRows:
    """Mixed into ``Store``: the queries over the ``vectors`` table."""

    conn: sqlite3.Connection  # and write(), _bump_generation(): Store's

    def put_vectors(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        self.conn.executemany(
            "INSERT OR IGNORE INTO vectors(model, text_hash, vec) VALUES (?, ?, ?)",
            [(model, h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in vectors.items()],
        )

    def cached_vectors(self, model: str, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        uniq = list(dict.fromkeys(hashes))
        for i in range(0, len(uniq), 500):
            part = uniq[i : i + 500]
            q = f"SELECT text_hash, vec FROM vectors WHERE model = ? AND text_hash IN ({','.join('?' * len(part))})"
            for h, blob in self.conn.execute(q, [model, *part]):
                out[h] = np.frombuffer(blob, dtype=np.float32)
        return out

    def passage_vectors(
        self, model: str, ids: Sequence[int] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(ids, matrix) of passages that have a vector for ``model``; all of them when ids is None."""
        base = "SELECT p.id, v.vec FROM passages p JOIN vectors v ON v.text_hash = p.text_hash AND v.model = ?"
        rows: list = []
        if ids is None:
            rows = self.conn.execute(base + " ORDER BY p.id", (model,)).fetchall()
        else:
            ids = list(ids)
            for i in range(0, len(ids), 500):
                part = ids[i : i + 500]
                rows += self.conn.execute(
                    base + f" WHERE p.id IN ({','.join('?' * len(part))})", [model, *part]
                ).fetchall()
        if not rows:
            return np.empty(0, dtype=np.int64), np.empty((0, 0), dtype=np.float32)
        id_arr = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        mat = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), -1)
        return id_arr, mat

    def embedded_ids(self, model: str) -> np.ndarray:
        """Ids of the passages that have a vector for ``model`` (what its HNSW index holds)."""
        rows = self.conn.execute(
            "SELECT p.id FROM passages p WHERE EXISTS"
            " (SELECT 1 FROM vectors v WHERE v.model = ? AND v.text_hash = p.text_hash)",
            (model,),
        ).fetchall()
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def prune_vectors(self, model: str) -> int:
        """Drop cached vectors no passage uses any more (after a sync, when renames are settled)."""
        with self.write():
            cur = self.conn.execute(
                "DELETE FROM vectors WHERE model = ? AND text_hash NOT IN (SELECT text_hash FROM passages)",
                (model,),
            )
            return cur.rowcount

    def drop_vectors(self, model: str) -> int:
        """Drop every vector of ``model`` (a model that never became active)."""
        with self.write():
            return self.conn.execute("DELETE FROM vectors WHERE model = ?", (model,)).rowcount

    def pending_counts(self, model: str) -> dict[str, int]:
        """Passages (and files) that have no vector for ``model`` yet."""
        row = self.conn.execute(
            f"SELECT count(*), count(DISTINCT p.file_id) FROM passages p WHERE {PENDING}",
            (model,),
        ).fetchone()
        return {"passages": int(row[0]), "files": int(row[1])}

    def add_vectors(
        self, model: str, vectors: dict[str, np.ndarray]
    ) -> tuple[list[int], np.ndarray]:
        """Commit phase 2's vectors in one transaction that also moves the generation on;
        returns (every passage they cover, one row per passage) for the HNSW index."""
        hashes = list(vectors)
        ids: list[int] = []
        rows: list[np.ndarray] = []
        with self.write():
            self.put_vectors(model, vectors)
            for i in range(0, len(hashes), 500):
                part = hashes[i : i + 500]
                q = f"SELECT id, text_hash FROM passages WHERE text_hash IN ({','.join('?' * len(part))})"
                for pid, h in self.conn.execute(q, part):
                    ids.append(pid)
                    rows.append(vectors[h])
            self._bump_generation()
            crashpoint("vectors")
        mat = np.stack(rows).astype(np.float32) if rows else np.empty((0, 0), np.float32)
        return ids, mat
