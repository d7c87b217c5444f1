"""File level: identical files (same content hash) and candidate pairs from passage pairs.

Identical files are grouped by hash without listing their pairs: N copies of a LICENSE
cost O(N), not N*(N-1)/2 pairs. Candidates for the other kinds are file pairs where a
large share of one file has near neighbours (cosine) in the other; ``kinds.classify_files``
then decides whether they are duplicates at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .constants import DEFAULT_MIN_CONTAINMENT
from .kinds import union_length
from .pairs import Pairs, PassageTable, _in_sorted


def exact_file_groups(file_ids, hashes) -> list[np.ndarray]:
    """Groups (size >= 2) of file ids that share a content hash; None hashes never match."""
    by_hash: dict[str, list[int]] = {}
    for fid, h in zip(np.asarray(file_ids).tolist(), list(hashes)):
        if h:
            by_hash.setdefault(h, []).append(int(fid))
    groups = [np.array(sorted(v), dtype=np.int64) for v in by_hash.values() if len(v) > 1]
    groups.sort(key=lambda g: (-len(g), int(g[0])))
    return groups


def identical_groups(ids: list[int], ignored: set[tuple[int, int]]) -> list[list[int]]:
    """Groups of files with one content hash, minus pairs the user ignored.

    The components of the complete graph on ``ids`` without the ``ignored`` edges, found
    in O(N + E) by a search over the complement (each visit either removes a node from the
    unvisited set or is charged to an ignored edge). Only groups of 2 or more are returned.
    """
    ids = sorted(set(ids))
    inside = set(ids)
    adj: dict[int, set[int]] = {}
    for x, y in ignored:
        if x in inside and y in inside:
            adj.setdefault(x, set()).add(y)
            adj.setdefault(y, set()).add(x)
    if not adj:
        return [ids] if len(ids) > 1 else []
    unvisited = set(ids)
    groups = []
    while unvisited:
        start = min(unvisited)
        unvisited.discard(start)
        stack, comp = [start], [start]
        while stack:
            u = stack.pop()
            blocked = adj.get(u, set())
            reached = unvisited - blocked
            unvisited &= blocked
            stack += reached
            comp += reached
        if len(comp) > 1:
            groups.append(sorted(comp))
    return groups


@dataclass(frozen=True)
class FileMatch:
    """A candidate file pair: shares of each file with a near neighbour (cosine) in the other."""

    file_a: int  # the more contained of the two
    file_b: int
    a_in_b: float  # share of A's text with a near-duplicate in B
    b_in_a: float
    n_pairs: int
    mean_cosine: float

    @property
    def score(self) -> float:
        return max(self.a_in_b, self.b_in_a)


def file_containment(
    pairs: Pairs, table: PassageTable, min_containment: float = DEFAULT_MIN_CONTAINMENT
) -> list[FileMatch]:
    """File pairs scored by containment in both directions, from passage pairs.

    containment(A in B) = |union of spans of A's passages paired with a passage of B| /
    |union of spans of all A's passages| (characters; overlapping chunks count once; a
    passage without a span counts as one unit). Pairs within one file are ignored.
    Returns matches where either direction >= min_containment, best first.
    """
    if len(pairs) == 0:
        return []
    pa, fa = table.positions(pairs.a)
    pb, fb = table.positions(pairs.b)
    keep = fa & fb & (table.file_ids[pa] != table.file_ids[pb])
    pa, pb, sc = pa[keep], pb[keep], pairs.score[keep]
    if len(pa) == 0:
        return []
    file_a, file_b = table.file_ids[pa], table.file_ids[pb]
    spans_ok = table.ends > table.starts
    starts = np.where(spans_ok, table.starts, np.arange(len(table)) * 2)
    ends = np.where(spans_ok, table.ends, np.arange(len(table)) * 2 + 1)
    # Total text per file: only for files that appear in a pair.
    involved = np.unique(np.concatenate([file_a, file_b]))
    in_involved = _in_sorted(table.file_ids, involved)
    total: dict[int, int] = {}
    sel = np.nonzero(in_involved)[0]
    order = sel[np.argsort(table.file_ids[sel], kind="stable")]
    fids = table.file_ids[order]
    bounds = np.nonzero(np.diff(fids))[0] + 1
    for chunk in np.split(order, bounds):
        if len(chunk):
            total[int(table.file_ids[chunk[0]])] = union_length(starts[chunk], ends[chunk])
    # Covered passages per (file, other file): both directions of every pair.
    lo = np.minimum(file_a, file_b)
    hi = np.maximum(file_a, file_b)
    covered: dict[tuple[int, int], set[int]] = {}
    stats: dict[tuple[int, int], list[float]] = {}
    for x, y, px, py, s, f_lo, f_hi in zip(
        file_a.tolist(),
        file_b.tolist(),
        pa.tolist(),
        pb.tolist(),
        sc.tolist(),
        lo.tolist(),
        hi.tolist(),
    ):
        covered.setdefault((x, y), set()).add(px)
        covered.setdefault((y, x), set()).add(py)
        st = stats.setdefault((f_lo, f_hi), [0, 0.0])
        st[0] += 1
        st[1] += s

    def share(f: int, other: int) -> float:
        cov = covered.get((f, other))
        if not cov or not total.get(f):
            return 0.0
        if len(cov) == 1:
            (i,) = cov
            return min(1.0, (int(ends[i]) - int(starts[i])) / total[f])
        idx = np.fromiter(cov, dtype=np.int64, count=len(cov))
        return min(1.0, union_length(starts[idx], ends[idx]) / total[f])

    out = []
    for (f_lo, f_hi), (n, ssum) in stats.items():
        lo_in_hi, hi_in_lo = share(f_lo, f_hi), share(f_hi, f_lo)
        if max(lo_in_hi, hi_in_lo) < min_containment:
            continue
        if hi_in_lo > lo_in_hi:
            out.append(FileMatch(f_hi, f_lo, hi_in_lo, lo_in_hi, n, ssum / n))
        else:
            out.append(FileMatch(f_lo, f_hi, lo_in_hi, hi_in_lo, n, ssum / n))
    out.sort(key=lambda m: (-m.score, -min(m.a_in_b, m.b_in_a), m.file_a, m.file_b))
    return out
