"""File level: exact copies (same content hash) and containment from passage pairs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .constants import DEFAULT_MIN_CONTAINMENT
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


@dataclass(frozen=True)
class FileMatch:
    file_a: int  # the more contained of the two
    file_b: int
    a_in_b: float  # share of A's text with a near-duplicate in B
    b_in_a: float
    n_pairs: int
    mean_cosine: float

    @property
    def score(self) -> float:
        return max(self.a_in_b, self.b_in_a)


def _union_length(starts: np.ndarray, ends: np.ndarray) -> int:
    """Length of the union of [start, end) intervals."""
    if len(starts) == 0:
        return 0
    if len(starts) == 1:
        return int(ends[0]) - int(starts[0])
    order = np.argsort(starts, kind="stable")
    s, e = starts[order], ends[order]
    total, cur_s, cur_e = 0, int(s[0]), int(e[0])
    for a, b in zip(s[1:].tolist(), e[1:].tolist()):
        if a > cur_e:
            total += cur_e - cur_s
            cur_s, cur_e = a, b
        elif b > cur_e:
            cur_e = b
    return total + cur_e - cur_s


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
            total[int(table.file_ids[chunk[0]])] = _union_length(starts[chunk], ends[chunk])
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
        return min(1.0, _union_length(starts[idx], ends[idx]) / total[f])

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
