"""Retrieval quality on natural questions: what a person types when they remember the
content but not the words ("how do I ...", a problem, a paraphrase).

The questions (benchmarks/data/questions.jsonl) were written by reading the documents, not
by running any search engine. Each names the relevant file(s), and pages for PDFs; a PDF
is judged by page ("file#page"), other files as a whole. Every corpus is indexed on its own
and cached under bench-out/, as are the anchor's embeddings, so a rerun costs only queries.

For each corpus the table shows the engine's three modes (plus reranking), and the naive
anchor pipeline in the same run (see retrieval_eval).

    python benchmarks/bench_questions.py [--corpus pdf html rst] [--no-anchor] [--rerank]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections import defaultdict
from pathlib import Path

from common import DOCS, ROOT, Timer, table
from retrieval_eval import Anchor, engine_units, evaluate, windows

QUESTIONS = Path(__file__).parent / "data" / "questions.jsonl"
# The Python docs are large (20k passages); the benchmark indexes these folders of them,
# plus any other file a question names.
RST_FOLDERS = ("faq", "howto", "tutorial", "using", "reference", "extending", "installing")
MODES = ("keyword", "semantic", "hybrid")
ENGINE_RUNS = [(m, False) for m in MODES]


def corpus_files(corpus: str, named: set[str]) -> list[Path]:
    root = DOCS / corpus
    files = sorted(p for p in root.rglob("*") if p.is_file())
    if corpus == "rst":
        keep = {DOCS / n for n in named}
        files = [p for p in files if p.relative_to(root).parts[0] in RST_FOLDERS or p in keep]
    return files


def build_index(corpus: str, files: list[Path], work: Path):
    """An engine over a folder of links to ``files``, synced (cached across runs)."""
    from desktop_search.core.engine import Engine

    folder = work / "corpus"
    for src in files:
        dst = folder / src.relative_to(DOCS)
        if not dst.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    engine = Engine(work / "data")
    with Timer() as t:
        report = engine.index([str(folder)])
    for root in engine.stats()["roots"]:
        if root != str(folder):
            engine.forget(root)
    print(
        f"{corpus}: {len(files)} files, {engine.stats()['passages']} passages "
        f"(synced in {t.s:.0f} s, {report.passages_embedded} embedded)",
        flush=True,
    )
    return engine, folder


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", nargs="+", default=["pdf", "html", "rst"])
    ap.add_argument("--no-anchor", action="store_true")
    ap.add_argument("--rerank", action="store_true", help="also hybrid with --rerank (slow)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench-out" / "questions")
    args = ap.parse_args()

    by_corpus: dict[str, list[dict]] = defaultdict(list)
    for line in QUESTIONS.read_text().splitlines():
        if line.strip():
            q = json.loads(line)
            by_corpus[q["corpus"]].append(q)

    rows: list = []
    header = ["corpus", "questions", "pipeline", "MRR@10", "nDCG@10", "recall@10", "ms/query"]
    for corpus in args.corpus:
        rows += run_corpus(corpus, by_corpus[corpus], args)
    print(table(rows, header), flush=True)


def run_corpus(corpus: str, qs: list[dict], args) -> list[list]:
    rows: list[list] = []
    pages = corpus == "pdf"
    named = {r["file"] for q in qs for r in q["relevant"]}
    files = corpus_files(corpus, named)
    engine, folder = build_index(corpus, files, args.out / corpus)
    root = folder / corpus

    def rel(q):
        out = set()
        for r in q["relevant"]:
            f = str(Path(r["file"]).relative_to(corpus))
            out |= {f"{f}#{p}" for p in r["pages"]} if pages and r.get("pages") else {f}
        return out

    queries = [(q["question"], rel(q)) for q in qs]
    per_file = 10 if pages else 3
    runs = ENGINE_RUNS + ([("hybrid", True)] if args.rerank else [])
    for mode, rerank in runs:
        with Timer() as t:
            score = evaluate(
                lambda text, mode=mode, rerank=rerank: engine_units(
                    engine.search(text, k=10, mode=mode, per_file=per_file, rerank=rerank),
                    root,
                    pages,
                ),
                queries,
            )
        label = f"engine {mode}" + (" + rerank" if rerank else "")
        ms = f"{1000 * t.s / len(qs):.0f}"
        rows.append([corpus, len(qs), label, *(f"{s:.3f}" for s in score), ms])
        print(*rows[-1], file=sys.stderr, flush=True)
    engine.close()
    if not args.no_anchor:
        anchor = Anchor(windows(root, files_under(root), pages), args.out / "anchor" / corpus)
        for mode in MODES:
            score = evaluate(lambda text, mode=mode: anchor.units(text, mode), queries)
            rows.append([corpus, len(qs), f"anchor {mode}", *(f"{s:.3f}" for s in score), ""])
    return rows


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


if __name__ == "__main__":
    main()
