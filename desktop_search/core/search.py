"""Semantic (HNSW), keyword (FTS5 bm25) and hybrid (RRF) search, grouped by file."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from . import keyword
from .fusion import group_by, reciprocal_rank_fusion
from .highlight import query_terms, sentence_spans, term_spans
from .store import Store, _prefix_like
from .vectors import VectorSet

if TYPE_CHECKING:
    from .encoder import Encoder

MODES = ("hybrid", "semantic", "keyword")


class SearchError(ValueError):
    """Bad search input (an unknown mode, say)."""


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
            folder = os.path.abspath(os.path.expanduser(self.folder))
            clauses.append("(f.path = ? OR f.path LIKE ? ESCAPE '\\')")
            args += [folder, _prefix_like(folder)]
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


@dataclass
class PassageHit:
    id: int
    text: str
    page: int | None
    start: int
    end: int
    score: float
    highlights: list[tuple[int, int]] = field(default_factory=list)  # spans within ``text``

    def as_json(self) -> dict:
        return {
            "text": self.text,
            "page": self.page,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 6),
            "highlights": [list(h) for h in self.highlights],
        }


@dataclass
class FileResult:
    path: str
    score: float
    kind: str | None
    mtime: float
    size: int
    passages: list[PassageHit]

    def as_json(self) -> dict:
        return {
            "path": self.path,
            "score": round(self.score, 6),
            "passages": [p.as_json() for p in self.passages],
        }


class Searcher:
    """One per thread: it owns a SQLite connection; the encoder and vectors are shared."""

    def __init__(self, store: Store, encoder: Encoder, vectors: VectorSet) -> None:
        self.store = store
        self.encoder = encoder
        self.vectors = vectors
        self._kw_pool = None
        self.keyword_budget = keyword.RANK_BUDGET
        self._doc_freqs = keyword.DocFreqs()

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        mode: str = "hybrid",
        filters: Filters | None = None,
        per_file: int = 3,
        best_sentence: bool = False,
    ) -> list[FileResult]:
        if mode not in MODES:
            raise SearchError(f"unknown mode {mode!r}; choose one of: {', '.join(MODES)}")
        query = query.strip()
        if not query or k <= 0:
            return []
        filters = filters or Filters()
        self._refresh()
        pool = max(50, k * per_file * 4)
        qvec = None
        # In hybrid mode the keyword leg runs on a second connection in a helper thread
        # while this one encodes the query: both release the GIL, so the legs overlap.
        pending = self._keyword_async(query, pool, filters) if mode == "hybrid" else None
        with self.store.read():
            sem: list[tuple[int, float]] = []
            kw: list[tuple[int, float]] = []
            if mode in ("semantic", "hybrid"):
                qvec = self.encoder.encode([query])
                allowed = self._allowed_ids(filters) if filters.active() else None
                sem = self.vectors.search(qvec, pool, self.store, allowed)
            if pending is not None:
                kw = pending.result()
            elif mode == "keyword":
                kw = self._keyword(query, pool, filters, require_all=True)
            if mode == "semantic":
                fused = sem
            elif mode == "keyword":
                fused = kw
            else:
                fused = reciprocal_rank_fusion([[i for i, _ in sem], [i for i, _ in kw]])
            rows = self.store.passages_by_id([i for i, _ in fused])
        fused = [
            (i, s) for i, s in fused if i in rows
        ]  # a passage deleted since the index was read
        grouped = group_by(fused, key=lambda i: rows[i]["path"], limit=k, per_group=per_file)
        results = []
        for path, score, members in grouped:
            first = rows[members[0][0]]
            hits = []
            for pid, s in members:
                r = rows[pid]
                hits.append(
                    PassageHit(
                        pid,
                        r["text"],
                        r["page"],
                        r["start"],
                        r["end"],
                        float(s),
                        term_spans(r["text"], query) if mode != "semantic" else [],
                    )
                )
            results.append(
                FileResult(
                    path,
                    float(score),
                    first["kind"],
                    first["mtime_ns"] / 1e9,
                    first["size"] or 0,
                    hits,
                )
            )
        if best_sentence and mode != "keyword" and results:
            self.mark_best_sentences(query, results, qvec)
        return results

    def mark_best_sentences(
        self,
        query: str,
        results: list[FileResult],
        qvec: np.ndarray | None = None,
        max_files: int = 10,
    ) -> None:
        """Highlight, in each file's best passage, the sentence closest to the query.

        One batched forward pass over short sentences: worth it for the results a person
        looks at, so it is opt-in and capped.
        """
        targets = [r.passages[0] for r in results[:max_files] if r.passages]
        spans = [sentence_spans(p.text) for p in targets]
        flat = [p.text[s:e][:400] for p, sp in zip(targets, spans) for s, e in sp]
        if not flat:
            return
        if qvec is None:
            qvec = self.encoder.encode([query])
        sims = self.encoder.encode(flat) @ qvec[0]
        pos = 0
        for hit, sp in zip(targets, spans):
            best = int(np.argmax(sims[pos : pos + len(sp)]))
            pos += len(sp)
            if len(sp) > 1 or not hit.highlights:
                hit.highlights = [
                    sp[best],
                    *[h for h in hit.highlights if not _inside(h, sp[best])],
                ]

    # -- legs -------------------------------------------------------------------------

    def _refresh(self) -> None:
        """Another process may have indexed since we loaded: catch up with SQLite first."""
        if self.store.generation() != self.vectors.generation:
            self.vectors.catch_up(self.store)

    def _allowed_ids(self, filters: Filters) -> np.ndarray:
        where, args = filters.sql()
        rows = self.store.conn.execute(
            f"SELECT p.id FROM passages p JOIN files f ON f.id = p.file_id WHERE {where}", args
        ).fetchall()
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def _keyword_async(self, query: str, limit: int, filters: Filters):
        if self._kw_pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._kw_pool = ThreadPoolExecutor(1, thread_name_prefix="desktop-search-keyword")
            self._kw_store = None

        def run() -> list[tuple[int, float]]:
            if self._kw_store is None:
                self._kw_store = Store(self.store.data_dir)
            return self._keyword(query, limit, filters, require_all=False, store=self._kw_store)

        return self._kw_pool.submit(run)

    def _keyword(
        self,
        query: str,
        limit: int,
        filters: Filters,
        require_all: bool,
        store: Store | None = None,
    ) -> list[tuple[int, float]]:
        """Keyword mode wants every word first; then (and in hybrid) a budgeted plan of any."""
        store = store or self.store
        terms = list(
            dict.fromkeys(query_terms(query) or [w.lower() for w in re.findall(r"\w+", query)])
        )
        if not terms:
            return []
        where = filters.sql() if filters.active() else None
        budget = self.keyword_budget
        if require_all and len(terms) > 1:
            every = " AND ".join(keyword.quote(t) for t in terms)
            rows = keyword.ranked(store.conn, every, limit, where, cap=budget)
            if rows:
                return rows
        match = keyword.plan_match(
            terms, self._doc_freqs.get(store.conn, store.generation(), terms), budget
        )
        return keyword.ranked(store.conn, match, limit, where, cap=budget) if match else []


def _ns(seconds: float) -> int:
    """POSIX seconds to SQLite-safe nanoseconds (a date in year 2999 must not overflow)."""
    return int(max(-9.2e18, min(9.2e18, seconds * 1e9)))


def _inside(inner: tuple[int, int], outer: tuple[int, int]) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1]
