"""Semantic (HNSW), keyword (FTS5 bm25) and hybrid search, ranked by file.

A query goes through five stages, each a call made once, in this order:

1. parse what was typed (``query.parse``);
2. take candidates from each leg (``candidates.Legs.gather``);
3. fuse the legs and order the files (``ranking.order_files``);
4. choose each file's lead passages (``ranking.lead_passages``);
5. score them on an absolute scale and build the results (``present.present``).

Two optional steps sit between them: ``rerank`` rescores the top candidates before
stage 3, and ``best_sentence`` highlights a sentence of each result after stage 5.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_search.core.errors import SearchError
from desktop_search.core.store.catalog import Store
from desktop_search.core.store.vector_index import VectorSet

from .best_sentence import mark_best_sentences
from .candidates import Legs
from .filters import Filters
from .present import Scorer, present
from .query import Query, parse
from .ranking import lead_passages, order_files, rescore
from .results import FileResult, PassageHit

if TYPE_CHECKING:
    from desktop_search.core.encode.encoder import Encoder

__all__ = ["MODES", "FileResult", "Filters", "PassageHit", "Searcher"]

MODES = ("hybrid", "semantic", "keyword")


class Searcher:
    """One per thread: it owns a SQLite connection; the encoder and vectors are shared."""

    def __init__(self, store: Store, encoder: Encoder, vectors: VectorSet) -> None:
        self.store = store
        self.encoder = encoder
        self.vectors = vectors
        self.legs = Legs(store)

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
        self._refresh()
        c = self.legs.gather(q, mode, filters, self.encoder, self.vectors)
        if rerank and c.qvec is not None:
            rescore(self.encoder, q, mode, c)
        files, passages = order_files(q, mode, c)
        scorer = Scorer(c)
        leads = lead_passages(mode, c, files[:k], passages, scorer.held)
        results = present(q, mode, c, leads, per_file, scorer)
        if best_sentence and mode != "keyword" and results:
            mark_best_sentences(self.encoder, q.text, results, c.qvec)
        return results

    def _refresh(self) -> None:
        """Another process may have indexed since we loaded: catch up with SQLite first."""
        if self.store.generation() != self.vectors.generation:
            self.vectors.catch_up(self.store)
