"""The library as topics: files grouped by meaning, labelled by their distinctive words.

Plain NumPy, deterministic, no heavy dependencies:

* **Clustering**: spherical k-means (cosine) over the per-file mean vectors (see
  ``related.FileVectors``), seeded by k-means++ from a fixed seed, best of a few seeds by
  inertia. k-means is linear in the files, needs nothing beyond NumPy and, seeded so,
  gives the same topics for the same library every time; agglomerative clustering needs
  the n x n distances (8 GB at 30k files) or scipy.
* **k**: the one with the best cosine silhouette, over a deterministic sample of files,
  for k in ``2..MAX_K`` (silhouette needs no labelled data and prefers few, clean topics).
* **Labels**: class-based TF-IDF, as BERTopic: a topic is one document made of its files'
  words, and a word weighs ``tf(word, topic) * log(1 + mean words per topic / tf(word))``.
  Words are the keyword leg's (``query.content_words``: its stop list, no single letters).
* **Second level**: a topic holding more than ``SPLIT_SHARE`` of the files (and at least
  ``SPLIT_MIN`` of them) is split the same way, k from 2 to 4.
* **Map**: 2-D coordinates from a PCA of the file vectors (an SVD, no extra package).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SEED = 20261207
MAX_K = 20
SEEDS = 3
ITERATIONS = 40
SAMPLE = 1000
"""Files the silhouette is computed on (it is quadratic in them)."""
SPLIT_SHARE = 0.25
SPLIT_MIN = 40
LABEL_WORDS = 4
CENTRAL = 5


@dataclass
class Topic:
    id: int
    parent: int | None
    label: list[str]
    files: list[int]  # file ids, most central first
    centroid: np.ndarray

    @property
    def size(self) -> int:
        return len(self.files)


@dataclass
class TopicMap:
    topics: list[Topic]
    file_ids: np.ndarray
    top: np.ndarray  # top-level topic id per file
    sub: np.ndarray  # second-level topic id per file (0: none)
    projection: tuple[np.ndarray, np.ndarray, np.ndarray]  # see ``pca_2d``
    k_chosen: int = 0


def kmeans(
    x: np.ndarray, k: int, seed: int = SEED, seeds: int = SEEDS
) -> tuple[np.ndarray, np.ndarray, float]:
    """(labels, unit centroids, inertia) of spherical k-means, k-means++ seeded; the best
    of ``seeds`` runs by inertia (the sum of 1 - cosine to the own centroid)."""
    best = None
    for run in range(seeds):
        rng = np.random.default_rng(seed + run)
        centres = _plus_plus(x, k, rng)
        labels = np.zeros(len(x), dtype=np.int64)
        for it in range(ITERATIONS):
            new = np.argmax(x @ centres.T, axis=1)
            if it and np.array_equal(new, labels):
                break
            labels = new
            centres = _centres(x, labels, k, centres)
        inertia = float(np.sum(1.0 - np.einsum("ij,ij->i", x, centres[labels])))
        if best is None or inertia < best[2] - 1e-9:
            best = (labels, centres, inertia)
    return best


def _plus_plus(x: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    picks = [int(rng.integers(len(x)))]
    dist = 1.0 - x @ x[picks[0]]
    for _ in range(1, k):
        weights = np.clip(dist, 0, None) ** 2
        total = weights.sum()
        nxt = int(rng.choice(len(x), p=weights / total)) if total > 0 else int(rng.integers(len(x)))
        picks.append(nxt)
        dist = np.minimum(dist, 1.0 - x @ x[nxt])
    return x[picks].copy()


def _centres(x: np.ndarray, labels: np.ndarray, k: int, old: np.ndarray) -> np.ndarray:
    member = np.zeros((k, len(x)), dtype=np.float32)
    member[labels, np.arange(len(x))] = 1.0  # a product, not np.add.at (130 ms a call here)
    sums = member @ x
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    empty = norms[:, 0] == 0
    out = np.where(empty[:, None], old, sums / np.where(norms == 0, 1, norms))
    return out.astype(np.float32)


def silhouette(sims: np.ndarray, labels: np.ndarray) -> float:
    """Mean cosine silhouette from the files' cosine matrix (a file alone in its cluster
    counts 0)."""
    d = 1.0 - sims
    ks = np.unique(labels)
    if len(ks) < 2:
        return -1.0
    mean_to = np.stack([d[:, labels == c].mean(axis=1) for c in ks], axis=1)
    own = np.searchsorted(ks, labels)
    sizes = np.array([(labels == c).sum() for c in ks])
    rows = np.arange(len(labels))
    a = mean_to[rows, own] * sizes[own] / np.maximum(sizes[own] - 1, 1)
    mean_to[rows, own] = np.inf
    b = mean_to.min(axis=1)
    s = np.where(sizes[own] > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(s.mean())


def choose_k(x: np.ndarray, ks: Sequence[int], seed: int = SEED) -> int:
    """The k of ``ks`` whose clustering (one seed each) has the best silhouette on a fixed
    sample; the cosine matrix is computed once for every k."""
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(len(x), min(SAMPLE, len(x)), replace=False))
    xs = x[sample]
    sims = xs @ xs.T
    scored = []
    for k in ks:
        if k >= len(xs):
            break
        labels, _, _ = kmeans(xs, k, seed, seeds=1)
        scored.append((silhouette(sims, labels), -k))
    return -max(scored)[1] if scored else 1


def c_tf_idf(counts: Sequence[Counter], n_words: int = LABEL_WORDS) -> list[list[str]]:
    """Each class's most distinctive words (BERTopic's class-based TF-IDF)."""
    total: Counter = Counter()
    for c in counts:
        total.update(c)
    mean_words = sum(total.values()) / max(1, len(counts))
    labels = []
    for c in counts:
        size = max(1, sum(c.values()))
        scored = sorted(
            ((tf / size) * math.log(1 + mean_words / total[w]), w) for w, tf in c.items()
        )
        labels.append([w for _, w in reversed(scored[-n_words:])])
    return labels


def pca_2d(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean, axes (2, dim), scale (2,)): the map projects ``(v - mean) @ axes.T / scale``,
    the two main axes each scaled to -1..1, signs fixed so a library draws the same way.
    Kept, so that files added later are placed on the same map."""
    dim = x.shape[1]
    if len(x) < 3:
        axes = np.eye(2, dim, dtype=np.float32)
        return np.zeros(dim, np.float32), axes, np.ones(2, np.float32)
    mean = x.mean(axis=0)
    _, _, vt = np.linalg.svd(x - mean, full_matrices=False)
    axes = vt[:2] * np.sign(vt[:2, :1] + 1e-12)
    scale = np.abs((x - mean) @ axes.T).max(axis=0)
    scale = np.where(scale == 0, 1, scale)
    return mean.astype(np.float32), axes.astype(np.float32), scale.astype(np.float32)


def build(
    file_ids: np.ndarray,
    x: np.ndarray,
    words: dict[int, Counter],
    k: int | None = None,
) -> TopicMap:
    """Topics of the files ``file_ids`` (unit vectors ``x``, word counts ``words``)."""
    n = len(file_ids)
    if n == 0:
        empty = np.zeros(0, np.int64)
        return TopicMap([], file_ids, empty, empty, pca_2d(np.zeros((0, x.shape[1]))))
    chosen = k or choose_k(x, range(2, min(MAX_K, max(2, n // 3)) + 1))
    chosen = max(1, min(chosen, n))
    labels, centres, _ = kmeans(x, chosen)
    top = labels + 1
    sub = np.zeros(n, dtype=np.int64)
    groups = [(t + 1, None, np.flatnonzero(labels == t), centres[t]) for t in range(chosen)]
    next_id = chosen + 1
    for tid, _, members, _ in list(groups):
        if len(members) >= SPLIT_MIN and len(members) > SPLIT_SHARE * n:
            xs = x[members]
            kk = choose_k(xs, range(2, 5))
            sl, sc, _ = kmeans(xs, kk)
            for j in range(kk):
                part = members[sl == j]
                groups.append((next_id, tid, part, sc[j]))
                sub[part] = next_id
                next_id += 1
    names = c_tf_idf([_sum(words, file_ids[m]) for _, _, m, _ in groups])
    topics = []
    for (tid, parent, members, centre), label in zip(groups, names):
        order = members[np.argsort(-(x[members] @ centre), kind="stable")]
        topics.append(Topic(tid, parent, label, file_ids[order].tolist(), centre))
    return TopicMap(topics, file_ids, top, sub, pca_2d(x), chosen)


def _sum(words: dict[int, Counter], ids: np.ndarray) -> Counter:
    out: Counter = Counter()
    for f in ids.tolist():
        out.update(words.get(int(f), {}))
    return out
