"""Files close in meaning to a given file, each with the pair of passages that shows why.

Built on the vectors already stored: no forward pass. ``FileVectors`` holds one vector per
file, the normalised mean of its passages' vectors read from the passage index in memory,
in a small HNSW index of its own; it follows the passage index by the database
generation, recomputing only files whose passages changed (a rename keeps a file's id and
passages, so it recomputes nothing). It also keeps each file's passage vectors, as
float16 (768 bytes a passage: 19 MB at 25k passages): hnswlib hands vectors back at
about 0.1-0.3 ms each, too slow to read a file's candidates at every request.

How candidates are ranked was chosen by measurement on the "See also" links of the Python
docs and the gnuplot manual (benchmarks/bench_related.py; ``passages`` ranked best of the
methods without the keyword leg, nDCG@10 0.568 against 0.514-0.553, ``hybrid`` 0.572 at
four times the time): ``METHODS`` are

* ``file``: the cosine of the two files' mean vectors;
* ``passages``: each of the file's passages asks the passage index for its neighbours,
  and a candidate file scores the mean, over those passages, of its best neighbour there
  (a query passage that found nothing in it counts its weakest neighbour's cosine);
* ``fused``: reciprocal-rank fusion of the two;
* ``chamfer``: the candidates of both, rescored by the symmetric mean of best matches
  between the two files' passages (each side's passages find their best partner on the
  other side, and both sides' means are averaged). A long file does not win by being
  long: its passages that match nothing lower its own side's mean.
* ``hybrid``: reciprocal-rank fusion of ``chamfer`` with the keyword leg's answer to the
  file's most significant words (``significant_terms``, Recoll's "find similar"), each
  file scored by ``chamfer`` (the Engine runs it: it needs the keyword leg).

A near-duplicate is not "related": a file with the same content, or one where most of the
smaller file's passages have a near-identical partner in the other (cosine >=
``DUP_COSINE`` for ``DUP_SHARE`` of them, the duplicate finder's share), is
listed apart, marked as a duplicate.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass, field

import numpy as np

from desktop_search.core.store.ann import HNSWIndex
from desktop_search.core.store.catalog import Store
from desktop_search.core.store.vector_index import VectorSet

from .highlight import stem, stems_in, term_spans
from .query import STOP_WORDS, content_words

METHODS = ("file", "passages", "fused", "chamfer", "hybrid")
DEFAULT_METHOD = "passages"
DUP_SHARE = 0.6
"""Share of the smaller file's passages with a near-identical partner that makes two files
near-duplicates: the duplicate finder's ``DEFAULT_MIN_CONTAINMENT`` (a package beside
this one, so the value is repeated here rather than imported)."""
DUP_COSINE = 0.9
"""A passage pair this close is the same text, lightly edited (a paraphrase scores lower)."""
QUERY_PASSAGES = 48
"""At most this many of a long file's passages ask for neighbours (evenly spread)."""
NEIGHBOURS = 30
CANDIDATES = 60
"""Files each leg brings for fusion or rescoring."""
RRF_K = 60
TERMS = 20
BULK_READ = 2000
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class PassageRef:
    """One side of the best-matching pair, highlighted like a search result."""

    id: int
    text: str
    page: int | None
    start: int
    end: int
    highlights: list[tuple[int, int]] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "text": self.text,
            "page": self.page,
            "start": self.start,
            "end": self.end,
            "highlights": [list(h) for h in self.highlights],
        }


@dataclass
class RelatedFile:
    path: str
    score: float  # 0..1, the method's similarity (cosine-like)
    kind: str | None
    duplicate: bool
    pair_score: float  # cosine of the best-matching pair
    mine: PassageRef  # the best-matching passage of the asked-about file
    theirs: PassageRef  # its partner in this file

    def as_json(self) -> dict:
        return {
            "path": self.path,
            "score": round(self.score, 4),
            "duplicate": self.duplicate,
            "why": {
                "score": round(self.pair_score, 4),
                "this": self.mine.as_json(),
                "related": self.theirs.as_json(),
            },
        }


@dataclass
class Related:
    """What ``Engine.related`` returns: related files best first, and near-duplicates apart."""

    path: str
    files: list[RelatedFile]
    duplicates: list[RelatedFile]

    def as_json(self) -> dict:
        return {
            "path": self.path,
            "related": [f.as_json() for f in self.files],
            "duplicates": [f.as_json() for f in self.duplicates],
        }


class FileVectors:
    """Per-file mean vectors and their HNSW index, in step with a passage ``VectorSet``.

    Shared by the threads of one Engine: ``refresh`` and reads hold one lock.
    """

    def __init__(self, vectors: VectorSet) -> None:
        self.vectors = vectors
        self.lock = threading.RLock()
        self.generation: int | None = None
        self.index = HNSWIndex(vectors.dim, capacity=256)
        self._passages: dict[int, np.ndarray] = {}  # file id -> its embedded passage ids
        self._file_of = np.zeros(0, dtype=np.int64)  # passage id -> file id (-1: none)
        self._vec: dict[int, np.ndarray] = {}
        self._mat: dict[int, np.ndarray] = {}  # file id -> its passages' vectors (float16)

    def refresh(self, store: Store) -> None:
        """Follow the passage index: recompute the files whose passages changed."""
        with self.lock:
            gen = store.generation()
            if gen == self.generation and self.vectors.generation == gen:
                return
            if self.vectors.generation != gen:
                self.vectors.catch_up(store)
            rows = store.conn.execute("SELECT id, file_id FROM passages ORDER BY file_id, id")
            arr = np.array(rows.fetchall(), dtype=np.int64).reshape(-1, 2)
            live = self.vectors.index.ids()
            arr = arr[np.isin(arr[:, 0], live)]
            grouped = _group(arr)
            gone = [f for f in self._passages if f not in grouped]
            changed = [
                f
                for f, ids in grouped.items()
                if f not in self._passages or not np.array_equal(self._passages[f], ids)
            ]
            stale = gone + [f for f in changed if f in self._passages]
            if stale:
                self.index.delete(stale)
            for f in gone:
                del self._passages[f], self._vec[f], self._mat[f]
            if changed:
                all_ids = np.concatenate([grouped[f] for f in changed])
                mat = self._read(store, all_ids)
                pos = 0
                means = np.empty((len(changed), self.vectors.dim), dtype=np.float32)
                for n, f in enumerate(changed):
                    ids = grouped[f]
                    means[n] = _unit(mat[pos : pos + len(ids)].mean(axis=0))
                    pos += len(ids)
                    self._passages[f] = ids
                    self._mat[f] = mat[pos - len(ids) : pos].astype(np.float16)
                    self._vec[f] = means[n]
                self.index.add(np.asarray(changed, dtype=np.int64), means)
            top = int(arr[:, 0].max()) + 1 if len(arr) else 0
            self._file_of = np.full(top, -1, dtype=np.int64)
            self._file_of[arr[:, 0]] = arr[:, 1]
            self.generation = gen

    def _read(self, store: Store, ids: np.ndarray) -> np.ndarray:
        """The vectors of passages ``ids``: a few from the passage index in memory (about
        0.1 ms each), many in one read of SQLite's whole table (an ``IN`` list of ids over
        the vectors' join is far slower than reading them all)."""
        if len(ids) <= BULK_READ:
            return self.vectors.index.vectors(ids)
        have, mat = store.passage_vectors(self.vectors.model_id)
        return mat[np.searchsorted(have, ids)]

    def has(self, file_id: int) -> bool:
        return file_id in self._vec

    def signature(self, file_id: int) -> str:
        """Which passages the file's vector was made of (passage ids only grow, and a
        rename keeps them): a changed file has a new signature."""
        ids = self._passages[file_id]
        return f"{len(ids)}:{int(ids.sum())}:{int(ids.max())}"

    def files(self) -> tuple[np.ndarray, np.ndarray]:
        """(file ids, their unit mean vectors), ids ascending."""
        with self.lock:
            ids = np.array(sorted(self._vec), dtype=np.int64)
            if not len(ids):
                return ids, np.empty((0, self.vectors.dim), dtype=np.float32)
            return ids, np.stack([self._vec[int(f)] for f in ids])

    def passages(self, file_id: int) -> tuple[np.ndarray, np.ndarray]:
        """(passage ids, vectors) of one file's embedded passages."""
        return self._passages[file_id], self._mat[file_id].astype(np.float32)

    # -- ranking ----------------------------------------------------------------------

    def by_file(self, file_id: int, n: int) -> list[tuple[int, float]]:
        labels, scores = self.index.search(self._vec[file_id][None, :], n + 1)
        return [(int(f), float(s)) for f, s in zip(labels[0], scores[0]) if f != file_id][:n]

    def by_passages(self, file_id: int, n: int) -> list[tuple[int, float]]:
        ids, q = self.passages(file_id)
        if len(ids) > QUERY_PASSAGES:
            q = q[np.linspace(0, len(ids) - 1, QUERY_PASSAGES).astype(int)]
        labels, scores = self.vectors.index.search(q, NEIGHBOURS)
        files = self._file_of[np.clip(labels, 0, len(self._file_of) - 1)]
        best: dict[int, np.ndarray] = {}
        floor = scores[:, -1].copy()
        for row in range(len(q)):
            for f, s in zip(files[row], scores[row]):
                f = int(f)
                if f < 0 or f == file_id:
                    continue
                got = best.setdefault(f, floor.copy())
                got[row] = max(got[row], s)
        ranked = sorted(((f, float(v.mean())) for f, v in best.items()), key=lambda r: -r[1])
        return ranked[:n]

    def _stack(self, file_ids: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(passage ids, vectors, offsets) of several files in one read of the index:
        file n's rows are ``offsets[n]:offsets[n + 1]``."""
        parts = [self._passages[f] for f in file_ids]
        offsets = np.cumsum([0, *(len(p) for p in parts)])
        ids = np.concatenate(parts) if parts else np.zeros(0, np.int64)
        mats = [self._mat[f] for f in file_ids]
        mat = np.concatenate(mats) if mats else np.zeros((0, self.vectors.dim), np.float16)
        return ids, mat.astype(np.float32), offsets

    def chamfer(self, file_id: int, others: list[int]) -> list[tuple[int, float]]:
        _, q = self.passages(file_id)
        _, mat, offsets = self._stack(others)
        sims_all = q @ mat.T
        out = []
        for n, f in enumerate(others):
            sims = sims_all[:, offsets[n] : offsets[n + 1]]
            out.append((f, 0.5 * float(sims.max(axis=1).mean() + sims.max(axis=0).mean())))
        return sorted(out, key=lambda r: -r[1])

    def rank(self, file_id: int, n: int, method: str = DEFAULT_METHOD) -> list[tuple[int, float]]:
        """Other files best first, (file id, score), by ``method`` (see ``METHODS``)."""
        with self.lock:
            if method == "file":
                return self.by_file(file_id, n)
            if method == "passages":
                return self.by_passages(file_id, n)
            a = self.by_file(file_id, max(n, CANDIDATES))
            b = self.by_passages(file_id, max(n, CANDIDATES))
            if method == "fused":
                cos = dict(a)
                top = rrf([f for f, _ in a], [f for f, _ in b])[:n]
                return [(f, cos.get(f, 0.0)) for f in top]
            if method == "chamfer":
                return self.chamfer(file_id, list(dict.fromkeys(f for f, _ in [*a, *b])))[:n]
        raise ValueError(f"unknown method {method!r}")

    def explain(self, file_id: int, others: list[int]) -> list[tuple[int, int, float, bool]]:
        """Per other file: (my passage, its partner there, their cosine, whether the two
        files are near-duplicates)."""
        with self.lock:
            qi, q = self.passages(file_id)
            ci, mat, offsets = self._stack(others)
        sims_all = q @ mat.T
        out = []
        for n in range(len(others)):
            sims = sims_all[:, offsets[n] : offsets[n + 1]]
            i, j = np.unravel_index(int(np.argmax(sims)), sims.shape)
            near = sims >= DUP_COSINE
            nc = offsets[n + 1] - offsets[n]
            share = near.any(axis=1).mean() if len(qi) <= nc else near.any(axis=0).mean()
            dup = bool(share >= DUP_SHARE)
            out.append((int(qi[i]), int(ci[offsets[n] + j]), float(sims[i, j]), dup))
        return out


def significant_terms(texts: list[str], doc_freq, passages: int, n: int = TERMS) -> list[str]:
    """The ``n`` words of ``texts`` with the highest TF-IDF (``doc_freq(words)``: passages
    holding each word; ``passages``: how many the index holds)."""
    counts: dict[str, int] = {}
    for text in texts:
        for w in content_words(text):
            if not w.isdigit():
                counts[w] = counts.get(w, 0) + 1
    df = doc_freq(list(counts))
    scored = sorted(
        ((c * math.log(max(passages, 1) / df[w]), w) for w, c in counts.items() if df.get(w)),
        reverse=True,
    )
    return [w for _, w in scored[:n]]


def rrf(*rankings: list[int]) -> list[int]:
    """Reciprocal-rank fusion of file rankings, best first."""
    fused: dict[int, float] = {}
    for ranked in rankings:
        for r, f in enumerate(ranked):
            fused[f] = fused.get(f, 0.0) + 1.0 / (RRF_K + r + 1)
    return [f for f, _ in sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))]


def shared_word_spans(text: str, other: str) -> list[tuple[int, int]]:
    """Spans of the content words ``text`` shares with ``other`` (by stem): what a person
    can see the two passages have in common, found without a forward pass."""
    common = stems_in(other)
    words = {w.lower() for w in _WORD.findall(text)}
    return term_spans(
        text, [w for w in words if w not in STOP_WORDS and len(w) > 2 and stem(w) in common]
    )


def _unit(v: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(v))
    return (v / norm).astype(np.float32) if norm > 0 else v.astype(np.float32)


def _group(arr: np.ndarray) -> dict[int, np.ndarray]:
    """(passage id, file id) rows sorted by file: file id -> its passage ids."""
    if not len(arr):
        return {}
    cuts = np.flatnonzero(np.diff(arr[:, 1])) + 1
    return {int(part[0, 1]): part[:, 0].copy() for part in np.split(arr, cuts)}
