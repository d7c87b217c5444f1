"""Retrieval quality on the Python docs, two query sets beside the naive anchor pipeline:

* headings: each section's heading is the query; the section body, heading removed, is
  indexed as its own file. Headings favour exact words (keyword matching).
* paragraphs: a paragraph of at least 40 words is the query; the rest of its section is
  the file to find. Long queries, as when a person pastes text to find where it came from.

    python benchmarks/bench_retrieval.py [--sections 300] [--no-anchor] [--rerank]
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

from common import DOCS, ROOT, Timer, table
from retrieval_eval import Anchor, Window, engine_units, evaluate, word_windows
from rst_sections import usable_sections

MIN_QUERY_WORDS = 40


def paragraph_split(body: str) -> tuple[str, str] | None:
    """(query paragraph, the rest) or None when the section has no long prose paragraph."""
    paras = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
    for i, p in enumerate(paras):
        prose = not p.startswith((".. ", "::", ">>>", "   ")) and len(p.split()) >= MIN_QUERY_WORDS
        rest = "\n\n".join(paras[:i] + paras[i + 1 :])
        if prose and len(rest.split()) >= 60:
            return " ".join(p.split()), rest
    return None


def build(name: str, bodies: list[str], work: Path):
    from desktop_search.core.engine import Engine

    corpus = work / name / "files"
    if corpus.exists():
        shutil.rmtree(corpus)
    corpus.mkdir(parents=True)
    for i, body in enumerate(bodies):
        (corpus / f"s{i:04d}.rst").write_text(body)
    engine = Engine(work / name / "data")
    with Timer() as t:
        report = engine.index([str(corpus)])
    print(
        f"{name}: {len(bodies)} files, {engine.stats()['passages']} passages, "
        f"synced in {t.s:.0f} s ({report.passages_embedded} embedded)",
        flush=True,
    )
    return engine, corpus


def run(name, engine, corpus, queries, work, args, rows: list) -> None:
    from desktop_search.core.search.keyword import RANK_BUDGET

    searcher = engine.searcher()
    n_passages = engine.stats()["passages"]
    tight = max(1, int(0.15 * n_passages))  # as tight as the budget binds at 100k passages
    runs = [("keyword", RANK_BUDGET, False), ("semantic", RANK_BUDGET, False)]
    runs += [("hybrid", RANK_BUDGET, False)]
    if args.rerank:
        runs += [("hybrid", RANK_BUDGET, True)]
    runs += [("keyword", tight, False), ("hybrid", tight, False)]
    for mode, budget, rerank in runs:
        searcher.legs.keyword_budget = budget
        with Timer() as t:
            score = evaluate(
                lambda q, mode=mode, rerank=rerank: engine_units(
                    engine.search(q, k=10, mode=mode, rerank=rerank), corpus, False
                ),
                queries,
            )
        label = f"engine {mode}" + (" + rerank" if rerank else "")
        if budget != RANK_BUDGET:
            label += f", budget {budget} rows"
        ms = f"{1000 * t.s / len(queries):.0f}"
        rows.append([name, len(queries), label, *(f"{s:.3f}" for s in score), ms])
    searcher.legs.keyword_budget = RANK_BUDGET
    if not args.no_anchor:
        files = sorted(corpus.iterdir())
        wins = [Window(p.name, w) for p in files for w in word_windows(p.read_text().split())]
        a = Anchor(wins, work / "anchor" / name)
        for mode in ("keyword", "semantic", "hybrid"):
            score = evaluate(lambda q, mode=mode: a.units(q, mode), queries)
            rows.append([name, len(queries), f"anchor {mode}", *(f"{s:.3f}" for s in score), ""])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sections", type=int, default=300)
    ap.add_argument("--sets", nargs="+", default=["headings", "paragraphs"])
    ap.add_argument("--no-anchor", action="store_true")
    ap.add_argument("--rerank", action="store_true", help="also hybrid with --rerank (slow)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench-out" / "retrieval")
    args = ap.parse_args()

    secs = usable_sections(DOCS / "rst", args.sections)
    rows: list = []
    if "headings" in args.sets:
        engine, corpus = build("headings", [body for _, _, body in secs], args.out)
        queries = [(h, {f"s{i:04d}.rst"}) for i, (_, h, _) in enumerate(secs)]
        run("headings", engine, corpus, queries, args.out, args, rows)
        engine.close()
    if "paragraphs" in args.sets:
        splits = [s for s in (paragraph_split(body) for _, _, body in secs) if s]
        engine, corpus = build("paragraphs", [rest for _, rest in splits], args.out)
        queries = [(q, {f"s{i:04d}.rst"}) for i, (q, _) in enumerate(splits)]
        run("paragraphs", engine, corpus, queries, args.out, args, rows)
        engine.close()
    print(table(rows, ["queries", "n", "pipeline", "MRR@10", "nDCG@10", "recall@10", "ms/query"]))


if __name__ == "__main__":
    main()
