"""Fresh indexes of ../shared/data/docs with phase 2 on torch and on the ONNX export, and
each encoder alone on the same passages, in one run.

    python benchmarks/bench_indexing.py [--limit-files N] [--out bench-out/docs-data]

For each backend: a fresh data folder, phase 1 (text and keywords), then phase 2 (vectors);
the ONNX run starts from no export, so its phase 1 overlaps the export's child process
and its phase 2 includes any wait for it. Then the torch ``Encoder``, the ONNX
``PassageEncoder`` and sentence-transformers embed a sample of the very same passages,
interleaved over three rounds (this machine is shared and drifts minute to minute).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import tempfile
from pathlib import Path

from common import DOCS, ROOT, Timer, peak_rss_mb, table


def index_once(out: Path, src: Path, encoder) -> dict:
    """One fresh index of ``src`` in ``out``: phase 1 and 2 timed apart."""
    from desktop_search.core.engine import Engine

    if out.exists():
        shutil.rmtree(out)
    engine = Engine(out, encoder=encoder)
    engine.indexer.add_root(str(src))
    with Timer() as total:
        with Timer() as p1:
            engine.sync(embed=False)
        with Timer() as p2:
            report = engine.embed_pending()
    counts = engine.store.counts()
    texts = [r[0] for r in engine.store.conn.execute("SELECT text FROM passages")]
    backend = engine.model_backend()
    export_s = getattr(engine.encoder, "export_seconds", None)
    engine.close()
    return {
        "files": counts["files"],
        "embedded": report.passages_embedded,
        "p1": p1.s,
        "p2": p2.s,
        "total": total.s,
        "texts": texts,
        "backend": backend,
        "export_s": export_s,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--limit-files", type=int, default=0, help="index only N files (a spread sample)"
    )
    ap.add_argument("--out", type=Path, default=ROOT / "bench-out" / "docs-data")
    ap.add_argument("--sample", type=int, default=512, help="passages for the encoder-alone runs")
    args = ap.parse_args()

    from sentence_transformers import SentenceTransformer

    from desktop_search.core.encode.encoder import Encoder
    from desktop_search.core.encode.passage_encoder import PassageEncoder

    src = DOCS
    if args.limit_files:
        files = sorted(p for p in DOCS.rglob("*") if p.is_file())
        random.Random(0).shuffle(files)
        src = Path(tempfile.mkdtemp(prefix="ds-idx-"))
        for p in files[: args.limit_files]:
            dst = src / p.relative_to(DOCS)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(p, dst)
    for p in src.rglob("*"):  # both runs read the files from the page cache
        if p.is_file():
            p.read_bytes()
    torch_enc = Encoder()
    runs = {
        "torch": index_once(args.out / "torch", src, torch_enc),
        "onnx": index_once(args.out / "onnx", src, None),  # a fresh index: no export yet
    }
    texts = runs["onnx"]["texts"]
    sample = random.Random(1).sample(texts, min(args.sample, len(texts)))
    onnx = PassageEncoder(args.out / "onnx")  # the export the ONNX run made
    st = SentenceTransformer(str(torch_enc.path), device="cpu")
    alone = {
        "torch": lambda: torch_enc.encode(sample),
        "onnx": lambda: onnx.encode(sample),
        "sentence-transformers": lambda: st.encode(sample, batch_size=32),
    }
    for run in alone.values():
        run()
    speeds: dict[str, list[float]] = {k: [] for k in alone}
    for _ in range(3):
        for name, run in alone.items():
            with Timer() as t:
                run()
            speeds[name].append(len(sample) / t.s)
    speed = {k: statistics.median(v) for k, v in speeds.items()}
    counts = runs["onnx"]
    print(f"source: {src} ({counts['files']} files, {counts['embedded']} passages embedded)")
    rows = [
        ["sentence-transformers alone", "-", "-", "-", f"{speed['sentence-transformers']:.1f}", "-"]
    ]
    for name, r in runs.items():
        e2e = r["embedded"] / r["total"]
        rows.append(
            [
                f"{name} alone (sample of {len(sample)}, median of 3)",
                "-",
                "-",
                "-",
                f"{speed[name]:.1f}",
                "1.00",
            ]
        )
        rows.append(
            [
                f"{name} indexing: {r['backend']}",
                f"{r['p1']:.0f}",
                f"{r['p2']:.0f}",
                f"{r['total']:.0f}",
                f"{e2e:.1f}",
                f"{e2e / speed[name]:.2f}",
            ]
        )
    print(
        table(
            rows,
            ["run", "phase 1 s", "phase 2 s", "done s", "passages/s", "vs alone"],
        )
    )
    t, o = runs["torch"], runs["onnx"]
    print(
        f"ONNX vs torch: encoder alone {speed['onnx'] / speed['torch']:.2f}x; phase 2 "
        f"{o['embedded'] / o['p2'] / (t['embedded'] / t['p2']):.2f}x the passages/s; a fresh "
        f"index finishes phase 2 {100 * (1 - o['total'] / t['total']):.0f}% sooner "
        f"(export made in a child during phase 1: {o['export_s'] or 0:.0f} s)"
    )
    print(
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end; peak RSS "
        f"{peak_rss_mb():.0f} MB (one process: both runs and three encoders)"
    )
    print("targets: end-to-end vs alone >= 0.95; phase 2 done >= 20% sooner")


if __name__ == "__main__":
    main()
