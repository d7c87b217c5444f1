"""Approximate nearest-neighbour indexes behind one tiny interface.

``HNSWIndex`` is the real one; ``ExactIndex`` is its brute-force NumPy twin, used for
filtered searches over small sets and as the reference in tests. Vectors must be
L2-normalised: both score by inner product, which is then the cosine.
"""

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from pathlib import Path

import numpy as np

#: HNSW graph settings for a new index (a loaded one keeps those it was built with).
DEFAULT_M, DEFAULT_EF_CONSTRUCTION = 16, 100
#: Query-time search breadth (at least k). hnswlib does not save it with the index and a
#: loaded index starts at its default of 10, so every index, new or loaded, is set to this.
EF = 64


class ANNIndex(ABC):
    def __init__(self, dim: int) -> None:
        self.dim = dim

    @abstractmethod
    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None: ...

    @abstractmethod
    def delete(self, ids) -> None:
        """Remove ids; unknown ids are ignored (a delete may be replayed after a crash)."""

    @abstractmethod
    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids, cosine scores), each (n_queries, k'), best first, k' = min(k, count)."""

    @abstractmethod
    def ids(self) -> np.ndarray: ...

    @abstractmethod
    def known(self, ids) -> list[int]:
        """The given ids that are in the index, in the given order."""

    @abstractmethod
    def count(self) -> int: ...

    @abstractmethod
    def save(self, path: Path) -> None: ...


class ExactIndex(ANNIndex):
    def __init__(self, dim: int) -> None:
        super().__init__(dim)
        self._ids = np.empty(0, dtype=np.int64)
        self._vecs = np.empty((0, dim), dtype=np.float32)

    def add(self, ids, vectors) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids) == 0:
            return
        self.delete(ids)
        self._ids = np.concatenate([self._ids, ids])
        self._vecs = np.vstack([self._vecs, np.asarray(vectors, dtype=np.float32)])

    def delete(self, ids) -> None:
        keep = ~np.isin(self._ids, np.asarray(list(ids), dtype=np.int64))
        self._ids, self._vecs = self._ids[keep], self._vecs[keep]

    def search(self, queries, k):
        queries = np.atleast_2d(np.asarray(queries, dtype=np.float32))
        k = min(k, len(self._ids))
        if k == 0:
            return np.empty((len(queries), 0), np.int64), np.empty((len(queries), 0), np.float32)
        scores = queries @ self._vecs.T
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        part = np.take_along_axis(scores, top, axis=1)
        order = np.argsort(-part, axis=1)
        top = np.take_along_axis(top, order, axis=1)
        return self._ids[top], np.take_along_axis(scores, top, axis=1)

    def ids(self) -> np.ndarray:
        return self._ids.copy()

    def known(self, ids) -> list[int]:
        have = set(self._ids.tolist())
        return [int(i) for i in ids if int(i) in have]

    def count(self) -> int:
        return len(self._ids)

    def save(self, path: Path) -> None:
        np.savez(path, ids=self._ids, vecs=self._vecs)


class LiveIds:
    """Which labels are live, one byte per label up to the largest one.

    Passage ids are SQLite row ids, handed out in order, so the array stays about as long
    as the index is big: 1 MB at a million passages, against 60 MB and 0.3 s to build for
    a Python set of them (which a search process paid at every start).
    """

    def __init__(self, ids: np.ndarray | None = None) -> None:
        self._bits = np.zeros(0, dtype=bool)
        self._n = 0
        if ids is not None:
            self.add(np.asarray(ids, dtype=np.int64))

    def has(self, ids: np.ndarray) -> np.ndarray:
        """A mask: which of ``ids`` are live."""
        inside = (ids >= 0) & (ids < len(self._bits))
        out = np.zeros(len(ids), dtype=bool)
        out[inside] = self._bits[ids[inside]]
        return out

    def add(self, ids: np.ndarray) -> None:
        if len(ids) == 0:
            return
        if ids.min() < 0:
            raise ValueError("labels must not be negative")
        top = int(ids.max()) + 1
        if top > len(self._bits):
            grown = np.zeros(max(top, len(self._bits) * 3 // 2), dtype=bool)
            grown[: len(self._bits)] = self._bits
            self._bits = grown
        fresh = _distinct(ids[~self._bits[ids]])
        self._bits[fresh] = True
        self._n += len(fresh)

    def discard(self, ids: np.ndarray) -> np.ndarray:
        """Drop ``ids``; returns those that were live (each once)."""
        gone = _distinct(ids[self.has(ids)])
        self._bits[gone] = False
        self._n -= len(gone)
        return gone

    def all(self) -> np.ndarray:
        return np.flatnonzero(self._bits).astype(np.int64)

    def __len__(self) -> int:
        return self._n


class HNSWIndex(ANNIndex):
    """hnswlib with the guards its README asks for.

    add/resize/query are not thread-safe together, so one lock covers them. ``ef`` is not
    saved by hnswlib, so ``load`` sets it again (to ``EF`` unless told otherwise). Live ids
    are tracked here because hnswlib keeps deleted labels in its id list.
    """

    def __init__(
        self,
        dim: int,
        *,
        M: int = DEFAULT_M,
        ef_construction: int = DEFAULT_EF_CONSTRUCTION,
        ef: int = EF,
        capacity: int = 1024,
        threads: int | None = None,
    ) -> None:
        import hnswlib

        super().__init__(dim)
        self.M, self.ef_construction, self.ef = M, ef_construction, ef
        self.threads = threads or min(2, os.cpu_count() or 1)
        self._index = hnswlib.Index(space="ip", dim=dim)
        self._index.init_index(max_elements=max(capacity, 16), M=M, ef_construction=ef_construction)
        self._index.set_ef(ef)
        self._index.set_num_threads(self.threads)
        self._live = LiveIds()
        self._lock = threading.RLock()

    @classmethod
    def load(cls, path: Path, dim: int, live_ids: np.ndarray, *, ef: int = EF) -> HNSWIndex:
        import hnswlib

        self = cls.__new__(cls)
        ANNIndex.__init__(self, dim)
        self.threads = min(2, os.cpu_count() or 1)
        self._index = hnswlib.Index(space="ip", dim=dim)
        self._index.load_index(str(path))
        self.M, self.ef_construction, self.ef = self._index.M, self._index.ef_construction, ef
        self._index.set_ef(ef)
        self._index.set_num_threads(self.threads)
        self._live = LiveIds(live_ids)
        self._lock = threading.RLock()
        return self

    def add(self, ids, vectors) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids) == 0:
            return
        vectors = np.asarray(vectors, dtype=np.float32)
        with self._lock:
            fresh = ~self._live.has(ids)
            if not fresh.any():
                return
            ids, vectors = ids[fresh], vectors[fresh]
            needed = self._index.get_current_count() + len(ids)
            if needed > self._index.get_max_elements():
                self._index.resize_index(max(needed, 2 * self._index.get_max_elements()))
            self._index.add_items(vectors, ids, num_threads=self.threads)
            self._live.add(ids)

    def delete(self, ids) -> None:
        with self._lock:
            for label in self._live.discard(_as_ids(ids)).tolist():
                self._index.mark_deleted(label)

    def search(self, queries, k, *, filter=None):
        queries = np.atleast_2d(np.asarray(queries, dtype=np.float32))
        with self._lock:
            k = min(k, len(self._live))
            if k == 0:
                return np.empty((len(queries), 0), np.int64), np.empty(
                    (len(queries), 0), np.float32
                )
            self._index.set_ef(max(self.ef, k))
            labels, dists = self._index.knn_query(queries, k=k, num_threads=1, filter=filter)
        return labels.astype(np.int64), (1.0 - dists).astype(np.float32)

    def vectors(self, ids) -> np.ndarray:
        with self._lock:
            return np.asarray(self._index.get_items(list(ids)), dtype=np.float32)

    def ids(self) -> np.ndarray:
        with self._lock:
            return self._live.all()

    def known(self, ids) -> list[int]:
        arr = _as_ids(ids)
        with self._lock:
            return arr[self._live.has(arr)].tolist()

    def count(self) -> int:
        return len(self._live)

    def deleted_count(self) -> int:
        with self._lock:
            return self._index.get_current_count() - len(self._live)

    def save(self, path: Path) -> None:
        with self._lock:
            self._index.save_index(str(path))


def _as_ids(ids) -> np.ndarray:
    """Labels as an int64 array, from an array, a list or a set."""
    return np.asarray(list(ids) if isinstance(ids, (set, frozenset)) else ids, dtype=np.int64)


def _distinct(ids: np.ndarray) -> np.ndarray:
    """Sorted, each once (sort-based: np.unique hashes and took 1 s for 1M ids)."""
    ids = np.sort(ids)
    return ids[np.concatenate(([True], ids[1:] != ids[:-1]))] if len(ids) else ids
