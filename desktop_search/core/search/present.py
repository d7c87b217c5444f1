"""Stage 5 of a query: score each shown passage on an absolute scale and build the results.

Scores shown to people are absolute (see ``confidence``), not the fusion's ranking score,
so nonsense words never look confident. A file also counts its other matching passages
(the app's "N more matches").
"""

from __future__ import annotations

import functools

from . import confidence
from .candidates import Candidates
from .highlight import stems_in, term_spans
from .query import Query
from .results import FileResult, PassageHit
from .spans import Span


class Scorer:
    """A query's word shares per passage, computed once each (stemming is the cost)."""

    def __init__(self, c: Candidates) -> None:
        self.c = c
        self._stems = functools.cache(lambda pid: stems_in(c.rows[pid]["text"]))

    def share(self, pid: int) -> float:
        """Of the query's words (weighted by idf), those this passage holds."""
        return confidence.words(self._stems(pid), self.c.weights) if self.c.weights else 0.0

    def held(self, pid: int) -> float:
        """Of the query's words that the index holds at all, those this passage holds."""
        return confidence.words(self._stems(pid), self.c.indexed) if self.c.indexed else 0.0


def present(
    q: Query, mode: str, c: Candidates, leads: list[list[int]], per_file: int, scorer: Scorer
) -> list[FileResult]:
    kw = {i for i, _ in c.kw}

    def matching(pid: int) -> bool:
        """As ``confidence.strength`` >= WEAK; a passage outside the keyword leg holds
        no query word worth counting (the leg brings every passage that does)."""
        if mode != "keyword" and confidence.meaning(c.cos.get(pid), c.known) >= confidence.WEAK:
            return True
        return mode != "semantic" and pid in kw and scorer.share(pid) >= confidence.WEAK

    results = []
    for members in leads:
        hits = [_hit(q, mode, c, pid, scorer.share(pid)) for pid in members[:per_file]]
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


def _hit(q: Query, mode: str, c: Candidates, pid: int, share: float) -> PassageHit:
    r = c.rows[pid]
    score = confidence.strength(c.cos.get(pid), share, mode, c.known)
    spans = term_spans(r["text"], q.terms) if mode != "semantic" else []
    span = Span.of(r["page"], r.get("span"), r.get("label"))
    page = span.page if span else None  # ``page`` stays the PDF page (opening at it)
    return PassageHit(pid, r["text"], page, r["start"], r["end"], score, spans, span)
