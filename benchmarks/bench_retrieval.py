"""Retrieval quality on the Python docs: section headings as queries, sections as the relevant
documents. Each section body is indexed as its own file with its heading removed, so a
query must find its section by content, not by the heading's exact words.

    python benchmarks/bench_retrieval.py [--sections 400]
"""

from __future__ import annotations

import argparse
import math
import shutil
import tempfile
from pathlib import Path

from common import DOCS, Timer, table
from rst_sections import usable_sections


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sections", type=int, default=400)
    ap.add_argument("--keep", type=Path, help="keep the corpus and index here")
    ap.add_argument(
        "--budget-share",
        type=float,
        default=0.15,
        help="also run keyword and hybrid with the bm25 rank budget at this share of the "
        "passages (15,000 of 100,000 binds this hard), to show what the bound costs",
    )
    args = ap.parse_args()

    from desktop_search.core.engine import Engine

    secs = usable_sections(DOCS / "rst", args.sections)
    work = args.keep or Path(tempfile.mkdtemp(prefix="ds-retrieval-"))
    corpus = work / "sections"
    if corpus.exists():
        shutil.rmtree(corpus)
    corpus.mkdir(parents=True)
    for i, (_, _, body) in enumerate(secs):
        (corpus / f"s{i:04d}.rst").write_text(body)
    engine = Engine(work / "data")
    engine.indexer.add_root(str(corpus))
    with Timer() as t:
        report = engine.indexer.sync()
    print(
        f"{len(secs)} sections, {engine.store.counts()['passages']} passages, "
        f"indexed in {t.s:.0f} s ({report.passages_embedded} embedded)"
    )
    from desktop_search.core.keyword import RANK_BUDGET

    searcher = engine.searcher()
    share_budget = max(1, int(args.budget_share * engine.store.counts()["passages"]))
    runs = [("keyword", RANK_BUDGET), ("semantic", RANK_BUDGET), ("hybrid", RANK_BUDGET)]
    if args.budget_share:
        runs += [("keyword", share_budget), ("hybrid", share_budget)]
    rows = []
    for mode, budget in runs:
        searcher.keyword_budget = budget
        ndcg = recall = mrr = 0.0
        for i, (_, heading, _) in enumerate(secs):
            target = str(corpus / f"s{i:04d}.rst")
            paths = [r.path for r in engine.search(heading, k=10, mode=mode)]
            if target in paths:
                rank = paths.index(target) + 1
                ndcg += 1 / math.log2(rank + 1)
                recall += 1
                mrr += 1 / rank
        n = len(secs)
        label = mode if budget == RANK_BUDGET else f"{mode}, rank budget {budget} rows"
        rows.append([label, f"{ndcg / n:.4f}", f"{recall / n:.4f}", f"{mrr / n:.4f}"])
    print(table(rows, ["mode", "nDCG@10", "recall@10", "MRR@10"]))
    engine.close()
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
