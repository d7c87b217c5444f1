"""Repairing a damaged index: what the salvage keeps, and what it saves against re-embedding.

An index database with ``--n`` vectors (the app's real schema, made by ``Store``; the
vectors are random unit vectors, which SQLite stores exactly as real ones) is damaged the
way a failing disk does it: 8 KB of zeros over a leaf page of the vectors table, over an
interior page of it, and at offset 4096 (the issue's case). For each, ``salvage`` runs
as ``desktop-search repair`` does. The baseline is the real encoder, measured in the same
run on real sentences: the time to embed again every vector the salvage could not keep,
and every vector at all (what a rebuild without salvage costs).

    nice -n 5 .venv/bin/python benchmarks/bench_repair.py --n 100000
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

import numpy as np

from desktop_search.core.encode.encoder import Encoder
from desktop_search.core.store.catalog import Store
from desktop_search.core.store.repair import salvage

MODEL = "bench-model|mean|1|256"
SENTENCES = [
    "The committee postponed its decision until the budget figures were final.",
    "Tides are caused mostly by the gravitational pull of the moon.",
    "She repaired the bicycle chain with a spare link and some oil.",
    "The library extended its opening hours during the exam period.",
]


def build(db_dir: Path, n: int) -> None:
    rng = np.random.default_rng(0)
    with Store(db_dir) as store:
        for lo in range(0, n, 10_000):
            vecs = rng.standard_normal((min(10_000, n - lo), 384)).astype(np.float32)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            keys = [
                hashlib.blake2b(str(i).encode(), digest_size=16).hexdigest()
                for i in range(lo, lo + len(vecs))
            ]
            with store.write():
                store.put_vectors(MODEL, dict(zip(keys, vecs)))


def pages(db: Path, kind: str) -> list[int]:
    conn = sqlite3.connect(db)
    try:
        return [
            r[0]
            for r in conn.execute(
                "SELECT pageno FROM dbstat WHERE name = 'vectors' AND pagetype = ? ORDER BY pageno",
                (kind,),
            )
        ]
    finally:
        conn.close()


def encoder_speed() -> float:
    """Passages per second of the real encoder on this machine (256 sentences, warm)."""
    enc = Encoder()
    texts = [f"{s} ({i})" for i in range(64) for s in SENTENCES]
    enc.encode(texts[:32])
    t = time.perf_counter()
    enc.encode(texts)
    return len(texts) / (time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--n", type=int, default=100_000, help="vectors in the index")
    args = ap.parse_args()
    logging.getLogger("desktop_search").setLevel(logging.ERROR)  # the salvage's own log lines
    work = Path(tempfile.mkdtemp(prefix="bench-repair-"))
    try:
        clean = work / "clean"
        build(clean, args.n)
        db = clean / "index.db"
        leaves, interior = pages(db, "leaf"), pages(db, "internal")
        speed = encoder_speed()
        print(
            f"{args.n} vectors, {db.stat().st_size / 2**20:.0f} MB; encoder {speed:.1f} passages/s"
        )
        print(
            f"{'damage':<22}{'salvaged':>10}{'lost':>7}{'salvage s':>11}{'re-embed lost s':>17}{'re-embed all s':>16}{'ratio':>8}"
        )
        for label, page in [
            ("leaf page", leaves[len(leaves) // 2]),
            ("interior page", interior[len(interior) // 2]),
            ("offset 4096", 2),
        ]:
            case = work / label.replace(" ", "-")
            shutil.copytree(clean, case)
            with open(case / "index.db", "r+b") as fh:
                fh.seek((page - 1) * 4096)
                fh.write(b"\0" * 8192)
            t = time.perf_counter()
            report = salvage(case)
            took = time.perf_counter() - t
            lost = args.n - report.vectors_salvaged
            redo, everything = lost / speed, args.n / speed
            print(
                f"{label:<22}{report.vectors_salvaged:>10}{lost:>7}{took:>11.1f}"
                f"{redo:>17.0f}{everything:>16.0f}{everything / (took + redo):>7.0f}x"
            )
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
