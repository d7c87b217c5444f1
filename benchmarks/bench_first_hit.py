"""How soon is a new library searchable? Two-phase indexing of ../shared/data/docs.

    python benchmarks/bench_first_hit.py [--docs PATH] [--sample 256] [--rounds 4]

1. ``desktop-search index`` runs as a person would start it (a fresh process, imports and
   model load included) on a copy of the docs, where the file scanned last is given a
   word found nowhere else. The index database is polled every 0.1 s:
   - seconds until every file is keyword-searchable (phase 1 done: all files committed);
   - seconds until the last file's unique word is found by the keyword index.
   The process is then stopped (SIGKILL: indexing is crash-safe) in phase 2.
2. Phase 2 against the encoder alone, in this process, interleaved A/B in ``--rounds``
   rounds so that both see the same machine load: phase 2 embeds the next ``--sample``
   pending passages (``Engine.embed_pending``, with its SQL, transactions and HNSW
   inserts), then the encoder alone embeds the very same texts in one call (sorted by
   length over the whole sample: its best case).
3. End to end for the whole library: phase 1's measured seconds plus every pending text
   at phase 2's measured rate, against every text at the encoder-alone rate.

Targets: every file keyword-searchable <= 30 s; the last file's word <= 30 s; end to end
>= 0.95x the encoder alone.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import DOCS, Timer, table

MARKER = "zyxwarblefirsthit"


def prepare(src: Path) -> tuple[Path, Path, int, int]:
    """(root, the last file in scan order, files, bytes) of a private copy of ``src``."""
    from desktop_search.core.index.scan import ScanRules, scan

    root = Path(tempfile.mkdtemp(prefix="ds-first-hit-")) / "docs"
    shutil.copytree(src, root)
    last = Path(scan(str(root), ScanRules()).files[-1].path)
    if last.suffix not in (".html", ".htm", ".txt", ".md"):
        raise SystemExit(f"the last file scanned is {last}: cannot add a word to it")
    with open(last, "a", encoding="utf-8") as fh:  # text and HTML both keep a trailing line
        fh.write(f"\nA short note about the {MARKER}.\n")
    found = scan(str(root), ScanRules())
    return root, last, len(found.files), sum(f.size for f in found.files)


def watch_phase_one(root: Path, data: Path, files: int) -> tuple[float, float, subprocess.Popen]:
    """Start ``index``; (seconds until all files are committed, until MARKER is found)."""
    cmd = [sys.executable, "-m", "desktop_search.cli", "index", str(root), "--data-dir", str(data)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    all_files = word = None
    while proc.poll() is None and (all_files is None or word is None):
        time.sleep(0.1)
        if not (data / "index.db").exists():
            continue
        try:
            conn = sqlite3.connect(f"file:{data / 'index.db'}?mode=ro", uri=True, timeout=1)
            if (
                all_files is None
                and conn.execute("SELECT count(*) FROM files").fetchone()[0] >= files
            ):
                all_files = time.perf_counter() - t0
            if (
                word is None
                and conn.execute(
                    "SELECT 1 FROM passages_fts WHERE passages_fts MATCH ?", (MARKER,)
                ).fetchone()
            ):
                word = time.perf_counter() - t0
            conn.close()
        except sqlite3.OperationalError:  # created but not yet initialised
            continue
    if all_files is None or word is None:
        raise SystemExit("index ended before phase 1 was seen to finish")
    return all_files, word, proc


def phase_two_vs_encoder(data: Path, sample: int, rounds: int) -> tuple[float, float, int, int]:
    """(phase 2 texts/s, encoder alone texts/s, texts pending, texts embedded here)."""
    from desktop_search.core.engine import Engine
    from desktop_search.core.index.phase2 import pending_window
    from desktop_search.core.store.vector_rows import PENDING

    engine = Engine(data)
    try:
        pending = engine.store.conn.execute(
            f"SELECT count(DISTINCT text_hash) FROM passages p WHERE {PENDING}",
            (engine.encoder.model_id,),
        ).fetchone()[0]
        engine.warm_up()
        t_phase2 = t_alone = 0.0
        done = 0
        for _ in range(rounds):
            texts = [
                t for _, t in pending_window(engine.store, engine.encoder.model_id, limit=sample)
            ]
            with Timer() as a:
                report = engine.embed_pending(limit=len(texts))
            with Timer() as b:
                engine.encoder.encode(texts)
            assert report.passages_embedded == len(texts)
            t_phase2 += a.s
            t_alone += b.s
            done += len(texts)
        return done / t_phase2, done / t_alone, pending, done
    finally:
        engine.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=Path, default=Path(os.environ.get("DESKTOP_SEARCH_DOCS", DOCS)))
    ap.add_argument("--sample", type=int, default=256, help="texts per phase-2 round")
    ap.add_argument("--rounds", type=int, default=4)
    args = ap.parse_args()

    root, last, files, size = prepare(args.docs)
    data = root.parent / "data"
    all_files, word, proc = watch_phase_one(root, data, files)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    phase2, alone, pending, done = phase_two_vs_encoder(data, args.sample, args.rounds)
    e2e_s = all_files + pending / phase2
    alone_s = pending / alone
    shutil.rmtree(root.parent)

    print(f"{files} files, {size / 1e6:.1f} MB from {args.docs}; {pending} distinct passages")
    print(
        table(
            [
                ["every file keyword-searchable", f"{all_files:.1f} s", "<= 30 s"],
                ["last file's unique word found", f"{word:.1f} s", "<= 30 s"],
                [
                    "phase 1 throughput",
                    f"{files / all_files:.0f} files/s, {size / 1e6 / all_files:.2f} MB/s",
                    "",
                ],
                ["phase 2 (sample)", f"{phase2:.1f} passages/s over {done}", ""],
                ["encoder alone (same texts)", f"{alone:.1f} passages/s", "baseline"],
                ["phase 2 / encoder alone", f"{phase2 / alone:.3f}x", ""],
                [
                    "end to end, whole library",
                    f"{e2e_s / 60:.1f} min vs {alone_s / 60:.1f} min",
                    "",
                ],
                ["end to end / encoder alone", f"{alone_s / e2e_s:.3f}x", ">= 0.95x"],
            ],
            ["measure", "value", "target"],
        )
    )


if __name__ == "__main__":
    main()
