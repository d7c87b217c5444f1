"""A million passages: size on disk, build time, a search process's cold start and RSS, and
query latency per mode.

The text is real, cut from ../shared/data (Python docs, gnuplot HTML, R PDFs, STS-B) and
recombined so that every passage differs (see ``synthetic.varied_passages``); the vectors
are synthetic unit vectors (the encoder would need 12 hours for 1M passages here). The
index is built once through the real Store and VectorSet and reused (``--data-dir``);
building 1M takes most of an hour on two cores, so run it with ``nice -n 19``.

The search process is a fresh interpreter: it loads the encoder, opens a reading Engine
(the store, then the HNSW index from disk), and runs the natural questions of
benchmarks/data/questions.jsonl in every mode. Latency includes encoding the query, as in
bench_query.py.

    nice -n 19 python benchmarks/bench_scale.py [--data-dir /work/bench-scale] [--n 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import synthetic
from common import SHARED, Timer, table

QUESTIONS = Path(__file__).parent / "data" / "questions.jsonl"
MODES = ("keyword", "semantic", "hybrid")
TARGETS = {"hybrid p95 ms": 100, "cold start s": 5, "RSS MB": 2500}


def rss_mb(field: str = "VmRSS") -> float:
    """This process's resident set (VmRSS) or its peak (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def disk_mb(path: Path) -> float:
    return sum(p.stat().st_blocks * 512 for p in path.rglob("*") if p.is_file()) / 1e6


def build(data_dir: Path, n: int) -> dict:
    from desktop_search.core.encode.encoder import Encoder

    encoder = Encoder()
    print(f"building {n} passages into {data_dir}; reading sentences from {SHARED}")
    with Timer() as t:
        pool = synthetic.sentences(SHARED)
        files = synthetic.varied_passages(pool, per_file=20)
        synthetic.build(data_dir, encoder.model_id, encoder.dim, files, n)
    info = {"n": n, "build_s": round(t.s, 1), "sentences": len(pool)}
    (data_dir / "bench-build.json").write_text(json.dumps(info))
    return info


def probe(data_dir: Path, queries: list[str]) -> dict:
    """Runs in the fresh search process: open as the CLI does, then query in every mode."""
    t_start = time.perf_counter()
    from desktop_search.core.encode.encoder import Encoder
    from desktop_search.core.engine import Engine
    from desktop_search.core.store.vector_index import _crc32

    out: dict = {"import_s": time.perf_counter() - t_start}
    with Timer() as t:
        encoder = Encoder()
    out["encoder_s"], out["rss_encoder_mb"] = t.s, rss_mb()
    with Timer() as t:
        engine = Engine(data_dir, writer=False, encoder=encoder)
    out["open_s"], out["rss_open_mb"] = t.s, rss_mb()
    out["open_how"] = engine.vectors.last_open
    out["passages"] = engine.vectors.count()
    with Timer() as t:  # the encoder loads its weights at the first query
        engine.search(queries[0], k=10, mode="hybrid")
    out["first_query_ms"], out["ready_at"] = t.s * 1000, time.time()
    with Timer() as t:
        engine.search(queries[1], k=10, mode="hybrid")
    out["second_query_ms"] = t.s * 1000
    for mode in MODES:
        for q in queries[:5]:  # warm the mode's caches
            engine.search(q, k=10, mode=mode)
        times = []
        for q in queries:
            t0 = time.perf_counter()
            engine.search(q, k=10, mode=mode)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        out[mode] = (statistics.median(times), times[int(0.95 * (len(times) - 1))])
    times = []
    for q in queries:  # the same-run baseline: what encoding the query alone costs
        t0 = time.perf_counter()
        encoder.encode([q])
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    out["encode"] = (statistics.median(times), times[int(0.95 * (len(times) - 1))])
    out["rss_peak_mb"], out["rss_end_mb"] = rss_mb("VmHWM"), rss_mb()
    out["load"] = os.getloadavg()[0]
    hnsw = next((data_dir / "vectors").glob("*.hnsw"))
    with Timer() as t:  # the checksum the open leaves to a background thread, on its own
        _crc32(hnsw)
    out["crc_s"] = t.s
    engine.close()
    return out


def run_probe(data_dir: Path, n_queries: int) -> tuple[dict, float]:
    """(the probe's figures, seconds from spawning the process until it could search)."""
    cmd = [sys.executable, __file__, "--probe", "--data-dir", str(data_dir)]
    cmd += ["--queries", str(n_queries)]
    t0 = time.time()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"search process failed:\n{proc.stderr[-3000:]}")
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    spawn_to_ready = figures.pop("ready_at") - t0
    return figures, spawn_to_ready


def questions(n: int) -> list[str]:
    lines = QUESTIONS.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()][:n]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=Path("/work/bench-scale"))
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=128)
    ap.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.probe:  # the search process: figures as one JSON line
        figures = probe(args.data_dir, questions(args.queries))
        print(json.dumps(figures))
        return
    info_file = args.data_dir / "bench-build.json"
    if info_file.exists():
        info = json.loads(info_file.read_text())
        print(f"reusing {args.data_dir} ({info['n']} passages, built in {info['build_s']} s)")
    else:
        info = build(args.data_dir, args.n)
    db = disk_mb(args.data_dir) - disk_mb(args.data_dir / "vectors")
    hnsw = disk_mb(args.data_dir / "vectors")
    figures, ready = run_probe(args.data_dir, args.queries)
    print_table(args, info, figures, db, hnsw, ready)


def print_table(args, info: dict, f: dict, db_mb: float, hnsw_mb: float, ready: float) -> None:
    cold = f["open_s"]
    rows = [
        ["passages", f"{f['passages']:,}", ""],
        ["data folder on disk", f"{(db_mb + hnsw_mb) / 1000:.2f} GB", ""],
        ["  index.db (text, FTS5, vectors)", f"{db_mb / 1000:.2f} GB", ""],
        ["  vectors/ (HNSW file + ids)", f"{hnsw_mb / 1000:.2f} GB", ""],
        ["build (store + HNSW)", f"{info['build_s']:.0f} s", ""],
        ["cold start: open store + load HNSW", f"{cold:.2f} s", "<= 5 s"],
        ["  HNSW file checksum (read beside the first query)", f"{f['crc_s']:.2f} s", ""],
        ["  process spawn to first result", f"{ready:.2f} s", ""],
        ["  imports / tokenizer", f"{f['import_s']:.2f} / {f['encoder_s']:.2f} s", ""],
        [
            "  first / second hybrid query",
            f"{f['first_query_ms']:.0f} / {f['second_query_ms']:.0f} ms",
            "(the first loads the model)",
        ],
        ["search process RSS after open", f"{f['rss_open_mb']:.0f} MB", "<= 2500 MB"],
        ["  of which interpreter + tokenizer", f"{f['rss_encoder_mb']:.0f} MB", ""],
        ["search process peak RSS", f"{f['rss_peak_mb']:.0f} MB", "<= 2500 MB"],
    ]
    rows.append(["search process RSS after the queries", f"{f['rss_end_mb']:.0f} MB", ""])
    for mode in (*MODES, "encode"):
        p50, p95 = f[mode]
        target = "p95 <= 100 ms" if mode == "hybrid" else ""
        name = "query encoding alone" if mode == "encode" else mode
        rows.append(
            [f"{name} p50 / p95 ({args.queries} questions)", f"{p50:.1f} / {p95:.1f} ms", target]
        )
    text = table(rows, ["measure", "result", "target"])
    header = (
        f"# python benchmarks/bench_scale.py --data-dir {args.data_dir}  "
        f"(real text recombined from ../shared/data, synthetic unit vectors; "
        f"HNSW opened as '{f['open_how']}'; latency includes query encoding; "
        f"page cache warm; load average {f['load']:.1f} on 2 cores)\n"
    )
    print(header + text)
    out = Path(__file__).parent / "results" / "scale.txt"
    out.write_text(header + text + "\n")


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    main()
