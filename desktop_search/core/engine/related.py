"""The related-files side of the Engine: ``Engine.related``.

Reads only, from any thread, with no forward pass: it ranks over the vectors already in
memory (see ``related``). A mixin of the Engine, like ``engine_duplicates``, to keep
engine.py short.
"""

from __future__ import annotations

import os

from desktop_search.core.blas import one_blas_thread
from desktop_search.core.errors import DesktopSearchError
from desktop_search.core.search import keyword
from desktop_search.core.search.related import (
    CANDIDATES,
    DEFAULT_METHOD,
    FileVectors,
    PassageRef,
    Related,
    RelatedFile,
    rrf,
    significant_terms,
)
from desktop_search.core.search.related import shared_word_spans as shared
from desktop_search.core.store.catalog import DB_NAME, Store
from desktop_search.core.store.database import damage_is_named


class RelatedError(DesktopSearchError, ValueError):
    """A file related files cannot be listed for (not indexed, or not embedded yet)."""


class RelatedMixin:
    """The Engine's related-files method; the file vectors follow the active model."""

    _fv_cache: FileVectors | None = None

    def _file_vectors(self, store: Store | None = None) -> FileVectors:
        """The per-file vectors of the active model, brought level with the index (read
        through ``store``, by default this thread's connection)."""
        with self._swap_lock:
            fv = self._fv_cache
            if fv is None or fv.vectors is not self.vectors:
                fv = self._fv_cache = FileVectors(self.vectors)
        fv.refresh(store or self._thread_store())
        return fv

    def related(self, path: str, k: int = 10, *, method: str = DEFAULT_METHOD) -> Related:
        """The ``k`` files closest in meaning to ``path``, each with its best-matching pair
        of passages; its near-duplicates come apart, marked (see ``related``)."""
        store: Store = self._thread_store()
        full = os.path.abspath(os.path.expanduser(path))
        with damage_is_named(self.data_dir / DB_NAME), one_blas_thread():
            row = store.file(full)
            if row is None or row.state != "ok":
                raise RelatedError(f"{path} is not in the index")
            fv = self._file_vectors()
            if not fv.has(row.id):
                raise RelatedError(f"{path} has no passages embedded yet; run indexing first")
            if method == "hybrid":
                ranked = self._hybrid(fv, store, row.id, k + DUPLICATE_ROOM)
            else:
                ranked = fv.rank(row.id, k + DUPLICATE_ROOM, method)
            pairs = fv.explain(row.id, [f for f, _ in ranked])
            rows = store.passages_by_id([p for mine, theirs, _, _ in pairs for p in (mine, theirs)])
            hashes = _hashes(store, [f for f, _ in ranked])
            files, dups = [], []
            for (fid, score), (mine, theirs, cos, near) in zip(ranked, pairs):
                if theirs not in rows or mine not in rows:
                    continue  # removed since the vectors were read
                other = rows[theirs]
                near = near or (row.hash is not None and hashes.get(fid) == row.hash)
                item = RelatedFile(
                    other["path"],
                    max(0.0, min(1.0, score)),
                    other["kind"],
                    near,
                    cos,
                    _ref(rows[mine], other["text"]),
                    _ref(other, rows[mine]["text"]),
                )
                (dups if near else files).append(item)
            return Related(row.path, files[:k], dups)

    def _hybrid(self, fv: FileVectors, store: Store, file_id: int, n: int):
        """``chamfer`` fused with the keyword leg's files for the file's significant words."""
        sem = fv.rank(file_id, max(n, CANDIDATES), "chamfer")
        texts = [
            r[0]
            for r in store.conn.execute("SELECT text FROM passages WHERE file_id = ?", (file_id,))
        ]
        freqs = keyword.DocFreqs()
        gen = store.generation()
        terms = significant_terms(
            texts, lambda ws: freqs.get(store.conn, gen, ws), freqs.total(store.conn, gen)
        )
        hits = self.search(" ".join(terms), mode="keyword", k=CANDIDATES) if terms else []
        ids = {r.path: f.id for r in hits if (f := store.file(r.path)) is not None}
        lex = [ids[r.path] for r in hits if r.path in ids and ids[r.path] != file_id]
        lex = [f for f in lex if fv.has(f)]
        top = rrf([f for f, _ in sem], lex)[:n]
        scores = dict(sem) | dict(fv.chamfer(file_id, [f for f in top if f not in dict(sem)]))
        return [(f, scores[f]) for f in top]


DUPLICATE_ROOM = 10
"""Extra candidates read so that near-duplicates set apart still leave ``k`` related."""


def _ref(row: dict, other_text: str) -> PassageRef:
    return PassageRef(
        row["id"],
        row["text"],
        row["page"],
        row["start"],
        row["end"],
        shared(row["text"], other_text),
    )


def _hashes(store: Store, file_ids: list[int]) -> dict[int, str | None]:
    marks = ",".join("?" * len(file_ids))
    rows = store.conn.execute(f"SELECT id, hash FROM files WHERE id IN ({marks})", file_ids)
    return {r[0]: r[1] for r in rows}
