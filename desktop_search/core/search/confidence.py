"""How well a result matches, in absolute terms, so that a score bar means the same thing
for every query and nonsense words never look confident.

Two kinds of evidence, each mapped to 0..1:

* meaning: the passage's cosine to the query. On our 158 natural questions the passage of
  the relevant file closest to the question has a cosine of 0.33 at the 5th percentile,
  0.50 at the median and 0.61 at the 90th. The ramp runs from ``COS_NONE`` (no evidence)
  to ``COS_FULL`` (as strong as it gets), so fewer than 5% of relevant passages are weak.
* words: the share of the query's words (weighted by how rare they are) that the passage
  holds. A query whose words are nowhere in the index has no keyword evidence at all.

A result is *weak* below ``WEAK``: the app then says "no good matches" instead of drawing
confident bars.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

COS_NONE = 0.20
COS_FULL = 0.65
UNKNOWN_WORDS = 0.25
"""How much higher the ramp starts when none of the query's words is in the index: MiniLM
gives made-up words ("zxqvbnm flurbish") cosines up to 0.39 against technical text, while
a real question shares some words with the documents that answer it."""
WEAK = 0.25


def meaning(cos: float | None, known: float = 1.0) -> float:
    """Cosine to 0..1; ``known`` is the share of the query's words the index holds."""
    if cos is None:
        return 0.0
    low = COS_NONE + UNKNOWN_WORDS * (1.0 - min(1.0, max(0.0, known)))
    return min(1.0, max(0.0, (cos - low) / (COS_FULL - low)))


def idf(doc_freq: int, n_docs: int) -> float:
    """bm25's idf, floored at a small positive weight so that every word counts a little."""
    return max(0.05, math.log(1 + (n_docs - doc_freq + 0.5) / (doc_freq + 0.5)))


def words(found: Iterable[str], weights: Mapping[str, float]) -> float:
    """The share of the query's words (``weights``: word -> idf) that are among ``found``,
    weighted by idf."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    got = set(found)
    return sum(w for t, w in weights.items() if t in got) / total


def strength(cos: float | None, word_share: float, mode: str, known: float = 1.0) -> float:
    """One 0..1 figure for a passage: the evidence the mode looks at, the better of two in hybrid."""
    if mode == "semantic":
        return meaning(cos, known)
    if mode == "keyword":
        return word_share
    return max(meaning(cos, known), word_share)
