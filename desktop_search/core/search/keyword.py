"""The keyword leg: FTS5 bm25 over passages, with a bound on how many rows it ranks.

FTS5 scores every row a MATCH yields before ``ORDER BY rank LIMIT n`` keeps n of them,
and each score costs a docsize lookup (about 3 µs on these cores). An OR of common words
at 100,000 passages yields 50,000 rows, so filling a few top places took 150-200 ms, and
a paragraph-long query ORs a hundred words. Counting a word's rows, by contrast, is cheap
up to the budget, so the leg plans from per-word passage counts (a word past the budget is
only counted that far and its total estimated, see ``DocFreqs``):

* if the words' rows fit the budget, bm25 ranks the plain OR of every word (what bm25s does);
* otherwise bm25 ranks the OR of the rarest words that fit the budget: a word in a large
  share of passages has little bm25 weight anyway (rescoring the candidates with every
  word, a rowid lookup per candidate and word, cost 2-3 ms a candidate at 100k passages);
* if even the rarest word is over the budget, only passages holding all the words are
  ranked, at most the newest ``budget`` of them.

Quoted phrases are matched as FTS5 phrases and score with the words.

The rows ranked are blocks (a passage joined with its next neighbour, see
``store.schema.create_blocks``); a block's score goes to its first passage that holds the
words (``to_passages``). An index whose writer has not made blocks yet is ranked by passage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from sqlite3 import Connection

from desktop_search.core.store.schema import BLOCKS

PASSAGES = "passages_fts"

RANK_BUDGET = 15_000
"""Most rows bm25 ranks per query. At 100k passages it keeps the keyword leg near 40 ms
(benchmarks/bench_query.py); an index under 15k passages is never affected."""


def quote(term: str) -> str:
    """An FTS5 string literal: the user's word can never be read as query syntax."""
    return '"' + term.replace('"', '""') + '"'


def any_of(units: Sequence[str]) -> str:
    return " OR ".join(quote(u) for u in units)


@dataclass(frozen=True)
class Plan:
    """What to rank: the rows of ``match``, at most the newest ``cap`` of them if set."""

    match: str
    cap: int | None = None


def plan_match(
    units: Sequence[str], doc_freq: Mapping[str, int], budget: int, rows: int | None = None
) -> Plan | None:
    """The plan for ``units`` (words, or phrases as space-joined words), given their counts.

    ``rows``: how many rows the table has, if known; an OR never yields more, so a table
    within the budget is always ranked in full (a paragraph-long query over a small index
    sums past the budget although it cannot rank more rows than the index holds). Units in
    no passage are dropped. None when no unit is in the index.
    """
    present = [u for u in dict.fromkeys(units) if doc_freq.get(u, 0) > 0]
    if not present:
        return None
    full = any_of(present)
    if min(sum(doc_freq[u] for u in present), rows or budget + 1) <= budget:
        return Plan(full)
    kept, total = [], 0
    for u in sorted(present, key=lambda u: doc_freq[u]):
        if total + doc_freq[u] > budget:
            break
        kept.append(u)
        total += doc_freq[u]
    if kept:
        return Plan(any_of(kept))
    return Plan(" AND ".join(quote(u) for u in present), cap=budget)


class DocFreqs:
    """Passages per word, cached until the index's generation changes.

    A count is exact up to ``cap`` rows (pass the rank budget + 1: the plan only asks
    whether words fit the budget). Past it the count stops, and the total is estimated
    from how far into the passage ids the first ``cap`` rows reach (FTS5 yields them in id
    order): a word in 400,000 of a million passages cost 10-70 ms to count in full, for
    an idf that is near its floor anyway.
    """

    def __init__(self, fts: str = PASSAGES) -> None:
        self.fts = fts
        self._generation: int | None = None
        self._counts: dict[str, tuple[int, int]] = {}  # word -> (count, cap it was read with)
        self._total: int | None = None
        self._span: tuple[int, int] | None = None

    def _check(self, generation: int) -> None:
        if generation != self._generation:
            self._generation, self._counts = generation, {}
            self._total = self._span = None

    def total(self, conn: Connection, generation: int) -> int:
        """Passages in the index."""
        self._check(generation)
        if self._total is None:
            self._total = conn.execute("SELECT count(*) FROM passages").fetchone()[0]
        return self._total

    def get(
        self, conn: Connection, generation: int, units: Sequence[str], cap: int = 10**12
    ) -> dict[str, int]:
        self._check(generation)
        for u in units:
            known = self._counts.get(u)
            if known is None or (known[0] >= known[1] and cap > known[1]):
                self._counts[u] = (self._count(conn, u, cap), cap)
        return {u: self._counts[u][0] for u in units}

    def _count(self, conn: Connection, unit: str, cap: int) -> int:
        n, last = conn.execute(
            f"SELECT count(*), max(rowid) FROM (SELECT rowid FROM {self.fts}"
            f" WHERE {self.fts} MATCH ? LIMIT ?)",
            [quote(unit), cap],
        ).fetchone()
        if n < cap:
            return n
        if self._span is None:
            self._span = conn.execute("SELECT min(id), max(id) FROM passages").fetchone()
        first, top = self._span
        return max(n, round(n * (top - first + 1) / (last - first + 1)))


def table(conn: Connection) -> str:
    """The FTS5 table the leg ranks: blocks, or passages in an index without blocks yet."""
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [BLOCKS]).fetchone()
    return BLOCKS if found else PASSAGES


def run(
    conn: Connection,
    plan: Plan,
    limit: int,
    where: tuple[str, list] | None = None,
    fts: str = PASSAGES,
) -> list[tuple[int, float]]:
    """(passage id, bm25 score; higher is better) for the best ``limit`` rows of ``plan``."""
    return ranked(conn, plan.match, limit, where, cap=plan.cap, fts=fts)


def ranked(
    conn: Connection,
    match: str,
    limit: int,
    where: tuple[str, list] | None = None,
    cap: int | None = None,
    fts: str = PASSAGES,
) -> list[tuple[int, float]]:
    """(passage id, bm25 score; higher is better) for the best ``limit`` rows of ``match``
    in the FTS5 table ``fts`` (whose rowids are passage ids).

    ``where`` filters over ``files f``. With ``cap``, only the newest ``cap`` matching rows
    are ranked: a hard bound for a plan whose intersection is still large.
    """
    if where is not None:
        sql, args = (
            f"SELECT {fts}.rowid AS id, {fts}.rank AS rank FROM {fts}"
            f" JOIN passages p ON p.id = {fts}.rowid JOIN files f ON f.id = p.file_id"
            f" WHERE {fts} MATCH ? AND {where[0]}",
            [match, *where[1]],
        )
    else:  # FTS5 alone: no join for every matching row
        sql, args = f"SELECT rowid AS id, rank FROM {fts} WHERE {fts} MATCH ?", [match]
    if cap is not None:
        sql = f"SELECT id, rank FROM ({sql} ORDER BY id DESC LIMIT ?)"
        args.append(cap)
    rows = conn.execute(f"{sql} ORDER BY rank LIMIT ?", [*args, limit]).fetchall()
    return [(int(r[0]), -float(r[1])) for r in rows]


def to_passages(
    conn: Connection, match: str, hits: list[tuple[int, float]]
) -> list[tuple[int, float]]:
    """Block hits given to passages: each block's score to its first passage if ``match``
    finds that passage alone, else to its second.

    A block is a passage and its next neighbour on the same page. So a passage shown for
    its words holds them, and each block counts once (a file ranked by its best two
    passages must not count one block twice). A passage named by two blocks keeps the
    better score. Order: best first.
    """
    if not hits:
        return []
    ids = sorted({i for i, _ in hits} | {i + 1 for i, _ in hits})
    place: dict[int, tuple[int, int | None]] = {}
    for part in range(0, len(ids), 500):
        chunk = ids[part : part + 500]
        marks = ",".join("?" * len(chunk))
        for i, f, page in conn.execute(
            f"SELECT id, file_id, page FROM passages WHERE id IN ({marks})", chunk
        ):
            place[i] = (f, page)
    # Every matching passage in the hits' id range, unranked: one pass over the doclists
    # (``rowid IN (...)`` would run the whole MATCH once per id: 250 ms for 1,000 hits).
    matching = {
        r[0]
        for r in conn.execute(
            f"SELECT rowid FROM {PASSAGES} WHERE {PASSAGES} MATCH ? AND rowid BETWEEN ? AND ?",
            [match, ids[0], ids[-1]],
        )
    }
    out: dict[int, float] = {}
    for i, score in hits:
        joined = place.get(i + 1) == place.get(i)
        m = i + 1 if i not in matching and joined and i + 1 in matching else i
        out[m] = max(out.get(m, float("-inf")), score)
    return sorted(out.items(), key=lambda kv: (-kv[1], kv[0]))


def files_matching(conn: Connection, unit: str) -> set[int]:
    """Ids of files with a passage that holds ``unit`` (a word or a phrase)."""
    rows = conn.execute(
        "SELECT DISTINCT p.file_id FROM passages_fts JOIN passages p ON p.id = passages_fts.rowid"
        " WHERE passages_fts MATCH ?",
        [quote(unit)],
    ).fetchall()
    return {int(r[0]) for r in rows}
