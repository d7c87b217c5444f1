"""Stage 2 of a query: candidates from each leg, and what is known of each passage.

Each leg brings a fixed pool of passages (the same for every ``k``, so the order of the
first results never depends on how many were asked for). In hybrid mode every candidate
is scored by both legs: a passage that only the keyword leg found still gets its cosine
(read from the vector index in memory), and one that only the semantic leg found gets its
bm25 if it is among the best ``SCORED`` keyword rows. The keyword leg runs on a second
connection in a helper thread while this one encodes the query: both release the GIL, so
the legs overlap.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from desktop_search.core.store.catalog import Store
from desktop_search.core.store.vector_index import VectorSet

from . import confidence, keyword
from .filters import Filters
from .highlight import stem, stems_in
from .query import Query

if TYPE_CHECKING:
    from desktop_search.core.encode.encoder import Encoder

POOL = 200
"""Passages each leg brings. Fixed, so that ``k`` never changes which files come first."""
SCORED = 1000
"""bm25 rows the hybrid keyword leg reads: beyond the pool they only lend semantic finds
their bm25 (ranking 1,000 rows costs FTS5 little more than 200; a rowid lookup per
passage and word cost far more)."""


@dataclass
class Candidates:
    """Both legs' passages (id, score) best first, and what is known of each passage."""

    sem: list[tuple[int, float]]
    kw: list[tuple[int, float]]
    rows: dict[int, dict]
    cos: dict[int, float]
    qvec: np.ndarray | None
    coverage: float = 0.0  # share of the query's words in the best keyword passage
    known: float = 1.0  # share of the query's words that the index holds at all
    weights: dict[str, float] = field(default_factory=dict)  # the query words' idf by stem
    indexed: dict[str, float] = field(default_factory=dict)  # those the index holds

    def file_of(self) -> dict[int, int]:
        return {i: r["file_id"] for i, r in self.rows.items()}


class Legs:
    """One per thread, as the ``Searcher`` that owns it: the legs' connections and caches.

    The encoder and the vectors come with each query, as one pair: a model switch hands
    the searcher a new pair between two queries, never in the middle of one."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.keyword_budget = keyword.RANK_BUDGET
        self._doc_freqs = keyword.DocFreqs()  # by passage: the idf that scores are calibrated on
        self._block_freqs = keyword.DocFreqs(keyword.BLOCKS)  # what the leg plans from
        self._kw_pool: ThreadPoolExecutor | None = None
        self._kw_store: Store | None = None
        self._allowed_cache: dict[tuple, np.ndarray] = {}
        self._allowed_generation: int | None = None

    def gather(
        self, q: Query, mode: str, filters: Filters, encoder: Encoder, vectors: VectorSet
    ) -> Candidates:
        pending = self._keyword_async(q, filters) if mode == "hybrid" else None
        with self.store.read():
            c = self._candidates(q, mode, filters, pending, encoder, vectors)
        c.weights, c.indexed = self._weights(q)
        c.known = sum(stem(t) in c.indexed for t in q.terms) / len(q.terms) if q.terms else 1.0
        if c.kw and c.weights:
            c.coverage = confidence.words(stems_in(c.rows[c.kw[0][0]]["text"]), c.weights)
        return c

    def _candidates(
        self,
        q: Query,
        mode: str,
        filters: Filters,
        pending: Future | None,
        encoder: Encoder,
        vectors: VectorSet,
    ) -> Candidates:
        banned, required = self._file_constraints(q)
        allowed = None
        if filters.active() or required is not None:
            allowed = self._allowed_ids(filters, required)
        qvec = None
        sem: list[tuple[int, float]] = []
        if mode in ("semantic", "hybrid") and q.text:
            qvec = encoder.encode([q.text])
            sem = vectors.search(qvec, POOL, allowed=allowed, banned=self._passages_of(banned))
        if pending is not None:  # hybrid: the leg's extra rows give semantic finds their bm25
            scored = pending.result()
            sem_ids = {i for i, _ in sem}
            kw = scored[:POOL] + [(i, s) for i, s in scored[POOL:] if i in sem_ids]
        elif mode == "keyword":
            kw = self.keyword(q, filters, self.store)
        else:
            kw = []
        rows = self.store.passages_by_id(list(dict.fromkeys(i for i, _ in [*sem, *kw])))

        def ok(i: int) -> bool:
            fid = rows[i]["file_id"] if i in rows else None
            return fid is not None and fid not in banned and (required is None or fid in required)

        rows = {i: r for i, r in rows.items() if ok(i)}
        sem = [(i, s) for i, s in sem if i in rows]
        kw = [(i, s) for i, s in kw if i in rows]
        cos = dict(sem)
        if qvec is not None:
            cos.update(vectors.cosines(qvec[0], [i for i, _ in kw if i not in cos]))
        return Candidates(sem, kw, rows, cos, qvec)

    def _file_constraints(self, q: Query) -> tuple[set[int], set[int] | None]:
        """(files holding an excluded word, files holding every quoted phrase or None)."""
        banned: set[int] = set()
        for word in q.excluded:
            banned |= keyword.files_matching(self.store.conn, word)
        required = None
        for phrase in q.phrases:
            have = keyword.files_matching(self.store.conn, " ".join(phrase))
            required = have if required is None else required & have
        return banned, required

    def _passages_of(self, file_ids: set[int]) -> set[int]:
        if not file_ids:
            return set()
        ids = list(file_ids)
        out: set[int] = set()
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            out |= {
                r[0]
                for r in self.store.conn.execute(
                    f"SELECT id FROM passages WHERE file_id IN ({','.join('?' * len(part))})", part
                )
            }
        return out

    def _allowed_ids(self, filters: Filters, files: set[int] | None) -> np.ndarray:
        """Passages that pass the filters (and belong to ``files`` if given).

        Cached per filter until the index changes: a person keeps a filter while typing,
        and at 100k passages reading a quarter of them costs 40 ms.
        """
        where, args = filters.sql()
        if files is not None:
            if not files:
                return np.empty(0, dtype=np.int64)
            where += f" AND f.id IN ({','.join(str(int(i)) for i in sorted(files))})"
        key, generation = (where, tuple(args)), self.store.generation()
        if self._allowed_generation != generation:
            self._allowed_cache, self._allowed_generation = {}, generation
        if key not in self._allowed_cache:
            rows = self.store.conn.execute(
                f"SELECT p.id FROM files f JOIN passages p ON p.file_id = f.id WHERE {where}", args
            ).fetchall()
            if len(self._allowed_cache) >= 8:
                self._allowed_cache.pop(next(iter(self._allowed_cache)))
            ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
            self._allowed_cache[key] = ids
        return self._allowed_cache[key]

    def _keyword_async(self, q: Query, filters: Filters) -> Future:
        if self._kw_pool is None:
            self._kw_pool = ThreadPoolExecutor(1, thread_name_prefix="desktop-search-keyword")

        def run() -> list[tuple[int, float]]:
            if self._kw_store is None:
                self._kw_store = Store(self.store.data_dir)
            return self.keyword(q, filters, self._kw_store, SCORED)

        return self._kw_pool.submit(run)

    def keyword(
        self, q: Query, filters: Filters, store: Store, limit: int = POOL
    ) -> list[tuple[int, float]]:
        """bm25 over the query's words and phrases (see ``keyword`` for the row budget)."""
        units = [*q.terms, *(" ".join(p) for p in q.phrases)]
        if not units:
            return []
        fts = keyword.table(store.conn)
        counts = self._block_freqs if fts == keyword.BLOCKS else self._doc_freqs
        gen = store.generation()
        freqs = counts.get(store.conn, gen, units, self.keyword_budget + 1)
        rows = self._doc_freqs.total(store.conn, gen)  # a block per passage
        plan = keyword.plan_match(units, freqs, self.keyword_budget, rows)
        if plan is None:
            return []
        where = filters.sql() if filters.active() else None
        hits = keyword.run(store.conn, plan, limit, where, fts)
        if fts == keyword.PASSAGES:
            return hits
        return keyword.to_passages(store.conn, plan.match, hits)

    def _weights(self, q: Query) -> tuple[dict[str, float], dict[str, float]]:
        """(idf per query word by stem, the same for the words the index holds at all); the
        word counts are cached per index generation."""
        if not q.terms:
            return {}, {}
        conn, gen = self.store.conn, self.store.generation()
        n = max(1, self._doc_freqs.total(conn, gen))
        freqs = self._doc_freqs.get(conn, gen, list(q.terms), self.keyword_budget + 1)
        weights = {stem(t): confidence.idf(freqs[t], n) for t in q.terms}
        return weights, {stem(t): weights[stem(t)] for t in q.terms if freqs[t] > 0}
