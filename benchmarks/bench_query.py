"""Query latency per mode, including query encoding.

Two indexes: (1) a real one (any data dir you indexed, e.g. by bench_indexing.py), and
(2) a 100,000-passage index made here: real text passages (cycled from the shared docs,
so FTS5 has real vocabulary) with synthetic unit vectors for the ANN part.

    python benchmarks/bench_query.py [--data-dir bench-out/docs-data] [--n 100000]
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from pathlib import Path

import synthetic
from common import DOCS, ROOT, Timer, table
from rst_sections import usable_sections

QUERIES_FALLBACK = [
    "how to read a file line by line",
    "plot a surface in 3d",
    "install packages from source",
    "regular expression groups",
    "linear regression model",
]


def latency(engine, queries, mode, repeats=1, filters=None):
    times = []
    for _ in range(repeats):
        for q in queries:
            t0 = time.perf_counter()
            engine.search(q, k=10, mode=mode, filters=filters)
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def keyword_agreement(engine, queries) -> float:
    """Share of the unbounded keyword leg's top 10 that the budgeted leg still returns.

    Compared by text with the synthetic index's " [n]" suffix removed, since its passages
    are numbered copies and bm25 ties between copies are broken arbitrarily.
    """
    from desktop_search.core.search.keyword import RANK_BUDGET
    from desktop_search.core.search.query import parse
    from desktop_search.core.search.searcher import Filters

    searcher = engine.searcher()

    def texts(q: str, budget: int, top: int) -> set[str]:
        searcher.legs.keyword_budget = budget
        ids = [i for i, _ in searcher.legs.keyword(parse(q), Filters(), searcher.store)][:top]
        rows = engine.store.passages_by_id(ids)
        return {re.sub(r" \[\d+\]$", "", rows[i]["text"]) for i in ids}

    kept = []
    for q in queries:
        full = texts(q, 10**12, 10)
        if full:
            kept.append(len(full & texts(q, RANK_BUDGET, 120)) / len(full))
    searcher.legs.keyword_budget = RANK_BUDGET
    return statistics.mean(kept) if kept else 1.0


def filtered_runs(folder: str | None):
    from desktop_search.core.search.searcher import Filters

    runs = [("type pdf", Filters(types=("pdf",))), ("type md", Filters(types=("md",)))]
    if folder:
        runs.append(("folder (a tenth)", Filters(folder=folder)))
    return runs


def build_synthetic(data_dir: Path, encoder, n: int) -> None:
    """Real rst passages, cycled as numbered copies, 20 to a file, with random vectors."""
    from desktop_search.core.encode.token_counter import HFTokenCounter
    from desktop_search.core.extract.dispatch import extract_file
    from desktop_search.core.index.chunking import ChunkConfig, chunk_extracted

    counter = HFTokenCounter(encoder.tokenizer)
    texts = []
    for path in sorted((DOCS / "rst").rglob("*.rst.txt"))[:150]:
        texts += [c.text for c in chunk_extracted(extract_file(path), counter, ChunkConfig())]
    synthetic.build(data_dir, encoder.model_id, encoder.dim, synthetic.cycled(texts, 20), n)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=ROOT / "bench-out" / "docs-data")
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=60)
    args = ap.parse_args()

    from desktop_search.core.encode.encoder import Encoder
    from desktop_search.core.engine import Engine

    encoder = Encoder()
    encoder.encode(["warm up"])
    queries = [h for _, h, _ in usable_sections(DOCS / "rst", args.queries)] or QUERIES_FALLBACK
    rows = []
    with Timer() as t:
        encoder.encode(queries[:1])
    enc_ms = []
    for q in queries:
        t0 = time.perf_counter()
        encoder.encode([q])
        enc_ms.append((time.perf_counter() - t0) * 1000)
    rows.append(
        [
            "query encoding alone",
            "-",
            f"{statistics.median(enc_ms):.1f}",
            f"{sorted(enc_ms)[int(0.95 * (len(enc_ms) - 1))]:.1f}",
        ]
    )
    targets, agreement = [], []
    if (args.data_dir / "index.db").exists():
        targets.append(("docs index", args.data_dir))
    synth = ROOT / "bench-out" / f"synthetic-typed-{args.n}"
    if not (synth / "index.db").exists():
        with Timer() as t:
            build_synthetic(synth, encoder, args.n)
        print(f"built the {args.n}-passage index in {t.s:.0f} s")
    targets.append((f"{args.n // 1000}k passages", synth))
    for name, path in targets:
        engine = Engine(path, encoder=encoder, writer=False)
        n = engine.store.counts()["passages"]
        for mode in ("keyword", "semantic", "hybrid"):
            latency(engine, queries[:5], mode)  # warm caches
            p50, p95 = latency(engine, queries, mode)
            rows.append([f"{name} ({n} passages)", mode, f"{p50:.1f}", f"{p95:.1f}"])
        folder = "/synthetic/d3" if path == synth else None
        for label, filters in filtered_runs(folder):
            p50, p95 = latency(engine, queries, "hybrid", filters=filters)
            rows.append([f"{name} ({n} passages)", f"hybrid, {label}", f"{p50:.1f}", f"{p95:.1f}"])
        agreement.append(f"{name}: {keyword_agreement(engine, queries):.3f}")
        engine.close()
    print(table(rows, ["index", "mode", "p50 ms", "p95 ms"]))
    print("target: hybrid p95 <= 100 ms including query encoding")
    print(
        "hybrid keyword leg: share of the unbounded bm25 top 10 kept under the rank budget:",
        ", ".join(agreement),
    )


if __name__ == "__main__":
    main()
