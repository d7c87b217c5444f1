"""Related files against human "See also" links, and topics against source collections.

Library: the docs subset of ``docs_library`` (indexed once into a cache folder and reused).

Related: for every page with a "See also" link to another page of the library (see
``related_truth``), the files ``Engine.related`` lists (each method of ``related.METHODS``)
and a Recoll-style lexical baseline in the same run: the page's top ``TERMS`` words by
TF-IDF (term counts in the page, idf over the index's passages) as one keyword (FTS5
bm25) query over the same index, the page itself dropped. nDCG@10 and recall@10 with the
linked pages as the relevant ones; p50/p95 latency of ``related`` (warm), the first call's
time (it builds the per-file vectors), and peak RSS.

Topics: NMI and adjusted Rand of the topics against the source collections (gnuplot, and
the Python docs' sections: library, tutorial, howto...), with k = the number of
collections and with the k the method picks; compute time of a full update, and of an
incremental one after 20 files changed (their placements are dropped and the update
places them again, the path an edit takes once the file is embedded).

    nice -n 5 .venv/bin/python benchmarks/bench_related.py

Results go to benchmarks/results/related.txt.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from pathlib import Path

import numpy as np
from common import DOCS, ROOT, peak_rss_mb, table
from docs_library import LIBRARY, build, collection
from related_truth import see_also

from desktop_search.core.engine import Engine
from desktop_search.core.search import keyword
from desktop_search.core.search.query import content_words
from desktop_search.core.search.related import DEFAULT_METHOD, METHODS
from desktop_search.core.store import topics as topic_store

K = 10
TERMS = 20
RESULTS = ROOT / "benchmarks" / "results" / "related.txt"


def truth() -> dict[str, set[str]]:
    """Library page -> linked library pages (paths as indexed)."""
    out = {}
    for src, dests in see_also(DOCS).items():
        s = LIBRARY / src.relative_to(DOCS)
        d = {str(LIBRARY / t.relative_to(DOCS)) for t in dests}
        d = {p for p in d if Path(p).exists()}
        if s.exists() and d:
            out[str(s)] = d
    return out


def ndcg(ranked: list[str], relevant: set[str], k: int = K) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, p in enumerate(ranked[:k]) if p in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal


def recall(ranked: list[str], relevant: set[str], k: int = K) -> float:
    return len(set(ranked[:k]) & relevant) / len(relevant)


class Lexical:
    """Recoll's "find similar": the document's most significant words as a query."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.store = engine._thread_store()
        self.freqs = keyword.DocFreqs()

    def rank(self, path: str) -> list[str]:
        counts = Counter(content_words(self.engine.file_text(path)))
        gen = self.store.generation()
        n = self.freqs.total(self.store.conn, gen)
        df = self.freqs.get(self.store.conn, gen, list(counts))
        scored = sorted(
            ((c * math.log(n / df[w]), w) for w, c in counts.items() if df[w] > 0), reverse=True
        )
        query = " ".join(w for _, w in scored[:TERMS])
        hits = self.engine.search(query, mode="keyword", k=K + 1)
        return [r.path for r in hits if r.path != path][:K]


def related_bench(engine: Engine, links: dict[str, set[str]]) -> list[str]:
    lines = []
    t0 = time.perf_counter()
    engine.related(next(iter(links)), K)
    cold = time.perf_counter() - t0
    rows = []
    lexical = Lexical(engine)
    systems = {"lexical (top TF-IDF terms as BM25 query)": lexical.rank}
    for m in METHODS:
        systems[f"related/{m}"] = lambda p, m=m: [
            f.path for f in engine.related(p, K, method=m).files
        ]
    times: dict[str, list[float]] = {}
    scores: dict[str, tuple[float, float]] = {}
    for name, rank in systems.items():
        nd, rc, ts = [], [], []
        for src, rel in links.items():
            t = time.perf_counter()
            ranked = rank(src)
            ts.append(time.perf_counter() - t)
            nd.append(ndcg(ranked, rel))
            rc.append(recall(ranked, rel))
        times[name] = ts
        scores[name] = (float(np.mean(nd)), float(np.mean(rc)))
        p50, p95 = np.percentile(np.array(ts) * 1000, [50, 95])
        rows.append(
            [name, f"{scores[name][0]:.3f}", f"{scores[name][1]:.3f}", f"{p50:.1f}", f"{p95:.1f}"]
        )
    lines.append(
        f"pages with See-also links inside the library: {len(links)}, links: {sum(map(len, links.values()))}"
    )
    lines.append(table(rows, ["system", "nDCG@10", "recall@10", "p50 ms", "p95 ms"]))
    best = (
        scores[f"related/{DEFAULT_METHOD}"][0]
        - scores["lexical (top TF-IDF terms as BM25 query)"][0]
    )
    lines.append(
        f"default method {DEFAULT_METHOD}: nDCG@10 minus lexical = {best:+.3f} (target >= +0.05)"
    )
    lines.append(f"first related call (builds the per-file vectors): {cold * 1000:.0f} ms")
    return lines


def nmi(a: np.ndarray, b: np.ndarray) -> float:
    """Normalised mutual information (arithmetic mean of the entropies, as scikit-learn)."""
    _, ai = np.unique(a, return_inverse=True)
    _, bi = np.unique(b, return_inverse=True)
    joint = np.zeros((ai.max() + 1, bi.max() + 1))
    np.add.at(joint, (ai, bi), 1)
    p = joint / joint.sum()
    pa, pb = p.sum(1), p.sum(0)
    nz = p > 0
    mi = float((p[nz] * np.log(p[nz] / np.outer(pa, pb)[nz])).sum())
    ha = -float((pa[pa > 0] * np.log(pa[pa > 0])).sum())
    hb = -float((pb[pb > 0] * np.log(pb[pb > 0])).sum())
    return mi / ((ha + hb) / 2) if ha + hb > 0 else 1.0


def ari(a: np.ndarray, b: np.ndarray) -> float:
    _, ai = np.unique(a, return_inverse=True)
    _, bi = np.unique(b, return_inverse=True)
    joint = np.zeros((ai.max() + 1, bi.max() + 1))
    np.add.at(joint, (ai, bi), 1)

    def pairs(x):
        return float((x * (x - 1) / 2).sum())

    n = len(a)
    index, ra, rb = pairs(joint), pairs(joint.sum(1)), pairs(joint.sum(0))
    expected = ra * rb / (n * (n - 1) / 2)
    top = (ra + rb) / 2
    return (index - expected) / (top - expected) if top != expected else 1.0


def topics_bench(engine: Engine) -> list[str]:
    lines = []
    points = engine.topic_map()
    labels = np.array([collection(Path(p.path)) for p in points])
    n_coll = len(set(labels))
    lines.append(f"files: {len(points)}, collections: {n_coll} {dict(Counter(labels))}")
    rows = []
    for name, k in (("k = collections", n_coll), ("k chosen (silhouette)", None)):
        done = engine.update_topics(full=True, k=k)
        pts = {p.path: p for p in engine.topic_map()}
        got = np.array([pts[p.path].topic for p in points])
        chosen = len(set(got.tolist()))
        rows.append(
            [
                name,
                chosen,
                f"{nmi(labels, got):.3f}",
                f"{ari(labels, got):.3f}",
                f"{done['seconds']:.2f}",
            ]
        )
    lines.append(table(rows, ["k", "topics", "NMI", "ARI", "full compute s"]))
    store = engine.store
    files = sorted(topic_store.read_places(store))[::37][:20]
    with store.write():
        topic_store.drop_places(store, files)
        store.conn.execute("UPDATE topic_space SET generation = -1")
    done = engine.update_topics()
    lines.append(
        f"update after {len(files)} changed files: {done['mode']}, {done['seconds']:.2f} s"
    )
    for t in engine.topics()[:12]:
        lines.append(
            f"  {t.id:>3} {'  ' if t.parent else ''}{t.size:>4} files  {', '.join(t.label)}"
        )
    return lines


def main() -> None:
    data = build()
    counts = {}
    with Engine(data, writer=True) as engine:
        counts = engine.stats()
        links = truth()
        lines = [f"library: {counts['files']} files, {counts['passages']} passages ({LIBRARY})"]
        lines += related_bench(engine, links)
        lines += topics_bench(engine)
    lines.append(f"peak RSS: {peak_rss_mb():.0f} MB")
    text = "\n".join(lines)
    print(text)
    RESULTS.write_text(text + "\n")


if __name__ == "__main__":
    main()
