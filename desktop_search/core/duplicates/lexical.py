"""Word-level measures of how two texts share their words (pure functions).

Why words and not characters: an edited copy keeps most words in their order, a
reordered copy keeps its word runs (shingles) but not their order, and a paraphrase keeps
neither. Three cheap measures tell these apart:

* ``in_order``: the longest common subsequence of the two word lists (rapidfuzz's
  bit-parallel ``LCSseq``, exact and in C++; difflib is quadratic and pure Python, and a
  MinHash estimate (datasketch) of set Jaccard cannot see order at all);
* ``shingle_share``: the share of one text's k-word shingles found in the other (exact
  sets of hashes: the two texts of a candidate pair are already known, so no
  locality-sensitive hashing is needed to find them);
* the word sets, for the pair judge.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz.distance import LCSseq

_WORD = re.compile(r"\w+")
SHINGLE = 4  # words per shingle: 3 is too common in English prose ("the number of")
#: Word lists longer than this product are compared by shingles only (LCS cost grows as n*m/64).
MAX_LCS_CELLS = 4_000_000_000


def words(text: str) -> list[str]:
    """Lowercased word tokens (letters, digits, underscore; any script)."""
    return _WORD.findall(text.lower())


def shingles(tokens: Sequence[str], k: int = SHINGLE) -> set[int]:
    """Hashes of the k-word runs (a text shorter than k is one shingle)."""
    if len(tokens) < k:
        return {hash(tuple(tokens))} if tokens else set()
    return {hash(tuple(tokens[i : i + k])) for i in range(len(tokens) - k + 1)}


def shingle_share(mine: set[int], other: set[int]) -> float:
    """Share of ``mine`` that is also in ``other`` (0 when ``mine`` is empty)."""
    if not mine:
        return 0.0
    return len(mine & other) / len(mine)


def common_in_order(a: Sequence[str], b: Sequence[str]) -> int | None:
    """Length of the longest common word subsequence; None when too long to compute."""
    if not a or not b:
        return 0
    if len(a) * len(b) > MAX_LCS_CELLS:
        return None
    return int(LCSseq.similarity(a, b))


def in_order(a: Sequence[str], b: Sequence[str]) -> float:
    """Words the two share in the same order, over the longer one's length (0..1)."""
    n = max(len(a), len(b))
    lcs = common_in_order(a, b)
    return 0.0 if not n or lcs is None else lcs / n
