"""Scored passage pairs, the same-file rule, and finding them (k-NN, or exactly)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from desktop_search.core.errors import Cancelled
from desktop_search.core.store.ann import ANNIndex, HNSWIndex

from .constants import DEFAULT_K, DEFAULT_THRESHOLD, MAX_K

Progress = Callable[[int, int, str], None]  # (done, total, phase)


class ScanCancelled(Cancelled):
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
        return PassageTable(
            self.ids[mask],
            self.file_ids[mask],
            self.ords[mask],
            self.starts[mask],
            self.ends[mask],
            self.content_ids[mask],
        )


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


def knn_query(
    index: ANNIndex,
    queries: np.ndarray,
    k: int,
    *,
    ef: int | None = None,
    threads: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
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
                except (
                    RuntimeError
                ):  # fewer than k reachable (many deleted items): widen, then shrink k
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
    pairs = (
        Pairs.of(np.concatenate(out_a), np.concatenate(out_b), np.concatenate(out_s))
        if n
        else Pairs.empty()
    )
    if table is not None:
        pairs = apply_same_file_rule(pairs, table)
    return pairs
