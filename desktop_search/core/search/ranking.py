"""Stages 3 and 4 of a query: fuse the legs and order files; choose each file's passages.

Files are what people see, so the legs are fused per file (see ``fusion``). In keyword
mode a file is ranked by its keyword evidence, in semantic mode by its best cosine.
"""

from __future__ import annotations

from collections.abc import Callable

from . import rerank
from .candidates import Candidates
from .fusion import SECOND, alpha_for, by_best, fuse, keep_keyword_places, lead_with_words
from .query import Query

FLOOR_POOL = 20
"""Semantic passages needed before the pool's lowest cosine is the fusion's floor."""


def order_files(
    q: Query, mode: str, c: Candidates
) -> tuple[list[tuple[int, float]], dict[int, float]]:
    """(files best first, each passage's ranking score) for the mode."""
    file_of = c.file_of()
    if mode == "hybrid":
        # the semantic pool's lowest cosine (see ``fusion``); a pool of a few passages
        # (a tiny index) shows no spread of unrelated text, so 0 stays the floor there
        floor = min(s for _, s in c.sem) if len(c.sem) >= FLOOR_POOL else 0.0
        alpha = alpha_for(c.coverage, q.pasted)
        files, passages = fuse(c.cos, dict(c.kw), file_of, alpha, floor)
        waiting = {file_of[i] for i, _ in c.kw if i not in c.cos}  # not embedded yet
        if waiting:
            files = keep_keyword_places(files, by_words(c, file_of), waiting)
        return files, passages
    if mode == "keyword":
        return by_words(c, file_of), dict(c.kw)
    return by_best(dict(c.sem), file_of), dict(c.sem)


def by_words(c: Candidates, file_of: dict[int, int]) -> list[tuple[int, float]]:
    """Files by their keyword evidence: the best block plus a share of one apart from it."""
    spans = {i: (c.rows[i]["page"], c.rows[i]["start"], c.rows[i]["end"]) for i, _ in c.kw}
    return by_best(dict(c.kw), file_of, SECOND, spans)


def rescore(encoder, q: Query, mode: str, c: Candidates) -> None:
    """Optional, before ordering: replace the cosines of the top candidates by their
    sentence-level max-sim (see ``rerank``)."""
    _, passages = order_files(q, mode, c)
    top = sorted((i for i in passages if i in c.cos), key=lambda i: -passages[i])
    top = top[: rerank.TOP]
    scores = rerank.max_sim(
        encoder, c.qvec[0], [c.rows[i]["text"] for i in top], [c.cos[i] for i in top]
    )
    c.cos.update(zip(top, scores))
    if mode == "semantic":
        c.sem = sorted(c.cos.items(), key=lambda r: (-r[1], r[0]))


def lead_passages(
    mode: str,
    c: Candidates,
    files: list[tuple[int, float]],
    passages: dict[int, float],
    held: Callable[[int], float],
) -> list[list[int]]:
    """Each file's passages, the one to show first leading: by ranking score, except that
    in hybrid mode a passage holding the query's words may lead (see ``lead_with_words``)."""
    by_file: dict[int, list[int]] = {}
    for pid in sorted(passages, key=lambda i: (-passages[i], i)):
        by_file.setdefault(c.rows[pid]["file_id"], []).append(pid)
    kw = {i for i, _ in c.kw}
    leads = []
    for fid, _ in files:
        members = by_file[fid]
        leads.append(lead_with_words(members, kw, held) if mode == "hybrid" else members)
    return leads
