"""What the search filters' choices cost: ``Engine.facets`` (types with counts, every indexed
folder) on a large index, against the counts the status bar reads after every change.

The app reads the facets when the index's files change (at most every 10 s while a sync
runs), on the search thread; this says how long a search may wait behind it.

    python benchmarks/bench_facets.py [--files 100000] [--folders 5000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from common import table

SUFFIXES = (".pdf", ".txt", ".md", ".html", ".docx", ".py")


def timed(func, repeats: int = 7) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        func()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--folders", type=int, default=5_000)
    args = parser.parse_args()
    from desktop_search.core.search.facets import read_facets
    from desktop_search.core.store.catalog import Store

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp))
        root = "/home/someone/Documents"
        store.add_root(root)
        rows = []
        for i in range(args.files):
            f = i % args.folders  # folders three deep: a/b/c
            folder = f"{root}/area {f // 500}/topic {f // 25}/set {f}"
            rows.append(
                (f"{folder}/file {i}{SUFFIXES[i % len(SUFFIXES)]}", 1, 1000, 0, "text", "ok")
            )
        with store.write():
            store.conn.executemany(
                "INSERT INTO files(path, root_id, size, mtime_ns, kind, state)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
        facets = read_facets(store)
        base = timed(store.counts)
        ms = timed(lambda: read_facets(store))
        print(f"# python benchmarks/bench_facets.py --files {args.files} --folders {args.folders}")
        print(
            table(
                [
                    ["store.counts() (baseline: read after every change)", f"{base:.1f}", "1.00"],
                    [
                        f"Engine.facets() ({len(facets.types)} types,"
                        f" {len(facets.folders):,} folders)",
                        f"{ms:.1f}",
                        f"{ms / base:.2f}",
                    ],
                ],
                ["read", "median ms", "ratio"],
            )
        )
        store.close()


if __name__ == "__main__":
    main()
