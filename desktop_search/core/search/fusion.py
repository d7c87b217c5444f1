"""Fusing the two legs: pure functions over plain scores.

People see files, so files are ranked by fusing, for each file, the best evidence each leg
has for it: its best cosine and its best bm25, even when they come from different passages.
Fusing passages first and grouping afterwards splits a file's evidence: a file whose best
passages sit at the top of both legs could lose to one with a single passage high in each.

The fusion is a convex combination of the legs' scores, each scaled between a floor and
the best score of this query (Bruch, Gai and Ingber 2023, "An analysis of fusion functions
for hybrid retrieval": it beats reciprocal rank fusion when the weight favours the stronger
leg). bm25's floor is its theoretical minimum, 0. Cosines of unrelated text sit well above
0, so theirs is the lowest cosine of the semantic leg's pool (a fixed number of passages,
whatever ``k``): scaled from 0, the top files' cosines all land near 1 and a weak keyword
match reorders them; scaled from the pool's floor they keep their spread (on the question
benchmark, +0.01 to +0.03 MRR@10 per corpus). The weight is set per query by how much of the query the
keyword leg's best match covers (``alpha_for``), except for pasted text, which gives both
legs equal weight. Reciprocal rank fusion
treats the two legs as equals, so a weak keyword leg on a paraphrased question pulls good
semantic results down; on our question benchmark it scored below semantic search alone.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping

ALPHA = 0.8
"""The default weight of meaning (cosine) against words (bm25)."""
ALPHA_WORDS, ALPHA_MEANING = 0.5, 0.9
"""The weight's range, set per query by ``alpha_for``."""
ALPHA_PASTED = 0.5
"""The weight for pasted text (a paragraph whose source a person wants to find)."""
LEAD_SHARE = 0.5
"""Share of the query's words (by idf) a passage must hold to lead its file in hybrid mode
when the best fused passage holds none (see ``lead_with_words``)."""


def alpha_for(coverage: float, pasted: bool = False) -> float:
    """The weight of meaning for a query whose best keyword match holds ``coverage`` (0..1,
    idf-weighted) of its words: a keyword leg that matched the whole query ("socket
    timeout") is trusted more; one that matched a word or two of a paraphrased question is
    mostly noise. On our benchmarks this beat any fixed weight on headings (+0.03 MRR@10)
    and on natural questions over PDFs, and cost little elsewhere.

    Pasted text is the exception: no passage holds all of a paragraph taken from elsewhere,
    so its coverage is low even when bm25 finds the source, and both legs carry strong
    evidence (many words; a whole text to embed). Equal weights, as reciprocal rank fusion
    gives them, scored 0.916 MRR@10 on pasted paragraphs against 0.883 by coverage (0.5 to
    0.6 all score within 0.002)."""
    if pasted:
        return ALPHA_PASTED
    coverage = min(1.0, max(0.0, coverage))
    return ALPHA_MEANING - (ALPHA_MEANING - ALPHA_WORDS) * coverage


def scaled(scores: Mapping[Hashable, float], floor: float = 0.0) -> dict[Hashable, float]:
    """Scores mapped from [floor, best] to [0, 1] (scores below the floor count as 0)."""
    top = max(scores.values(), default=floor)
    if top <= floor:
        return dict.fromkeys(scores, 0.0)
    return {i: max(0.0, s - floor) / (top - floor) for i, s in scores.items()}


def fuse(
    cos: Mapping[Hashable, float],
    bm25: Mapping[Hashable, float],
    file_of: Mapping[Hashable, Hashable],
    alpha: float = ALPHA,
    floor: float = 0.0,
) -> tuple[list[tuple[Hashable, float]], dict[Hashable, float]]:
    """(files best first with their fused score, each passage's fused score).

    A file's score fuses the best scaled cosine and the best scaled bm25 of its passages;
    a passage's score fuses its own two. ``floor``: the cosine that scales to 0.
    """
    c, b = scaled(cos, floor), scaled(bm25)
    passages = {i: alpha * c.get(i, 0.0) + (1 - alpha) * b.get(i, 0.0) for i in file_of}
    best_c: dict[Hashable, float] = {}
    best_b: dict[Hashable, float] = {}
    for i, f in file_of.items():
        best_c[f] = max(best_c.get(f, 0.0), c.get(i, 0.0))
        best_b[f] = max(best_b.get(f, 0.0), b.get(i, 0.0))
    files = {f: alpha * best_c[f] + (1 - alpha) * best_b[f] for f in best_c}
    return sorted(files.items(), key=lambda kv: (-kv[1], str(kv[0]))), passages


SECOND = 0.1
"""Keyword mode: the weight of a file's best block apart from its best one (``by_best``)."""

Span = tuple[int | None, int, int]
"""Where a passage lies: (page, start, end) in its file's text."""


def apart(a: Span, b: Span) -> bool:
    """Whether the keyword blocks of two passages can share no text: a block is a passage
    and the next one on its page, so at most twice a passage's length."""
    if a[0] != b[0]:
        return True
    return a[1] >= 2 * b[2] - b[1] or b[1] >= 2 * a[2] - a[1]


def by_best(
    scores: Mapping[Hashable, float],
    file_of: Mapping[Hashable, Hashable],
    second: float = 0.0,
    spans: Mapping[Hashable, Span] | None = None,
) -> list[tuple[Hashable, float]]:
    """One leg alone: files by their best passage's score, plus ``second`` times their next
    best that lies ``apart`` from it (when ``spans`` are given). bm25 evidence adds up (a
    file that answers in two places has more of the query's words than one passage shows);
    cosines do not, so semantic mode uses 0. Overlapping blocks hold the same words, so
    counting a neighbour would reward a file for its passage overlap: with any second-best
    block, keyword MRR@10 fell by 0.005 to 0.017 on four of our five query sets; with one
    apart, it rose by 0.007 to 0.029 on four and fell 0.007 on the PDFs."""
    per_file: dict[Hashable, list[tuple[float, Hashable]]] = {}
    for i, s in scores.items():
        per_file.setdefault(file_of[i], []).append((s, i))
    files = {}
    for f, values in per_file.items():
        values.sort(key=lambda v: -v[0])
        best, first = values[0]
        others = (s for s, i in values[1:] if spans is None or apart(spans[first], spans[i]))
        files[f] = best + second * next(others, 0.0) if second else best
    return sorted(files.items(), key=lambda kv: (-kv[1], str(kv[0])))


def keep_keyword_places(
    fused: list[tuple[Hashable, float]],
    keyword: list[tuple[Hashable, float]],
    waiting: set[Hashable],
) -> list[tuple[Hashable, float]]:
    """Files still waiting for their vectors keep at least the place that their keyword
    evidence alone gives them.

    Such a file has no cosine yet, so fusion alone would sink it below files that merely
    have one; while indexing catches up, hybrid search must not hide what keyword search
    finds.
    """
    if not waiting:
        return fused
    kw_place = {f: i for i, (f, _) in enumerate(keyword)}
    limit = {f: min(i, kw_place.get(f, i)) for i, (f, _) in enumerate(fused) if f in waiting}
    late = sorted((x for x in fused if x[0] in waiting), key=lambda x: (limit[x[0]], str(x[0])))
    rest = [x for x in fused if x[0] not in waiting]
    out: list[tuple[Hashable, float]] = []
    while late or rest:
        if late and (not rest or limit[late[0][0]] <= len(out)):
            out.append(late.pop(0))
        else:
            out.append(rest.pop(0))
    return out


def lead_with_words(
    members: list[int], worded: set[int], share: Callable[[int], float]
) -> list[int]:
    """A file's passages (``members``, best fused first), led by the one holding the query's
    words when those words weigh in the file's rank but its best fused passage lacks them: a
    snippet without the word a person typed looks like a wrong result. The passage closest
    in meaning comes next. ``worded``: the passages the keyword leg found; ``share``: the
    idf-weighted share of the query's words a passage holds.

    The words weigh in when a passage of the file holds at least ``LEAD_SHARE`` of the
    query: a paraphrased question whose keyword rows hold one common word of it keeps the
    passage that answers it in front."""
    if members[0] in worded:
        return members
    have = [p for p in members if p in worded]
    if not have:
        return members
    best = max(have, key=share)  # the first of equals: the best fused
    if share(best) < LEAD_SHARE or share(members[0]) >= share(best):
        return members
    return [best, *(p for p in members if p != best)]
