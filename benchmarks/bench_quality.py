"""Search quality per unit of encoder work, across query sets, beside the naive anchor.

Sets: BEIR SciFact (claims -> abstracts, judged by people; nDCG@10), the 158 natural
questions over the PDF, HTML and Python-docs corpora (MRR@10; PDFs judged by page), and the
Python-docs headings and pasted paragraphs (MRR@10; see bench_retrieval). Every set is
indexed through the Engine with a chunking config and searched in each mode; the anchor
(retrieval_eval.Anchor: 150-word windows overlapping by 30, sentence-transformers, bm25s,
RRF k=60) runs on the same documents in the same run. Hybrid is also scored with the
passages fused by RRF (``rrf_fuse``) instead of the app's convex fusion.

Per-query figures are kept under the cache (``--cache``), one file per config and set, so
``--report`` builds the table from all of them: each figure with the paired bootstrap 95%
interval of its difference from the anchor, encoder tokens per corpus token, phase-2 time,
and leave-one-set-out choices (each choice made on the other sets, scored on the one left).
Indexes and embeddings stay in the cache: a config's passages are embedded once.

    python benchmarks/bench_quality.py --config 250/16 --sets scifact html
    python benchmarks/bench_quality.py --report
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np
from beir import PUBLISHED_MINILM_NDCG10, scifact
from bench_questions import QUESTIONS, corpus_files, files_under
from bench_retrieval import paragraph_split
from common import DOCS, Timer, table
from retrieval_eval import CACHE, Anchor, bootstrap, engine_units, per_query, windows, word_windows
from rst_sections import usable_sections

SETS = ("scifact", "pdf", "html", "rst", "headings", "paragraphs")
MODES = ("keyword", "semantic", "hybrid")
METRIC = {"scifact": 1}  # nDCG@10 for BEIR, MRR@10 for the file-level sets


def load_set(name: str, args) -> tuple[Path, list[tuple[str, set[str]]], bool]:
    """(folder of the set's files, (query, relevant units) pairs, judged by page)."""
    base = args.cache / "corpora" / name
    if name == "scifact":
        return base, scifact(base, args.scifact_docs), False
    if name in ("pdf", "html", "rst"):
        qs = [json.loads(x) for x in QUESTIONS.read_text().splitlines() if x.strip()]
        qs = [q for q in qs if q["corpus"] == name]
        for src in corpus_files(name, {r["file"] for q in qs for r in q["relevant"]}):
            dst = base / src.relative_to(DOCS)
            if not dst.exists():
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst)
        pages = name == "pdf"

        def rel(q: dict) -> set[str]:
            out: set[str] = set()
            for r in q["relevant"]:
                f = str(Path(r["file"]).relative_to(name))
                out |= {f"{f}#{p}" for p in r["pages"]} if pages and r.get("pages") else {f}
            return out

        return base / name, [(q["question"], rel(q)) for q in qs], pages
    secs = usable_sections(DOCS / "rst", 300)
    if name == "headings":
        bodies = [body for _, _, body in secs]
        queries = [(h, {f"s{i:04d}.rst"}) for i, (_, h, _) in enumerate(secs)]
    else:
        splits = [s for s in (paragraph_split(body) for _, _, body in secs) if s]
        bodies = [rest for _, rest in splits]
        queries = [(q, {f"s{i:04d}.rst"}) for i, (q, _) in enumerate(splits)]
    base.mkdir(parents=True, exist_ok=True)
    for i, body in enumerate(bodies):
        path = base / f"s{i:04d}.rst"
        if not path.exists():
            path.write_text(body)
    return base, queries, False


def chunk_config(spec: str):
    """'250/16' -> the app's ChunkConfig with those passage and overlap sizes."""
    from desktop_search.core.index.chunking import ChunkConfig

    size, overlap = (int(x) for x in spec.split("/"))
    return ChunkConfig(max_tokens=size, overlap_tokens=overlap)


def index(folder: Path, data: Path, spec: str):
    """The Engine over ``folder`` with the config: (engine, facts about its cost)."""
    from desktop_search.core.engine import Engine

    engine = Engine(data, chunk_config=chunk_config(spec))
    with Timer() as p1:
        engine.index([str(folder)], embed=False)
    with Timer() as p2:
        report = engine.embed_pending()
    texts = [r[0] for r in engine.store.conn.execute("SELECT text FROM passages")]
    limit = engine.encoder.max_seq_length
    counts = engine.encoder.tokenizer(texts)["input_ids"] if texts else []
    facts = {
        "passages": len(texts),
        "tokens": sum(min(limit, len(ids)) for ids in counts),
        "phase1_s": round(p1.s, 1),
        "phase2_s": round(p2.s, 1),
        "embedded_now": report.passages_embedded,
    }
    return engine, facts


def corpus_tokens(folder: Path) -> int:
    """Tokens of the text itself, as extracted, each file counted once."""
    from transformers import AutoTokenizer

    from desktop_search.core.encode.encoder import default_model_path
    from desktop_search.core.extract.dispatch import ExtractionError, extract_file

    tokenizer = AutoTokenizer.from_pretrained(str(default_model_path()))
    total = 0
    for path in files_under(folder):
        try:
            text = extract_file(path).text
        except ExtractionError:
            continue
        total += len(tokenizer(text, add_special_tokens=False)["input_ids"])
    return total


def run_set(name: str, spec: str, args) -> dict:
    from desktop_search.core.search import ranking

    folder, queries, pages = load_set(name, args)
    metric = METRIC.get(name, 0)
    out_dir = args.cache / "runs" / spec.replace("/", "-")
    data = out_dir / name / "data"
    engine, facts = index(folder, data, spec)
    print(f"{name} {spec}: {facts}", file=sys.stderr, flush=True)
    per_file = 10 if pages else 3
    scores: dict[str, list[float]] = {}
    timing: dict[str, float] = {}
    for mode in MODES:
        with Timer() as t:
            scores[f"app {mode}"] = per_query(
                lambda q, mode=mode: engine_units(
                    engine.search(q, k=10, mode=mode, per_file=per_file), folder, pages
                ),
                queries,
                metric,
            )
        timing[mode] = 1000 * t.s / max(1, len(queries))
    convex = ranking.fuse
    ranking.fuse = rrf_fuse
    try:
        scores["app hybrid rrf"] = per_query(
            lambda q: engine_units(
                engine.search(q, k=10, mode="hybrid", per_file=per_file), folder, pages
            ),
            queries,
            metric,
        )
    finally:
        ranking.fuse = convex
    engine.close()
    wins = windows(folder, files_under(folder), pages)  # the text the app's extractor reads
    anchor = Anchor(wins, args.cache / "anchor")
    for mode in MODES:
        scores[f"anchor {mode}"] = per_query(
            lambda q, mode=mode: anchor.units(q, mode), queries, metric
        )
    facts["anchor_tokens"] = anchor.tokens
    facts["anchor_windows"] = len(wins)
    facts["corpus_tokens"] = corpus_tokens(folder)
    facts["ms_per_query"] = timing
    path = out_dir / f"{name}.json"
    if not facts["embedded_now"] and path.exists():  # a cached index: keep the timed build
        before = json.loads(path.read_text())["facts"]
        facts.update({k: before[k] for k in ("phase1_s", "phase2_s")})
    result = {"set": name, "config": spec, "metric": metric, "facts": facts, "scores": scores}
    path.write_text(json.dumps(result))
    return result


def rrf_fuse(cos, bm25, file_of, alpha=0.0, floor=0.0, k: int = 60):
    """Reciprocal rank fusion of the passages (k=60), files by their best passage: the
    anchor's fusion on the app's candidates, same signature as ``fusion.fuse``."""
    passages: dict = dict.fromkeys(file_of, 0.0)
    for leg in (cos, bm25):
        for r, i in enumerate(sorted(leg, key=lambda i: -leg[i])):
            if i in passages:
                passages[i] += 1 / (k + r + 1)
    files: dict = {}
    for i, s in passages.items():
        files[file_of[i]] = max(files.get(file_of[i], 0.0), s)
    return sorted(files.items(), key=lambda kv: (-kv[1], str(kv[0]))), passages


def token_table(names: list[str], specs: list[str], args) -> str:
    """Encoder tokens per corpus token for each config and the anchor, from the chunker and
    tokenizer alone (no encoder): phase 2's work is proportional to it."""
    from transformers import AutoTokenizer

    from desktop_search.core.encode.encoder import default_model_path
    from desktop_search.core.encode.token_counter import HFTokenCounter
    from desktop_search.core.extract.dispatch import ExtractionError, extract_file
    from desktop_search.core.index.chunking import chunk_extracted

    tok = AutoTokenizer.from_pretrained(str(default_model_path()))
    counter = HFTokenCounter(tok)

    def n(texts: list[str]) -> int:  # with [CLS] and [SEP], as the encoder sees them
        return sum(min(256, len(x)) for x in tok(texts)["input_ids"]) if texts else 0

    rows = []
    for name in names:
        folder, _, _ = load_set(name, args)
        docs = []
        for path in files_under(folder):
            try:
                docs.append(extract_file(path))
            except ExtractionError:
                continue
        corpus = sum(len(tok(d.text, add_special_tokens=False)["input_ids"]) for d in docs)
        segs = [d.text[g.start : g.end] for d in docs for g in d.segments]
        anchor = n([w for t in segs for w in word_windows(t.split())])
        row = [name, corpus, f"{anchor / corpus:.2f}"]
        for spec in specs:
            cfg = chunk_config(spec)
            got = n([c.text for d in docs for c in chunk_extracted(d, counter, cfg)])
            row.append(f"{got / corpus:.2f} ({got / anchor:.2f}x)")
        rows.append(row)
    return table(rows, ["set", "corpus tokens", "anchor", *specs])


# -- report -------------------------------------------------------------------------------


def load_runs(cache: Path) -> dict[tuple[str, str], dict]:
    out = {}
    for path in sorted((cache / "runs").glob("*/*.json")):
        r = json.loads(path.read_text())
        out[(r["config"], r["set"])] = r
    return out


def report(cache: Path) -> str:
    runs = load_runs(cache)
    lines: list[str] = []
    header = ["set", "config", "pipeline", "score", "vs anchor (95% CI)"]
    rows: list[list] = []
    for (spec, name), r in sorted(runs.items(), key=lambda kv: (SETS.index(kv[0][1]), kv[0][0])):
        s = r["scores"]
        mname = "nDCG@10" if r["metric"] == 1 else "MRR@10"
        for pipe in sorted(s, key=lambda p: (not p.startswith("anchor"), p)):
            mean = float(np.mean(s[pipe]))
            cmp = ""
            mode = pipe.split()[1]
            if pipe.startswith("app"):
                lo, hi = bootstrap(list(np.subtract(s[pipe], s[f"anchor {mode}"])))
                d = mean - float(np.mean(s[f"anchor {mode}"]))
                cmp = f"{d:+.3f} ({lo:+.3f}, {hi:+.3f})"
            rows.append([f"{name} ({len(s[pipe])} q, {mname})", spec, pipe, f"{mean:.3f}", cmp])
        f = r["facts"]
        ratio = f["tokens"] / f["anchor_tokens"]
        lines.append(
            f"{name} {spec}: {f['passages']} passages, encoder tokens {f['tokens']} = "
            f"{f['tokens'] / f['corpus_tokens']:.2f} per corpus token ({ratio:.2f}x the "
            f"anchor's {f['anchor_tokens']} = {f['anchor_tokens'] / f['corpus_tokens']:.2f}); "
            f"phase 2 {f['phase2_s']:.0f} s; ms/query "
            + " ".join(f"{m} {v:.0f}" for m, v in f["ms_per_query"].items())
        )
    out = [table(rows, header), "", *lines, "", *loco(runs)]
    if any(n == "scifact" for _, n in runs):
        out.append(
            f"SciFact published all-MiniLM-L6-v2 nDCG@10 (full corpus): {PUBLISHED_MINILM_NDCG10}"
        )
    return "\n".join(out)


def loco(runs: dict[tuple[str, str], dict]) -> list[str]:
    """Leave one set out: the (config, fusion) with the best mean hybrid score over the other
    sets (each set weighing the same), scored on the set left out."""
    sets = sorted({n for _, n in runs}, key=SETS.index)
    specs = sorted({c for c, _ in runs})
    choices = [(c, f) for c in specs for f in ("app hybrid", "app hybrid rrf")]
    choices = [(c, f) for c, f in choices if all((c, n) in runs for n in sets)]
    if len(sets) < 2 or not choices:
        return ["leave-one-set-out: needs every config run on at least two sets"]

    def mean(c: str, f: str, n: str) -> float:
        return float(np.mean(runs[(c, n)]["scores"][f]))

    out = ["leave-one-set-out (choice made on the other sets -> held-out hybrid, anchor hybrid):"]
    for held in sets:
        rest = [n for n in sets if n != held]
        c, f = max(choices, key=lambda cf: np.mean([mean(*cf, n) for n in rest]))
        a = float(np.mean(runs[(c, held)]["scores"]["anchor hybrid"]))
        out.append(
            f"  {held}: chose {c} {f.removeprefix('app ')} -> {mean(c, f, held):.3f} (anchor {a:.3f})"
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", nargs="+", default=["250/16"], help="passage/overlap tokens")
    ap.add_argument("--sets", nargs="+", default=list(SETS), choices=SETS)
    ap.add_argument("--scifact-docs", type=int, default=None, help="a sample (see beir.scifact)")
    ap.add_argument("--cache", type=Path, default=CACHE)
    ap.add_argument("--report", action="store_true", help="only print the table of past runs")
    ap.add_argument("--tokens", action="store_true", help="only encoder tokens per config")
    args = ap.parse_args()
    if args.tokens:
        print(token_table(args.sets, args.config, args))
        return
    if not args.report:
        for name in args.sets:
            for spec in args.config:
                run_set(name, spec, args)
    print(report(args.cache), flush=True)


if __name__ == "__main__":
    main()
