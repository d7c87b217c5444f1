"""Semantic (HNSW), keyword (FTS5 bm25) and hybrid search, ranked by file.

Each leg brings a fixed pool of passages (the same for every ``k``, so the order of the
first results never depends on how many were asked for). Legs are fused at the level
people see, files (see ``fusion``). In hybrid mode every candidate is scored by both legs
first: a passage that only the keyword leg found still gets its cosine (read from the
vector index in memory), and one that only the semantic leg found gets its bm25 if it is
among the best ``SCORED`` keyword rows.

Scores shown to people are absolute (see ``confidence``), not the fusion's ranking score.
"""

from __future__ import annotations

import dataclasses
import functools
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from . import confidence, keyword
from . import rerank as rerank_mod
from .best_sentence import mark_best_sentences
from .errors import SearchError
from .filters import Filters
from .fusion import SECOND, alpha_for, by_best, fuse, keep_keyword_places, lead_with_words
from .highlight import stem, stems_in, term_spans
from .query import Query, parse
from .store import Store
from .vectors import VectorSet

if TYPE_CHECKING:
    from .encoder import Encoder

MODES = ("hybrid", "semantic", "keyword")
POOL = 200
"""Passages each leg brings. Fixed, so that ``k`` never changes which files come first."""
FLOOR_POOL = 20
"""Semantic passages needed before the pool's lowest cosine is the fusion's floor."""
SCORED = 1000
"""bm25 rows the hybrid keyword leg reads: beyond the pool they only lend semantic finds
their bm25 (ranking 1,000 rows costs FTS5 little more than 200; a rowid lookup per
passage and word cost far more)."""


@dataclass
class PassageHit:
    id: int
    text: str
    page: int | None
    start: int
    end: int
    score: float  # 0..1, how well this passage matches (see ``confidence``)
    highlights: list[tuple[int, int]] = field(default_factory=list)  # spans within ``text``

    def as_json(self) -> dict:
        return {
            "text": self.text,
            "page": self.page,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
            "highlights": [list(h) for h in self.highlights],
        }


@dataclass
class FileResult:
    path: str
    score: float  # 0..1, absolute: the best of its passages' scores
    kind: str | None
    mtime: float
    size: int
    passages: list[PassageHit]
    matches: int = 0  # passages of this file that match (``confidence.WEAK`` or better)

    @property
    def weak(self) -> bool:
        return self.score < confidence.WEAK

    @property
    def more(self) -> int:
        """Matching passages besides the one shown first (the app's "N more matches")."""
        lead = bool(self.passages) and self.passages[0].score >= confidence.WEAK
        return max(0, self.matches - lead)

    def as_json(self) -> dict:
        return {
            "path": self.path,
            "score": round(self.score, 4),
            "weak": self.weak,
            "matches": self.matches,
            "passages": [p.as_json() for p in self.passages],
        }


@dataclass
class _Candidates:
    """Both legs' passages (id, score) best first, and what is known of each passage."""

    sem: list[tuple[int, float]]
    kw: list[tuple[int, float]]
    rows: dict[int, dict]
    cos: dict[int, float]
    qvec: np.ndarray | None
    coverage: float = 0.0  # share of the query's words in the best keyword passage
    known: float = 1.0  # share of the query's words that the index holds at all
    indexed: dict[str, float] = field(default_factory=dict)  # their idf by stem


class Searcher:
    """One per thread: it owns a SQLite connection; the encoder and vectors are shared."""

    def __init__(self, store: Store, encoder: Encoder, vectors: VectorSet) -> None:
        self.store = store
        self.encoder = encoder
        self.vectors = vectors
        self.keyword_budget = keyword.RANK_BUDGET
        self._doc_freqs = keyword.DocFreqs()  # by passage: the idf that scores are calibrated on
        self._block_freqs = keyword.DocFreqs(keyword.BLOCKS)  # what the leg plans from
        self._kw_pool: ThreadPoolExecutor | None = None
        self._kw_store: Store | None = None
        self._allowed_cache: dict[tuple, np.ndarray] = {}
        self._allowed_generation: int | None = None

    def search(
        self,
        query: str | Query,
        *,
        k: int = 10,
        mode: str = "hybrid",
        filters: Filters | None = None,
        per_file: int = 3,
        best_sentence: bool = False,
        rerank: bool = False,
    ) -> list[FileResult]:
        """Files best first, each with its best passages (``per_file``).

        ``rerank`` rescores the top candidates sentence by sentence (see ``rerank``);
        ``best_sentence`` highlights the sentence closest to the query in each result.
        """
        if mode not in MODES:
            raise SearchError(f"unknown mode {mode!r}; choose one of: {', '.join(MODES)}")
        q = parse(query) if isinstance(query, str) else query
        if q.empty or k <= 0:
            return []
        filters = filters or Filters()
        if q.topic is not None and filters.topic is None:
            filters = dataclasses.replace(filters, topic=q.topic)
        self._refresh()
        # In hybrid mode the keyword leg runs on a second connection in a helper thread
        # while this one encodes the query: both release the GIL, so the legs overlap.
        pending = self._keyword_async(q, filters) if mode == "hybrid" else None
        with self.store.read():
            c = self._candidates(q, mode, filters, pending)
        weights, c.indexed = self._weights(q)
        c.known = sum(stem(t) in c.indexed for t in q.terms) / len(q.terms) if q.terms else 1.0
        if c.kw and weights:
            c.coverage = confidence.words(stems_in(c.rows[c.kw[0][0]]["text"]), weights)
        if rerank and c.qvec is not None:
            self._rerank(q, c, mode)
        results = self._rank(q, mode, c, k, per_file, weights)
        if best_sentence and mode != "keyword" and results:
            mark_best_sentences(self.encoder, q.text, results, c.qvec)
        return results

    # -- candidates -------------------------------------------------------------------

    def _candidates(
        self, q: Query, mode: str, filters: Filters, pending: Future | None
    ) -> _Candidates:
        banned, required = self._file_constraints(q)
        allowed = None
        if filters.active() or required is not None:
            allowed = self._allowed_ids(filters, required)
        qvec = None
        sem: list[tuple[int, float]] = []
        if mode in ("semantic", "hybrid") and q.text:
            qvec = self.encoder.encode([q.text])
            sem = self.vectors.search(qvec, POOL, allowed=allowed, banned=self._passages_of(banned))
        if pending is not None:  # hybrid: the leg's extra rows give semantic finds their bm25
            scored = pending.result()
            sem_ids = {i for i, _ in sem}
            kw = scored[:POOL] + [(i, s) for i, s in scored[POOL:] if i in sem_ids]
        elif mode == "keyword":
            kw = self._keyword(q, filters, self.store)
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
            cos.update(self.vectors.cosines(qvec[0], [i for i, _ in kw if i not in cos]))
        return _Candidates(sem, kw, rows, cos, qvec)

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
            return self._keyword(q, filters, self._kw_store, SCORED)

        return self._kw_pool.submit(run)

    def _keyword(
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

    # -- ranking ----------------------------------------------------------------------

    def _order(
        self, q: Query, mode: str, c: _Candidates
    ) -> tuple[list[tuple[int, float]], dict[int, float]]:
        """(files best first, each passage's score) for the mode."""
        file_of = {i: r["file_id"] for i, r in c.rows.items()}
        if mode == "hybrid":
            # the semantic pool's lowest cosine (see ``fusion``); a pool of a few passages
            # (a tiny index) shows no spread of unrelated text, so 0 stays the floor there
            floor = min(s for _, s in c.sem) if len(c.sem) >= FLOOR_POOL else 0.0
            alpha = alpha_for(c.coverage, q.pasted)
            files, passages = fuse(c.cos, dict(c.kw), file_of, alpha, floor)
            waiting = {file_of[i] for i, _ in c.kw if i not in c.cos}  # not embedded yet
            if waiting:
                files = keep_keyword_places(files, self._by_words(c, file_of), waiting)
            return files, passages
        if mode == "keyword":
            return self._by_words(c, file_of), dict(c.kw)
        return by_best(dict(c.sem), file_of), dict(c.sem)

    @staticmethod
    def _by_words(c: _Candidates, file_of: dict[int, int]) -> list[tuple[int, float]]:
        """Files by their keyword evidence: the best block plus a share of one apart from it."""
        spans = {i: (c.rows[i]["page"], c.rows[i]["start"], c.rows[i]["end"]) for i, _ in c.kw}
        return by_best(dict(c.kw), file_of, SECOND, spans)

    def _rerank(self, q: Query, c: _Candidates, mode: str) -> None:
        """Replace the cosines of the top candidates by their sentence-level max-sim."""
        _, passages = self._order(q, mode, c)
        top = sorted((i for i in passages if i in c.cos), key=lambda i: -passages[i])
        top = top[: rerank_mod.TOP]
        scores = rerank_mod.max_sim(
            self.encoder, c.qvec[0], [c.rows[i]["text"] for i in top], [c.cos[i] for i in top]
        )
        c.cos.update(zip(top, scores))
        if mode == "semantic":
            c.sem = sorted(c.cos.items(), key=lambda r: (-r[1], r[0]))

    def _rank(
        self, q: Query, mode: str, c: _Candidates, k: int, per_file: int, weights: dict
    ) -> list[FileResult]:
        files, passages = self._order(q, mode, c)
        by_file: dict[int, list[int]] = {}
        for pid in sorted(passages, key=lambda i: (-passages[i], i)):
            by_file.setdefault(c.rows[pid]["file_id"], []).append(pid)
        kw = {i for i, _ in c.kw}
        stems = functools.cache(lambda pid: stems_in(c.rows[pid]["text"]))

        def share(pid: int) -> float:
            return confidence.words(stems(pid), weights) if weights else 0.0

        def held(pid: int) -> float:  # of the words a passage can hold: those indexed
            return confidence.words(stems(pid), c.indexed) if c.indexed else 0.0

        def matching(pid: int) -> bool:
            """As ``confidence.strength`` >= WEAK; a passage outside the keyword leg holds
            no query word worth counting (the leg brings every passage that does)."""
            if mode != "keyword" and confidence.meaning(c.cos.get(pid), c.known) >= confidence.WEAK:
                return True
            return mode != "semantic" and pid in kw and share(pid) >= confidence.WEAK

        results = []
        for fid, _ in files[:k]:
            members = by_file[fid]
            if mode == "hybrid":
                members = lead_with_words(members, kw, held)
            hits = [self._hit(q, mode, c, pid, share(pid)) for pid in members[:per_file]]
            first = c.rows[members[0]]
            results.append(
                FileResult(
                    first["path"],
                    max(h.score for h in hits),
                    first["kind"],
                    first["mtime_ns"] / 1e9,
                    first["size"] or 0,
                    hits,
                    matches=sum(1 for h in hits if h.score >= confidence.WEAK)
                    + sum(1 for pid in members[per_file:] if matching(pid)),
                )
            )
        return results

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

    def _hit(self, q: Query, mode: str, c: _Candidates, pid: int, share: float) -> PassageHit:
        r = c.rows[pid]
        score = confidence.strength(c.cos.get(pid), share, mode, c.known)
        spans = term_spans(r["text"], q.terms) if mode != "semantic" else []
        return PassageHit(pid, r["text"], r["page"], r["start"], r["end"], score, spans)

    def _refresh(self) -> None:
        """Another process may have indexed since we loaded: catch up with SQLite first."""
        if self.store.generation() != self.vectors.generation:
            self.vectors.catch_up(self.store)
