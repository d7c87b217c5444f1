"""End-to-end indexing of ../shared/data/docs against the encoder alone, same run.

    python benchmarks/bench_indexing.py [--limit-files N] [--out bench-out/docs-data]

Reports files/s, passages/s and peak RSS; the ratio compares end-to-end passages/s with
the encoder alone on a sample of the very same passages.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
from pathlib import Path

from common import DOCS, ROOT, Timer, peak_rss_mb, table


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--limit-files", type=int, default=0, help="index only N files (a spread sample)"
    )
    ap.add_argument("--out", type=Path, default=ROOT / "bench-out" / "docs-data")
    ap.add_argument(
        "--sample", type=int, default=1024, help="passages for the encoder-alone runs (median of 3)"
    )
    args = ap.parse_args()

    from desktop_search.core.engine import Engine

    src = DOCS
    if args.limit_files:
        files = sorted(p for p in DOCS.rglob("*") if p.is_file())
        random.Random(0).shuffle(files)
        src = Path(tempfile.mkdtemp(prefix="ds-idx-"))
        for p in files[: args.limit_files]:
            dst = src / p.relative_to(DOCS)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(p, dst)
    if args.out.exists():
        shutil.rmtree(args.out)
    engine = Engine(args.out)
    engine.indexer.add_root(str(src))
    with Timer() as t:
        report = engine.sync()
    counts = engine.store.counts()
    e2e = report.passages_embedded / t.s
    rss = peak_rss_mb()
    texts = [r[0] for r in engine.store.conn.execute("SELECT text FROM passages")]
    sample = random.Random(1).sample(texts, min(args.sample, len(texts)))
    engine.encoder.encode(sample[:8])
    speeds = []
    for _ in range(3):  # this machine's speed drifts by 10-15% from minute to minute
        with Timer() as te:
            engine.encoder.encode(sample)
        speeds.append(len(sample) / te.s)
    alone = statistics.median(speeds)
    engine.close()
    print(
        f"source: {src} ({counts['files']} files indexed, {counts['failed']} failed, "
        f"{counts['skipped']} skipped)"
    )
    print(
        table(
            [
                ["encoder alone (same passages, median of 3)", "-", f"{alone:.1f}", "1.00", "-"],
                [
                    "end-to-end indexing",
                    f"{counts['files'] / t.s:.2f}",
                    f"{e2e:.1f}",
                    f"{e2e / alone:.2f}",
                    f"{rss:.0f}",
                ],
            ],
            ["run", "files/s", "passages/s", "ratio", "peak RSS MB"],
        )
    )
    print(
        f"wall {t.s:.0f} s, {report.passages_embedded} passages embedded; targets: ratio >= 0.85, RSS <= 1536 MB"
    )


if __name__ == "__main__":
    main()
