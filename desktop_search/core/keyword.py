"""The keyword leg: FTS5 bm25 over passages, with a bound on how many rows it ranks.

FTS5 scores every row a MATCH yields before ``ORDER BY rank LIMIT n`` keeps n of them,
and each score costs a docsize lookup (about 3 µs on these cores). An OR of common words
at 100,000 passages yields 50,000 rows, so filling a few top places took 150-200 ms.
Counting a word's rows, by contrast, is cheap. So the leg plans its MATCH from
per-word passage counts: words that fit the budget are ranked, words in a large share of
passages (low IDF in bm25, so they decide few top places) are left out of the match.
Keyword mode asks for every word first and uses the plan only when no passage has them all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from sqlite3 import Connection

RANK_BUDGET = 15_000
"""Most rows bm25 ranks per query. At 100k passages it keeps the keyword leg near 40 ms
and 96% of the unbounded top 10 (benchmarks/bench_query.py); an index under 15k passages
is never affected."""


def quote(term: str) -> str:
    """An FTS5 string literal: the user's word can never be read as query syntax."""
    return '"' + term.replace('"', '""') + '"'


def plan_match(terms: Sequence[str], doc_freq: Mapping[str, int], budget: int) -> str | None:
    """The MATCH expression to rank, given how many passages hold each word.

    The rarest words are kept while their passages fit ``budget``; if even the rarest word
    is over it, every word must appear (the intersection of common words is small and is
    exactly what such a query means). Words in no passage are dropped, so they cannot empty
    the intersection. None when no word is in the index.
    """
    present = [t for t in dict.fromkeys(terms) if doc_freq.get(t, 0) > 0]
    if not present:
        return None
    kept, total = [], 0
    for t in sorted(present, key=lambda t: doc_freq[t]):
        if total + doc_freq[t] > budget:
            break
        kept.append(t)
        total += doc_freq[t]
    if kept:
        return " OR ".join(quote(t) for t in kept)
    return " AND ".join(quote(t) for t in present)


class DocFreqs:
    """Passages per word, cached until the index's generation changes."""

    def __init__(self) -> None:
        self._generation: int | None = None
        self._counts: dict[str, int] = {}

    def get(self, conn: Connection, generation: int, terms: Sequence[str]) -> dict[str, int]:
        if generation != self._generation:
            self._generation, self._counts = generation, {}
        for t in terms:
            if t not in self._counts:
                self._counts[t] = conn.execute(
                    "SELECT count(*) FROM passages_fts WHERE passages_fts MATCH ?", [quote(t)]
                ).fetchone()[0]
        return {t: self._counts[t] for t in terms}


def ranked(
    conn: Connection,
    match: str,
    limit: int,
    where: tuple[str, list] | None = None,
    cap: int | None = None,
) -> list[tuple[int, float]]:
    """(passage id, bm25 score; higher is better) for the best ``limit`` rows of ``match``.

    ``where`` filters over ``files f``. With ``cap``, only the newest ``cap`` matching rows
    are ranked: a hard bound for a plan whose intersection is still large.
    """
    if where is not None:
        sql, args = (
            "SELECT passages_fts.rowid AS id, passages_fts.rank AS rank FROM passages_fts"
            " JOIN passages p ON p.id = passages_fts.rowid JOIN files f ON f.id = p.file_id"
            f" WHERE passages_fts MATCH ? AND {where[0]}",
            [match, *where[1]],
        )
    else:  # FTS5 alone: no join for every matching row
        sql, args = "SELECT rowid AS id, rank FROM passages_fts WHERE passages_fts MATCH ?", [match]
    if cap is not None:
        sql = f"SELECT id, rank FROM ({sql} ORDER BY id DESC LIMIT ?)"
        args.append(cap)
    rows = conn.execute(f"{sql} ORDER BY rank LIMIT ?", [*args, limit]).fetchall()
    return [(int(r[0]), -float(r[1])) for r in rows]
