"""How well a result matches, in absolute terms, so that a score bar means the same thing
for every query and nonsense words never look confident.

Two kinds of evidence, each mapped to 0..1:

* meaning: the passage's cosine to the query. all-MiniLM-L6-v2 puts unrelated text near
  0.0-0.2 and a passage that answers a question near 0.45-0.75. The ramp runs from
  ``COS_NONE`` (no evidence) to ``COS_FULL`` (as strong as it gets); see
  benchmarks/bench_questions.py, which prints where relevant and irrelevant results fall.
* words: the share of the query's words (weighted by how rare they are) that the passage
  holds. A query whose words are nowhere in the index has no keyword evidence at all.

A result is *weak* below ``WEAK``: the app then says "no good matches" instead of drawing
confident bars.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

COS_NONE = 0.20
COS_FULL = 0.65
WEAK = 0.25


def meaning(cos: float | None) -> float:
    if cos is None:
        return 0.0
    return min(1.0, max(0.0, (cos - COS_NONE) / (COS_FULL - COS_NONE)))


def idf(doc_freq: int, n_docs: int) -> float:
    """bm25's idf, floored at a small positive weight so that every word counts a little."""
    return max(0.05, math.log(1 + (n_docs - doc_freq + 0.5) / (doc_freq + 0.5)))


def words(found: Iterable[str], terms: Sequence[str], weights: Mapping[str, float]) -> float:
    """The idf-weighted share of ``terms`` that are among ``found``."""
    total = sum(weights.get(t, 1.0) for t in terms)
    if total <= 0:
        return 0.0
    got = set(found)
    return sum(weights.get(t, 1.0) for t in terms if t in got) / total


def strength(cos: float | None, word_share: float, mode: str) -> float:
    """One 0..1 figure for a passage: the evidence the mode looks at, the better of two in hybrid."""
    if mode == "semantic":
        return meaning(cos)
    if mode == "keyword":
        return word_share
    return max(meaning(cos), word_share)
