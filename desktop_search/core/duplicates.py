"""Near-duplicate detection: exact copies, re-worded passages, and files that contain others.

The core is plain functions over id and vector arrays; ``DuplicateFinder`` at the bottom
feeds them from a ``Store`` and the live vector index.

How it works, and the rules it follows:

* **Exact files**: files with the same content hash (score 1.0).
* **Near-duplicate passages**: every passage asks the HNSW index for its k nearest
  neighbours; the pairs with cosine >= threshold are kept. When a passage's k-th neighbour
  is still above the threshold it asks again with a larger k (up to ``max_k``), so a
  passage with many copies keeps all its pairs. A pair is found if either side finds the
  other. No all-pairs matrix is ever formed (``brute_force_pairs`` is the reference).
* **Same-file rule**: two passages of one file whose character spans overlap, or that
  are neighbours in reading order (ord differs by 1), are never a pair: the chunker makes
  them share sentences. Byte-identical files count as one file here (chunk 3 of a copy
  pairs with chunk 3 of the original, not with chunks 2 and 4). Two passages of one file
  that are apart *can* be a pair (repeated boilerplate, a paragraph pasted twice); they
  are reported at passage level.
* **Groups**: pairs are grouped by community detection (as sentence-transformers'
  ``util.community_detection``: the passage with the most near-duplicates is a centre, its
  neighbours above the threshold its community, taken out greedily, largest first), so
  groups do not chain A~B~C~D into one blob. Passages left out of every community but
  paired with a grouped one join that group (``attach_leftovers``), so no pair is lost.
  Union-find connected components (``cluster_pairs``) are there too.
* **Near-duplicate files**: for two files A and B, containment(A in B) is the share of A's
  text (characters, overlapping chunks counted once) covered by passages that have a
  near-duplicate in B. A file pair is reported when either direction reaches
  ``min_containment``; its score is the larger direction. An edited copy scores high both
  ways; a document that embeds another scores 1.0 one way.
* **Ranking**: largest groups first, then closest (score), then path.
* **Ignore list** (``dup_store.IgnoreList``, in SQLite): ignored files leave every
  result; an ignored passage pair (by the two texts' hashes, so it survives re-indexing
  and renames) leaves passage results; an ignored file pair (by paths) leaves file results.
* **Incremental**: passage ids only grow (AUTOINCREMENT), so a full scan's pairs are
  cached in SQLite with the highest id scanned; a later scan at the same or a higher
  threshold only queries passages added since and drops pairs of removed passages.
  ``DuplicateFinder.check_file`` checks one file against the index on its own.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .ann import ANNIndex, HNSWIndex
from .store import Store

log = logging.getLogger(__name__)

#: Cosine threshold for a near-duplicate pair. Chosen from data: the F1-best threshold on
#: STS Benchmark train pairs (gold >= 4.0 duplicate, <= 2.0 not); see
#: benchmarks/results/duplicates_threshold.txt and benchmarks/bench_dup_threshold.py.
DEFAULT_THRESHOLD = 0.73
#: The lowest threshold the CLI and the panel accept (below it nearly everything pairs up).
MIN_THRESHOLD = 0.5
DEFAULT_K = 16
MAX_K = 128
DEFAULT_MIN_CONTAINMENT = 0.5
LEVELS = ("passage", "file")

Progress = Callable[[int, int, str], None]  # (done, total, phase)


class ScanCancelled(Exception):
    """The caller's cancel event was set."""


# -- pairs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Pairs:
    """Undirected scored pairs of ids: a < b, each pair once (the higher score kept)."""

    a: np.ndarray
    b: np.ndarray
    score: np.ndarray

    @staticmethod
    def empty() -> Pairs:
        return Pairs(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float32))

    @staticmethod
    def of(a, b, score) -> Pairs:
        """Canonical pairs from any (a, b, score): ordered, self-pairs and repeats dropped."""
        a = np.asarray(a, dtype=np.int64).ravel()
        b = np.asarray(b, dtype=np.int64).ravel()
        s = np.asarray(score, dtype=np.float32).ravel()
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        keep = lo != hi
        lo, hi, s = lo[keep], hi[keep], s[keep]
        if len(lo) == 0:
            return Pairs.empty()
        order = np.lexsort((-s, hi, lo))
        lo, hi, s = lo[order], hi[order], s[order]
        first = np.ones(len(lo), dtype=bool)
        first[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
        return Pairs(lo[first], hi[first], s[first])

    @staticmethod
    def concat(parts: Sequence[Pairs]) -> Pairs:
        parts = [p for p in parts if len(p)]
        if not parts:
            return Pairs.empty()
        return Pairs.of(
            np.concatenate([p.a for p in parts]),
            np.concatenate([p.b for p in parts]),
            np.concatenate([p.score for p in parts]),
        )

    def __len__(self) -> int:
        return len(self.a)

    def select(self, mask: np.ndarray) -> Pairs:
        return Pairs(self.a[mask], self.b[mask], self.score[mask])

    def above(self, threshold: float) -> Pairs:
        return self.select(self.score >= np.float32(threshold))

    def keys(self) -> set[tuple[int, int]]:
        return set(zip(self.a.tolist(), self.b.tolist()))


def _in_sorted(values: np.ndarray, sorted_ref: np.ndarray) -> np.ndarray:
    """Elementwise ``values in sorted_ref`` for a sorted 1-D reference (any shape of values)."""
    if len(sorted_ref) == 0:
        return np.zeros(values.shape, dtype=bool)
    pos = np.searchsorted(sorted_ref, values)
    pos[pos >= len(sorted_ref)] = 0
    return sorted_ref[pos] == values


# -- passage metadata and the same-file rule -----------------------------------------


@dataclass
class PassageTable:
    """Per-passage metadata, aligned arrays sorted by id.

    ``content_ids`` names a file's content: byte-identical files share one, so the
    same-file rule treats them as one text (defaults to ``file_ids``).
    """

    ids: np.ndarray
    file_ids: np.ndarray
    ords: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    content_ids: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.content_ids is None:
            self.content_ids = self.file_ids

    @staticmethod
    def of(ids, file_ids, ords=None, starts=None, ends=None, content_ids=None) -> PassageTable:
        ids = np.asarray(ids, dtype=np.int64)
        n = len(ids)
        ords = np.arange(n) if ords is None else ords
        starts = np.zeros(n) if starts is None else starts
        ends = np.zeros(n) if ends is None else ends
        order = np.argsort(ids, kind="stable")
        return PassageTable(
            ids[order],
            np.asarray(file_ids, dtype=np.int64)[order],
            np.asarray(ords, dtype=np.int64)[order],
            np.asarray(starts, dtype=np.int64)[order],
            np.asarray(ends, dtype=np.int64)[order],
            None if content_ids is None else np.asarray(content_ids, dtype=np.int64)[order],
        )

    def __len__(self) -> int:
        return len(self.ids)

    def positions(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(positions, found) of ``ids`` in the table."""
        ids = np.asarray(ids, dtype=np.int64)
        found = _in_sorted(ids, self.ids)
        pos = np.searchsorted(self.ids, ids)
        pos[~found] = 0
        return pos, found

    def subset(self, mask: np.ndarray) -> PassageTable:
        return PassageTable(self.ids[mask], self.file_ids[mask], self.ords[mask], self.starts[mask],
                            self.ends[mask], self.content_ids[mask])


def same_file_conflicts(pairs: Pairs, table: PassageTable) -> np.ndarray:
    """True where a pair is two overlapping or adjacent chunks of one text (never duplicates).

    "One text" is one file, or byte-identical copies of it: there, chunk 3 of the copy is
    a duplicate of chunk 3 of the original, but not of chunks 2 or 4, which it overlaps.
    """
    pa, _ = table.positions(pairs.a)
    pb, _ = table.positions(pairs.b)
    same = table.content_ids[pa] == table.content_ids[pb]
    adjacent = np.abs(table.ords[pa] - table.ords[pb]) <= 1
    overlap = (table.starts[pa] < table.ends[pb]) & (table.starts[pb] < table.ends[pa])
    twin = (table.file_ids[pa] != table.file_ids[pb]) & (table.ords[pa] == table.ords[pb])
    return same & (adjacent | overlap) & ~twin


def apply_same_file_rule(pairs: Pairs, table: PassageTable) -> Pairs:
    """Drop pairs of unknown passages and pairs of overlapping/adjacent chunks of one file."""
    if len(pairs) == 0:
        return pairs
    known = _in_sorted(pairs.a, table.ids) & _in_sorted(pairs.b, table.ids)
    pairs = pairs.select(known)
    return pairs.select(~same_file_conflicts(pairs, table))


# -- finding pairs ----------------------------------------------------------------------


def knn_query(index: ANNIndex, queries: np.ndarray, k: int, *, ef: int | None = None,
              threads: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(labels, cosines) of the k nearest neighbours of each query, best first.

    For ``HNSWIndex`` this runs hnswlib's batch query on ``threads`` threads with search
    width ``ef`` (at least k), under the index's lock; any other index uses ``search``.
    """
    queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
    k = min(int(k), index.count())
    if k <= 0 or len(queries) == 0:
        return np.empty((len(queries), 0), np.int64), np.empty((len(queries), 0), np.float32)
    if not isinstance(index, HNSWIndex):
        return index.search(queries, k)
    raw = index._index  # the batch query with several threads is not part of HNSWIndex.search
    threads = threads or index.threads
    width = max(ef or index.ef, k)
    with index._lock:
        try:
            while True:
                raw.set_ef(width)
                try:
                    labels, dists = raw.knn_query(queries, k=k, num_threads=threads)
                    break
                except RuntimeError:  # fewer than k reachable (many deleted items): widen, then shrink k
                    if width < 8 * max(k, 64):
                        width *= 2
                    elif k > 1:
                        k = max(1, k // 2)
                    else:
                        raise
        finally:
            raw.set_ef(index.ef)
    return labels.astype(np.int64), (1.0 - dists).astype(np.float32)


def near_duplicate_pairs(
    ids: np.ndarray,
    vectors: np.ndarray,
    index: ANNIndex,
    threshold: float = DEFAULT_THRESHOLD,
    k: int = DEFAULT_K,
    *,
    max_k: int = MAX_K,
    ef: int | None = None,
    threads: int | None = None,
    table: PassageTable | None = None,
    candidates: np.ndarray | None = None,
    batch: int = 2048,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> Pairs:
    """Pairs (query id, neighbour id) with cosine >= threshold, through the index's k-NN.

    ``ids``/``vectors`` are the queries (normally every indexed passage; for an incremental
    check, only the new ones). Neighbours come from everything in ``index``, limited to
    ``candidates`` when given, and the same-file rule is applied when ``table`` is given.
    """
    ids = np.asarray(ids, dtype=np.int64)
    vectors = np.asarray(vectors, dtype=np.float32)
    cand = None if candidates is None else np.unique(np.asarray(candidates, dtype=np.int64))
    total = len(ids)
    count = index.count()
    found_a, found_b, found_s = [], [], []
    for start in range(0, total, batch):
        if cancel is not None and cancel.is_set():
            raise ScanCancelled()
        q_ids = ids[start : start + batch]
        q_vecs = vectors[start : start + batch]
        rows = np.arange(len(q_ids))
        kk = min(k, max_k) + 1  # +1: a passage finds itself
        while len(rows):
            labels, scores = knn_query(index, q_vecs[rows], kk, ef=ef, threads=threads)
            if labels.shape[1] == 0:
                break
            mask = (scores >= np.float32(threshold)) & (labels != q_ids[rows, None]) & (labels >= 0)
            if cand is not None:
                mask &= _in_sorted(labels, cand)
            r, c = np.nonzero(mask)
            found_a.append(q_ids[rows[r]])
            found_b.append(labels[r, c])
            found_s.append(scores[r, c])
            # Rows whose last neighbour still clears the threshold may have more: ask again wider.
            if labels.shape[1] < kk or kk >= max_k + 1 or kk >= count:
                break
            rows = rows[scores[:, -1] >= np.float32(threshold)]
            kk = min(kk * 4, max_k + 1, count)
        if progress:
            progress(min(start + batch, total), total, "comparing")
    if not found_a:
        return Pairs.empty()
    pairs = Pairs.of(np.concatenate(found_a), np.concatenate(found_b), np.concatenate(found_s))
    if table is not None:
        pairs = apply_same_file_rule(pairs, table)
    return pairs


def brute_force_pairs(
    ids: np.ndarray,
    vectors: np.ndarray,
    threshold: float,
    *,
    block: int = 2048,
    table: PassageTable | None = None,
    progress: Progress | None = None,
) -> Pairs:
    """Every pair with cosine >= threshold, exactly (blocked matrix products): the reference."""
    ids = np.asarray(ids, dtype=np.int64)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n = len(ids)
    t = np.float32(threshold)
    out_a, out_b, out_s = [], [], []
    for start in range(0, n, block):
        stop = min(start + block, n)
        sims = vectors[start:stop] @ vectors[start:].T  # upper triangle only
        r, c = np.nonzero(sims >= t)
        keep = c > r  # c indexes from ``start``; r from ``start`` too: c > r is j > i
        r, c = r[keep], c[keep]
        out_a.append(ids[start + r])
        out_b.append(ids[start + c])
        out_s.append(sims[r, c])
        if progress:
            progress(stop, n, "exact")
    pairs = Pairs.of(np.concatenate(out_a), np.concatenate(out_b), np.concatenate(out_s)) if n else Pairs.empty()
    if table is not None:
        pairs = apply_same_file_rule(pairs, table)
    return pairs


# -- grouping ---------------------------------------------------------------------------


def cluster_pairs(a, b, nodes=None) -> list[np.ndarray]:
    """Connected components (union-find) of the graph of pairs; only those of size >= 2
    (plus singletons of ``nodes``, when given). Largest first, then by smallest id."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    parent: dict[int, int] = {}
    for x in (nodes if nodes is not None else []):
        parent.setdefault(int(x), int(x))

    def find(x: int) -> int:
        root = parent.setdefault(x, x)
        while parent[root] != root:
            parent[root] = parent[parent[root]]
            root = parent[root]
        return root

    for x, y in zip(a.tolist(), b.tolist()):
        rx, ry = find(x), find(y)
        if rx != ry:
            if rx < ry:
                parent[ry] = rx
            else:
                parent[rx] = ry
    comps: dict[int, list[int]] = {}
    for x in parent:
        comps.setdefault(find(x), []).append(x)
    out = [np.array(sorted(c), dtype=np.int64) for c in comps.values()]
    if nodes is None:
        out = [c for c in out if len(c) >= 2]
    out.sort(key=lambda c: (-len(c), int(c[0])))
    return out


@dataclass
class Community:
    centre: int
    members: np.ndarray  # centre first, then by score with the centre (best first)
    scores: np.ndarray  # cosine of each member with the centre (or, for an attached member, with its link)


def _adjacency(pairs: Pairs) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """CSR adjacency: (nodes sorted, offsets, neighbours, scores); neighbours best first."""
    src = np.concatenate([pairs.a, pairs.b])
    dst = np.concatenate([pairs.b, pairs.a])
    sc = np.concatenate([pairs.score, pairs.score])
    order = np.lexsort((dst, -sc, src))
    src, dst, sc = src[order], dst[order], sc[order]
    nodes, starts = np.unique(src, return_index=True)
    offsets = np.append(starts, len(src))
    return nodes, offsets, dst, sc


def communities_from_pairs(
    pairs: Pairs,
    min_size: int = 2,
    *,
    nodes: np.ndarray | None = None,
    attach_leftovers: bool = False,
    table: PassageTable | None = None,
) -> list[Community]:
    """Community detection over a sparse similarity graph.

    The same greedy rule as sentence-transformers' ``util.community_detection`` (6.x):
    each node's candidate community is itself plus its neighbours; candidates are taken
    largest first (ties in node order), skipping those whose centre is already taken and
    keeping the untaken members if they still number ``min_size``. ``nodes`` adds nodes
    without pairs (they matter only when min_size is 1). With ``attach_leftovers``, a
    node still ungrouped that is paired with a grouped node joins that node's community.
    With ``table``, a community never holds two passages that the same-file rule keeps
    apart (the better-scored one stays; the other is free for another group).
    """
    adj_nodes, offsets, dst, sc = _adjacency(pairs) if len(pairs) else (
        np.empty(0, np.int64), np.zeros(1, np.int64), np.empty(0, np.int64), np.empty(0, np.float32))
    all_nodes = adj_nodes if nodes is None else np.union1d(adj_nodes, np.asarray(nodes, dtype=np.int64))
    pos_in_adj = {int(n): i for i, n in enumerate(adj_nodes.tolist())}
    degree = np.zeros(len(all_nodes), dtype=np.int64)
    where = np.searchsorted(adj_nodes, all_nodes)
    has = _in_sorted(all_nodes, adj_nodes)
    degree[has] = (offsets[1:] - offsets[:-1])[where[has]]

    meta: dict[int, tuple[int, int, int, int, int]] = {}
    if table is not None and len(all_nodes):
        p, found = table.positions(all_nodes)
        for n, ok, c, f, o, st, en in zip(all_nodes.tolist(), found.tolist(), table.content_ids[p].tolist(),
                                          table.file_ids[p].tolist(), table.ords[p].tolist(),
                                          table.starts[p].tolist(), table.ends[p].tolist()):
            if ok:
                meta[n] = (c, f, o, st, en)

    def compatible(node: int, members: list[int]) -> bool:
        """False when ``node`` and a member are overlapping/adjacent chunks of one text."""
        mine = meta.get(node)
        if mine is None:
            return True
        c, f, o, st, en = mine
        for m in members:
            other = meta.get(m)
            if other is None or other[0] != c:
                continue
            _, f2, o2, st2, en2 = other
            if (abs(o - o2) <= 1 or (st < en2 and st2 < en)) and not (f != f2 and o == o2):
                return False
        return True

    # Largest first; np.argsort stable on -size keeps node order among equals.
    order = np.argsort(-(degree + 1), kind="stable")
    used: set[int] = set()
    out: list[Community] = []
    for i in order.tolist():
        size = int(degree[i]) + 1
        if size < min_size:
            break
        centre = int(all_nodes[i])
        if centre in used:
            continue
        members, scores = [centre], [1.0]
        j = pos_in_adj.get(centre)
        if j is not None:
            for nb, s in zip(dst[offsets[j] : offsets[j + 1]].tolist(), sc[offsets[j] : offsets[j + 1]].tolist()):
                if nb not in used and compatible(nb, members):
                    members.append(nb)
                    scores.append(s)
        if len(members) < min_size:
            continue
        out.append(Community(centre, np.asarray(members, np.int64), np.asarray(scores, np.float32)))
        used.update(members)
    if attach_leftovers and out:
        owner = {int(m): ci for ci, c in enumerate(out) for m in c.members.tolist()}
        grown = {ci: (c.members.tolist(), c.scores.tolist()) for ci, c in enumerate(out)}
        for node in adj_nodes.tolist():
            if node in owner:
                continue
            j = pos_in_adj[node]
            # Neighbours are best first: join the closest grouped one whose group has room.
            for nb, s in zip(dst[offsets[j] : offsets[j + 1]].tolist(), sc[offsets[j] : offsets[j + 1]].tolist()):
                ci = owner.get(nb)
                if ci is not None and compatible(node, grown[ci][0]):
                    grown[ci][0].append(node)
                    grown[ci][1].append(s)
                    owner[node] = ci
                    break
        out = [Community(c.centre, np.asarray(grown[ci][0], np.int64), np.asarray(grown[ci][1], np.float32))
               for ci, c in enumerate(out)]
    out.sort(key=lambda c: -len(c.members))
    return out


def community_detection(embeddings: np.ndarray, threshold: float = DEFAULT_THRESHOLD,
                        min_community_size: int = 2) -> list[list[int]]:
    """Drop-in for sentence-transformers' ``util.community_detection`` on a small matrix
    (exact pairs, then ``communities_from_pairs``): lists of row indexes, centre first."""
    emb = np.asarray(embeddings, dtype=np.float32)
    if emb.ndim == 1:
        emb = emb[None, :]
    n = len(emb)
    if n == 0 or n < min_community_size:
        return []
    norms = np.linalg.norm(emb, axis=1, keepdims=True)
    emb = emb / np.where(norms == 0, 1, norms)
    ids = np.arange(n, dtype=np.int64)
    pairs = brute_force_pairs(ids, emb, threshold)
    comms = communities_from_pairs(pairs, min_community_size, nodes=ids)
    return [c.members.tolist() for c in comms]


# -- files ------------------------------------------------------------------------------


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


def file_containment(pairs: Pairs, table: PassageTable,
                     min_containment: float = DEFAULT_MIN_CONTAINMENT) -> list[FileMatch]:
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
    for x, y, px, py, s, f_lo, f_hi in zip(file_a.tolist(), file_b.tolist(), pa.tolist(), pb.tolist(),
                                           sc.tolist(), lo.tolist(), hi.tolist()):
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


# -- results ----------------------------------------------------------------------------


@dataclass
class Member:
    path: str
    page: int | None = None
    start: int | None = None
    end: int | None = None
    text: str | None = None
    passage_id: int | None = None
    file_id: int | None = None
    text_hash: str | None = None
    score: float | None = None  # similarity with the group's first member (or its link)

    def as_json(self) -> dict:
        return {"path": self.path, "page": self.page, "start": self.start, "end": self.end, "text": self.text}


@dataclass
class Group:
    score: float
    members: list[Member]
    kind: str = "near"  # passage: "exact" / "near"; file: "same-file" / "contains" / "similar"
    detail: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"score": round(float(self.score), 4), "members": [m.as_json() for m in self.members]}


@dataclass
class Report:
    level: str
    threshold: float
    groups: list[Group]
    stats: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"level": self.level, "threshold": float(self.threshold),
                "groups": [g.as_json() for g in self.groups]}

    def to_csv(self) -> str:
        """One row per member: group number, group score and kind, then the member."""
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["group", "score", "kind", "size", "path", "page", "start", "end", "text"])
        for n, g in enumerate(self.groups, 1):
            for m in g.members:
                w.writerow([n, f"{g.score:.4f}", g.kind, len(g.members), m.path,
                            "" if m.page is None else m.page, "" if m.start is None else m.start,
                            "" if m.end is None else m.end, m.text or ""])
        return buf.getvalue()


def rank_groups(groups: list[Group]) -> list[Group]:
    """Largest first, then closest, then by first path (stable output)."""
    return sorted(groups, key=lambda g: (-len(g.members), -g.score, g.members[0].path if g.members else ""))


# -- the finder over a Store and the live index ---------------------------------------------


def _prefix_like(path: str) -> str:
    prefix = path.rstrip(os.sep) + os.sep
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class DuplicateFinder:
    """Scans one data directory: metadata from the store, neighbours from the live index.

    Use from one thread at a time (it owns no connection of its own: pass a store made in
    that thread). ``index`` is the engine's ``VectorSet.index`` (or any ANNIndex).
    """

    def __init__(self, store: Store, index: ANNIndex, model_id: str, *, k: int = DEFAULT_K,
                 max_k: int = MAX_K, ef: int | None = None, threads: int | None = None,
                 use_cache: bool = True) -> None:
        from .dup_store import IgnoreList, PairCache

        self.store = store
        self.index = index
        self.model_id = model_id
        self.k, self.max_k, self.ef, self.threads = k, max_k, ef, threads
        self.ignore = IgnoreList(store)
        self.cache = PairCache(store, model_id) if use_cache else None
        self.last_scan: dict = {}

    @classmethod
    def for_engine(cls, engine, **kw) -> DuplicateFinder:
        """A finder over an ``Engine``'s store and live index (brought level with SQLite first)."""
        if engine.store.generation() != engine.vectors.generation:
            engine.vectors.catch_up(engine.store)
        return cls(engine.store, engine.vectors.index, engine.encoder.model_id, **kw)

    # -- loading ---------------------------------------------------------------------

    def load_table(self) -> PassageTable:
        rows = self.store.conn.execute(
            'SELECT p.id, p.file_id, p.ord, p.start, p."end", coalesce(h.first_id, p.file_id)'
            " FROM passages p JOIN files f ON f.id = p.file_id"
            " LEFT JOIN (SELECT hash, min(id) AS first_id FROM files WHERE hash IS NOT NULL GROUP BY hash) h"
            " ON h.hash = f.hash ORDER BY p.id").fetchall()
        if not rows:
            z = np.empty(0, np.int64)
            return PassageTable(z, z, z, z, z)
        arr = np.array(rows, dtype=np.int64)
        return PassageTable(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3], arr[:, 4], arr[:, 5])

    def file_ids_under(self, folder: str | None) -> np.ndarray | None:
        if not folder:
            return None
        folder = os.path.abspath(os.path.expanduser(folder))
        rows = self.store.conn.execute(
            "SELECT id FROM files WHERE path = ? OR path LIKE ? ESCAPE '\\'", (folder, _prefix_like(folder))
        ).fetchall()
        return np.array(sorted(r[0] for r in rows), dtype=np.int64)

    def _vectors(self, ids: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        return self.store.passage_vectors(self.model_id, None if ids is None else ids.tolist())

    # -- passage pairs -------------------------------------------------------------------

    def passage_pairs(self, threshold: float, *, folder: str | None = None, progress: Progress | None = None,
                      cancel: threading.Event | None = None, table: PassageTable | None = None) -> Pairs:
        """All near-duplicate passage pairs >= threshold (within ``folder`` when given)."""
        table = table if table is not None else self.load_table()
        in_folder = self.file_ids_under(folder)
        cached = self.cache.get(threshold) if self.cache is not None else None
        if cached is None and in_folder is not None and len(in_folder) < len(np.unique(table.file_ids)):
            # A folder scan without a full cache: query only the folder's passages.
            mask = _in_sorted(table.file_ids, in_folder)
            ids, vecs = self._vectors(table.ids[mask])
            pairs = near_duplicate_pairs(ids, vecs, self.index, threshold, self.k, max_k=self.max_k, ef=self.ef,
                                         threads=self.threads, table=table, candidates=table.ids[mask],
                                         progress=progress, cancel=cancel)
        else:
            pairs = self._all_pairs(threshold, table, cached, progress, cancel)
        pairs = pairs.above(threshold)
        pairs = self._add_exact_text_pairs(pairs, table, in_folder)
        if in_folder is not None:
            fa = table.file_ids[table.positions(pairs.a)[0]]
            fb = table.file_ids[table.positions(pairs.b)[0]]
            pairs = pairs.select(_in_sorted(fa, in_folder) & _in_sorted(fb, in_folder))
        return pairs

    def _all_pairs(self, threshold, table, cached, progress, cancel) -> Pairs:
        if cached is not None:
            old_pairs, max_id = cached
            live = table.ids
            still = _in_sorted(old_pairs.a, live) & _in_sorted(old_pairs.b, live)
            changed = not bool(still.all())
            old_pairs = old_pairs.select(still)
            new_ids = live[live > max_id]
            if len(new_ids):  # only passages added since the cached scan are queried
                ids, vecs = self._vectors(new_ids)
                fresh = near_duplicate_pairs(ids, vecs, self.index, self.cache.threshold, self.k,
                                             max_k=self.max_k, ef=self.ef, threads=self.threads, table=table,
                                             progress=progress, cancel=cancel)
                old_pairs = Pairs.concat([old_pairs, fresh])
                changed = True
            if changed:
                self.cache.put(old_pairs, self.cache.threshold, max(max_id, int(live.max()) if len(live) else 0))
            self.last_scan = {"incremental": True, "queried": int(len(new_ids))}
            return old_pairs
        if progress:
            progress(0, len(table), "loading vectors")
        ids, vecs = self._vectors(None)
        pairs = near_duplicate_pairs(ids, vecs, self.index, threshold, self.k, max_k=self.max_k, ef=self.ef,
                                     threads=self.threads, table=table, progress=progress, cancel=cancel)
        self.last_scan = {"incremental": False, "queried": int(len(ids))}
        if self.cache is not None:
            self.cache.put(pairs, threshold, int(table.ids.max()) if len(table) else 0)
        return pairs

    def _add_exact_text_pairs(self, pairs: Pairs, table: PassageTable, in_folder) -> Pairs:
        """Passages with the same text are pairs (score 1.0) even if the index missed them."""
        rows = self.store.conn.execute(
            "SELECT text_hash, group_concat(id) FROM passages GROUP BY text_hash HAVING count(*) > 1"
        ).fetchall()
        a, b = [], []
        for _, ids in rows:
            members = sorted(int(x) for x in ids.split(","))
            if len(members) > 64:  # a star is enough to keep them together
                a += [members[0]] * (len(members) - 1)
                b += members[1:]
            else:
                for i, x in enumerate(members):
                    a += [x] * (len(members) - i - 1)
                    b += members[i + 1 :]
        if not a:
            return pairs
        exact = apply_same_file_rule(Pairs.of(a, b, np.ones(len(a), np.float32)), table)
        return Pairs.concat([pairs, exact])

    # -- ignore list ---------------------------------------------------------------------

    def _drop_ignored_passages(self, pairs: Pairs, table: PassageTable) -> Pairs:
        ign = self.ignore.load()
        if not len(pairs) or not (ign.files or ign.passage_pairs):
            return pairs
        ids = np.union1d(pairs.a, pairs.b)
        meta = self._passage_meta(ids)
        keep = np.ones(len(pairs), dtype=bool)
        for i, (x, y) in enumerate(zip(pairs.a.tolist(), pairs.b.tolist())):
            mx, my = meta.get(x), meta.get(y)
            if mx is None or my is None:
                keep[i] = False
                continue
            if mx[0] in ign.files or my[0] in ign.files or tuple(sorted((mx[1], my[1]))) in ign.passage_pairs:
                keep[i] = False
        return pairs.select(keep)

    def _passage_meta(self, ids: np.ndarray) -> dict[int, tuple[str, str]]:
        out: dict[int, tuple[str, str]] = {}
        ids = ids.tolist()
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            q = ("SELECT p.id, f.path, p.text_hash FROM passages p JOIN files f ON f.id = p.file_id"
                 f" WHERE p.id IN ({','.join('?' * len(part))})")
            for pid, path, th in self.store.conn.execute(q, part):
                out[pid] = (path, th)
        return out

    # -- reports ---------------------------------------------------------------------------

    def scan(self, level: str = "passage", threshold: float = DEFAULT_THRESHOLD, *, folder: str | None = None,
             min_containment: float = DEFAULT_MIN_CONTAINMENT, progress: Progress | None = None,
             cancel: threading.Event | None = None) -> Report:
        """The full report at ``level`` ("passage" or "file")."""
        if level not in LEVELS:
            raise ValueError(f"unknown level {level!r}; choose one of: {', '.join(LEVELS)}")
        t0 = time.perf_counter()
        table = self.load_table()
        pairs = self.passage_pairs(threshold, folder=folder, progress=progress, cancel=cancel, table=table)
        if cancel is not None and cancel.is_set():
            raise ScanCancelled()
        if progress:
            progress(len(table), len(table), "grouping")
        if level == "passage":
            groups = self._passage_groups(pairs, table)
        else:
            groups = self._file_groups(pairs, table, min_containment, self.file_ids_under(folder))
        stats = {"passages": len(table), "pairs": len(pairs), "seconds": round(time.perf_counter() - t0, 3)}
        return Report(level, float(threshold), rank_groups(groups), stats)

    def check_file(self, path: str, level: str = "file", threshold: float = DEFAULT_THRESHOLD, *,
                   min_containment: float = DEFAULT_MIN_CONTAINMENT) -> Report:
        """One (new) file against everything indexed, without a full scan."""
        path = os.path.abspath(os.path.expanduser(path))
        row = self.store.file(path)
        if row is None:
            raise FileNotFoundError(f"not indexed: {path}")
        table = self.load_table()
        mine = table.ids[table.file_ids == row.id]
        ids, vecs = self._vectors(mine)
        pairs = near_duplicate_pairs(ids, vecs, self.index, threshold, self.k, max_k=self.max_k, ef=self.ef,
                                     threads=self.threads, table=table)
        if level == "passage":
            groups = self._passage_groups(pairs, table)
        else:
            groups = self._file_groups(pairs, table, min_containment, None, only_file=row.id)
        return Report(level, float(threshold), rank_groups(groups), {"pairs": len(pairs)})

    def _passage_groups(self, pairs: Pairs, table: PassageTable) -> list[Group]:
        pairs = self._drop_ignored_passages(pairs, table)
        comms = communities_from_pairs(pairs, 2, attach_leftovers=True, table=table)
        rows = self.store.passages_by_id(sorted({int(m) for c in comms for m in c.members.tolist()}))
        hashes = self._passage_meta(np.array(sorted(rows), dtype=np.int64)) if rows else {}
        groups = []
        for c in comms:
            members = []
            for pid, s in zip(c.members.tolist(), c.scores.tolist()):
                r = rows.get(pid)
                if r is None:
                    continue
                members.append(Member(r["path"], r["page"], r["start"], r["end"], r["text"], pid, r["file_id"],
                                      hashes.get(pid, (None, None))[1], float(s)))
            if len(members) < 2:
                continue
            score = float(np.mean([m.score for m in members[1:]]))
            kind = "exact" if len({m.text_hash for m in members}) == 1 else "near"
            groups.append(Group(score, members, kind))
        return groups

    def _file_groups(self, pairs: Pairs, table: PassageTable, min_containment: float,
                     in_folder: np.ndarray | None, only_file: int | None = None) -> list[Group]:
        ign = self.ignore.load()
        files = {r[0]: (r[1], r[2]) for r in self.store.conn.execute(
            "SELECT id, path, hash FROM files WHERE state = 'ok'")}

        def allowed(fid: int) -> bool:
            return (fid in files and files[fid][0] not in ign.files
                    and (in_folder is None or bool(_in_sorted(np.array([fid]), in_folder)[0])))

        def ignored_pair(x: int, y: int) -> bool:
            return tuple(sorted((files[x][0], files[y][0]))) in ign.file_pairs

        groups: list[Group] = []
        # Exact copies: same content hash.
        fids = [f for f in files if allowed(f)]
        exact_groups = exact_file_groups(fids, [files[f][1] for f in fids])
        rep: dict[int, int] = {}
        for g in exact_groups:
            g_list = g.tolist()
            if only_file is not None and only_file not in g_list:
                continue
            a, b = [], []
            for i, x in enumerate(g_list):
                for y in g_list[i + 1 :]:
                    if not ignored_pair(x, y):
                        a.append(x)
                        b.append(y)
            for comp in cluster_pairs(a, b):
                ids = comp.tolist()
                head = only_file if only_file in ids else ids[0]
                for f in ids:
                    rep[f] = head
                groups.append(Group(1.0, [Member(files[f][0], file_id=f, score=1.0) for f in ids], "same-file"))
        # Near-duplicate files by containment; exact copies are represented by one of them.
        if len(pairs):
            pa, _ = table.positions(pairs.a)
            pb, _ = table.positions(pairs.b)
            # A non-representative copy's passages pair exactly like its representative's.
            copies = np.array(sorted(f for f, r in rep.items() if f != r), dtype=np.int64)
            keep = ~(_in_sorted(table.file_ids[pa], copies) | _in_sorted(table.file_ids[pb], copies))
            pairs = pairs.select(keep)
        for m in file_containment(pairs, table, min_containment):
            x, y = m.file_a, m.file_b
            if not (allowed(x) and allowed(y)) or ignored_pair(x, y):
                continue
            if rep.get(x, x) == rep.get(y, y):
                continue
            if only_file is not None and only_file not in (x, y):
                continue
            kind = "contains" if min(m.a_in_b, m.b_in_a) < min_containment else "similar"
            groups.append(Group(m.score, [Member(files[x][0], file_id=x, score=m.a_in_b),
                                          Member(files[y][0], file_id=y, score=m.b_in_a)], kind,
                                {"a_in_b": m.a_in_b, "b_in_a": m.b_in_a, "pairs": m.n_pairs,
                                 "mean_cosine": m.mean_cosine}))
        return groups


def file_text(store: Store, path: str) -> str:
    """A file's indexed text, rebuilt from its passages (overlaps merged by character offset)."""
    rows = store.conn.execute(
        'SELECT p.text, p.start, p."end" FROM passages p JOIN files f ON f.id = p.file_id'
        " WHERE f.path = ? ORDER BY p.ord", (path,)).fetchall()
    parts: list[str] = []
    pos: int | None = None
    for text, start, end in rows:
        if pos is None or start >= pos:
            if pos is not None:
                parts.append("\n\n" if start > pos else "")
            parts.append(text)
        elif end > pos:
            parts.append(text[pos - start :])
        pos = end if pos is None else max(pos, end)
    return "".join(parts)
