"""Shared by the retrieval benchmarks: metrics, the engine's ranked units, and the naive
anchor pipeline the issue names (150-word windows overlapping by 30 words;
sentence-transformers; bm25s with English stop words and a Snowball stemmer; RRF k=60 over
passages; files in order of first appearance, that is by their best passage).

A *unit* is what a person is sent to: a file, or for a PDF a file's page ("file#page").
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ANCHOR_WORDS = 150
ANCHOR_OVERLAP = 30
ANCHOR_POOL = 100
CACHE = Path("/work/bench-cache/quality")
"""Embeddings by text hash, outside the checkout: each text is embedded once per model."""


def metrics(ranked: list[str], relevant: set[str], k: int = 10) -> tuple[float, float, float]:
    """(MRR@k, nDCG@k, recall@k) with binary relevance."""
    top = ranked[:k]
    rr = next((1 / (i + 1) for i, u in enumerate(top) if u in relevant), 0.0)
    dcg = sum(1 / math.log2(i + 2) for i, u in enumerate(top) if u in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    recall = len(set(top) & relevant) / len(relevant) if relevant else 0.0
    return rr, (dcg / ideal if ideal else 0.0), recall


def engine_units(results, root: Path, pages: bool) -> list[str]:
    """Units in display order: each file, or each (file, page) of its shown passages."""
    out: list[str] = []
    for r in results:
        rel = str(Path(r.path).relative_to(root))
        if pages and r.passages and r.passages[0].page is not None:
            out += [f"{rel}#{p.page}" for p in r.passages]
        else:
            out.append(rel)
    return list(dict.fromkeys(out))


@dataclass
class Window:
    unit: str
    text: str


def word_windows(words: list[str]) -> list[str]:
    """150-word windows overlapping by 30 words; the last one ends with the text."""
    step = ANCHOR_WORDS - ANCHOR_OVERLAP
    out = []
    for i in range(0, max(1, len(words)), step):
        out.append(" ".join(words[i : i + ANCHOR_WORDS]))
        if i + ANCHOR_WORDS >= len(words):
            break
    return [w for w in out if w]


def windows(root: Path, files: list[Path], pages: bool) -> list[Window]:
    """The anchor's windows of each file's extracted text, with the page they start on."""
    from desktop_search.core.extract.dispatch import ExtractionError, extract_file

    out: list[Window] = []
    for path in files:
        try:
            doc = extract_file(path)
        except ExtractionError:
            continue
        rel = str(path.relative_to(root))
        for seg in doc.segments:
            unit = f"{rel}#{seg.page}" if pages and seg.page is not None else rel
            out += [Window(unit, w) for w in word_windows(doc.text[seg.start : seg.end].split())]
    return out


class Anchor:
    """The naive pipeline over one corpus, with the embeddings cached on disk."""

    def __init__(self, wins: list[Window], cache: Path = CACHE / "anchor") -> None:
        import bm25s
        import Stemmer
        from sentence_transformers import SentenceTransformer

        from desktop_search.core.encode.encoder import default_model_path

        self.wins = wins
        self.model = SentenceTransformer(str(default_model_path()), device="cpu")
        self.emb = cached_encode(
            [w.text for w in wins],
            cache,
            lambda texts: self.model.encode(texts, batch_size=32, normalize_embeddings=True),
        )
        tok = self.model.tokenizer
        limit = self.model.max_seq_length
        counts = [len(ids) for ids in tok([w.text for w in wins])["input_ids"]]
        self.tokens = sum(min(limit, n) for n in counts)  # what the encoder sees
        self.stemmer = Stemmer.Stemmer("english")
        tokens = bm25s.tokenize([w.text for w in wins], stopwords="en", stemmer=self.stemmer)
        self.bm25 = bm25s.BM25()
        self.bm25.index(tokens)

    def _sem(self, query: str) -> list[int]:
        q = self.model.encode([query], normalize_embeddings=True)[0]
        sims = self.emb @ q
        return list(np.argsort(-sims)[:ANCHOR_POOL])

    def _kw(self, query: str) -> list[int]:
        import bm25s

        toks = bm25s.tokenize([query], stopwords="en", stemmer=self.stemmer, show_progress=False)
        if not toks.vocab:
            return []
        k = min(ANCHOR_POOL, len(self.wins))
        docs, scores = self.bm25.retrieve(toks, k=k, show_progress=False)
        return [int(d) for d, s in zip(docs[0], scores[0]) if s > 0]

    def units(self, query: str, mode: str) -> list[str]:
        if mode == "semantic":
            order = self._sem(query)
        elif mode == "keyword":
            order = self._kw(query)
        else:
            scores: dict[int, float] = {}
            for ranking in (self._sem(query), self._kw(query)):
                for r, i in enumerate(ranking):
                    scores[i] = scores.get(i, 0.0) + 1 / (60 + r + 1)
            order = sorted(scores, key=lambda i: -scores[i])
        return list(dict.fromkeys(self.wins[i].unit for i in order))


def cached_encode(texts: list[str], cache: Path, encode) -> np.ndarray:
    """``encode(texts)`` with each text's vector kept under ``cache`` by its hash."""
    cache.mkdir(parents=True, exist_ok=True)
    known: dict[str, np.ndarray] = {}
    for shard in sorted(cache.glob("*.npz")):
        with np.load(shard) as z:
            known.update(zip(z["keys"].tolist(), z["vecs"]))
    keys = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
    todo = sorted({k: t for k, t in zip(keys, texts) if k not in known}.items())
    if todo:
        vecs = np.asarray(encode([t for _, t in todo]), dtype=np.float32)
        new = [k for k, _ in todo]
        np.savez(cache / f"{new[0][:16]}-{len(new)}.npz", keys=np.array(new), vecs=vecs)
        known.update(zip(new, vecs))
    return np.stack([known[k] for k in keys]) if keys else np.zeros((0, 1), np.float32)


def evaluate(rank_fn, queries: list[tuple[str, set[str]]]) -> tuple[float, float, float]:
    """Mean (MRR@10, nDCG@10, recall@10) of ``rank_fn(query) -> units`` over the queries."""
    tot = np.zeros(3)
    for q, rel in queries:
        tot += metrics(rank_fn(q), rel)
    return tuple(tot / max(1, len(queries)))


def per_query(rank_fn, queries: list[tuple[str, set[str]]], metric: int) -> list[float]:
    """One metric (0 MRR@10, 1 nDCG@10, 2 recall@10) of ``rank_fn`` for each query."""
    return [metrics(rank_fn(q), rel)[metric] for q, rel in queries]


def bootstrap(diff: list[float], rounds: int = 2000, seed: int = 0) -> tuple[float, float]:
    """Paired bootstrap 95% interval of the mean of per-query differences."""
    d = np.asarray(diff, dtype=np.float64)
    if not len(d):
        return 0.0, 0.0
    rng = np.random.default_rng(seed)
    means = d[rng.integers(0, len(d), size=(rounds, len(d)))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))
