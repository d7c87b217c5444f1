"""Cold command-line searches: one process per query, as a launcher or an editor runs them.

Builds (or reuses, with --data-dir) an index of ../shared/data/docs, leaves the query
model's ONNX export in it, then times cold ``desktop-search search`` processes in each
mode, beside baselines measured in the same run: the interpreter alone, ``import torch,
transformers`` (the old floor), and the same query through the torch encoder path (what
every search process paid before the export).

    python benchmarks/bench_cli.py [--data-dir DIR] [--limit-files N] [--vectors random]

``--vectors random`` indexes the real documents (the same extraction, chunks and FTS rows)
but stores random unit vectors instead of running the encoder (about 22 passages/s on two
free cores: 19 min for the 25k passages). Search processes still encode the query with
the real model, so the timings are those of real searches; only the semantic ranking is
meaningless. Shared data: DESKTOP_SEARCH_SHARED, else ../shared/data.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from common import ROOT, table

QUERIES = [
    "how do I plot a surface with contour lines",
    "read a csv file into a data frame",
    "regular expression named groups",
    "install a package from source",
    "set the terminal to png output",
    "linear regression with weights",
]
TARGETS = {"keyword": 0.5, "hybrid": 1.5}
TORCH_PATH = """
import sys
from desktop_search.core.encode.encoder import Encoder
from desktop_search.core.engine import Engine
with Engine(sys.argv[1], writer=False, encoder=Encoder()) as engine:
    engine.search(sys.argv[3], mode=sys.argv[2], best_sentence=sys.argv[4] == "1")
"""
MODULES = """
import json, sys
from desktop_search.cli import cli
try:
    cli(sys.argv[2:], prog_name="desktop-search", standalone_mode=False)
finally:
    with open(sys.argv[1], "w") as fh:
        json.dump(sorted(sys.modules), fh)
"""


class RandomVectors:
    """Stands in for the encoder while indexing (``--vectors random``): the real tokenizer
    and model facts, so chunks and the vector set's name are real; a random unit vector
    per text, seeded by the text."""

    def __init__(self, encoder) -> None:
        self.tokenizer, self.info, self.path = encoder.tokenizer, encoder.info, encoder.path
        self.model_id, self.dim = encoder.model_id, encoder.dim
        self.max_seq_length = encoder.max_seq_length

    def encode(self, texts, *, batch_size=None, progress=None) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            seed = int.from_bytes(hashlib.sha1(text.encode("utf-8", "replace")).digest()[:8])
            v = np.random.default_rng(seed).standard_normal(self.dim)
            out[i] = v / np.linalg.norm(v)
        if progress:
            progress(len(texts))
        return out


def shared_docs() -> Path:
    base = os.environ.get("DESKTOP_SEARCH_SHARED")
    return (Path(base) if base else ROOT.parent / "shared" / "data") / "docs"


def corpus(limit: int | None, out: Path) -> Path:
    """The docs folder, or a folder of links to its first ``limit`` files."""
    docs = shared_docs()
    if not limit:
        return docs
    files = sorted(p for p in docs.rglob("*") if p.is_file())[:limit]
    for p in files:
        link = out / p.relative_to(docs)
        link.parent.mkdir(parents=True, exist_ok=True)
        if not link.exists():
            link.symlink_to(p)
    return out


def build(data_dir: Path, folder: Path, vectors: str) -> float:
    from desktop_search.core.encode.encoder import Encoder
    from desktop_search.core.engine import Engine

    encoder = Encoder()
    stand_in = RandomVectors(encoder) if vectors == "random" else encoder
    t0 = time.perf_counter()
    with Engine(data_dir, encoder=stand_in) as engine:
        engine.index([str(folder)])
    return time.perf_counter() - t0


def export(data_dir: Path) -> float:
    from desktop_search.core.encode.encoder import Encoder
    from desktop_search.core.encode.query_encoder import ensure_export, export_path

    encoder = Encoder()
    if export_path(data_dir, encoder.info).exists():
        return 0.0
    t0 = time.perf_counter()
    ensure_export(encoder, data_dir)
    return time.perf_counter() - t0


CPU_S: list[float] = []
"""CPU seconds (user + system) of each process the last ``runs`` made: on a machine
shared with other work, wall time stretches with the load; CPU time much less."""


def cold(argv: list[str]) -> float:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU_S.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return wall


def runs(argv: list[str], n: int) -> list[float]:
    """Seconds of ``n`` cold processes; "{q}" in ``argv`` becomes a different query each."""
    CPU_S.clear()
    return [cold([QUERIES[i % len(QUERIES)] if a == "{q}" else a for a in argv]) for i in range(n)]


def modules_of(data_dir: Path, mode: str) -> list[str]:
    out = ROOT / "bench-out" / "cli-modules.json"
    argv = ["search", QUERIES[0], "--mode", mode, "--json", "--data-dir", str(data_dir)]
    cold([sys.executable, "-c", MODULES, str(out), *argv])
    mods = set(json.loads(out.read_text()))
    return [m for m in ("torch", "transformers", "onnxruntime", "hnswlib") if m in mods]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=ROOT / "bench-out" / "cli-data")
    ap.add_argument("--limit-files", type=int, default=None)
    ap.add_argument("--vectors", choices=("real", "random"), default="real")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    data = args.data_dir.resolve()
    if not (data / "index.db").exists():
        folder = corpus(args.limit_files, ROOT / "bench-out" / "cli-corpus")
        print(f"indexing {folder} ({args.vectors} vectors) …", flush=True)
        print(f"indexed in {build(data, folder, args.vectors):.0f} s")
    print(f"query model export: {export(data):.1f} s (0 = already there)")
    from desktop_search.core.engine import Engine

    status = Engine.read_status(data)
    print(f"index: {status['files']} files, {status['passages']} passages ({data})")

    # Byte-code, as an installed package has it (pip compiles at install time; a checkout
    # run with PYTHONDONTWRITEBYTECODE would compile every module in every process).
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "desktop_search")], check=True
    )
    exe = str(Path(sys.executable).with_name("desktop-search"))
    rows = []
    floor = statistics.median(runs([sys.executable, "-c", "pass"], args.runs))
    rows.append(
        ["python -c pass", "", f"{floor:.2f}", "", f"{statistics.median(CPU_S):.2f}", "", ""]
    )
    heavy = statistics.median(runs([sys.executable, "-c", "import torch, transformers"], args.runs))
    rows.append(
        [
            "import torch, transformers",
            "",
            f"{heavy:.2f}",
            "",
            f"{statistics.median(CPU_S):.2f}",
            "",
            "",
        ]
    )
    for mode in ("keyword", "semantic", "hybrid"):
        for json_out in (True, False):
            marks = "0" if json_out or mode == "keyword" else "1"  # as the CLI does
            old = runs([sys.executable, "-c", TORCH_PATH, str(data), mode, "{q}", marks], args.runs)
            argv = [exe, "search", "{q}", "--mode", mode, "--data-dir", str(data)]
            new = runs(argv + (["--json"] if json_out else []), args.runs)
            cpu = statistics.median(CPU_S)
            med, old_med = statistics.median(new), statistics.median(old)
            label = f"search --mode {mode}" + (" --json" if json_out else "")
            target = f"<= {TARGETS[mode]}" if mode in TARGETS else ""
            rows.append(
                [
                    label,
                    target,
                    f"{med:.2f}",
                    f"{max(new):.2f}",
                    f"{cpu:.2f}",
                    f"{old_med:.2f}",
                    f"{med / old_med:.2f}",
                ]
            )
    header = ["cold process", "target s", "median s", "max s", "cpu s", "torch path s", "ratio"]
    print(table(rows, header))
    print(f"runs per row: {args.runs}; load average at the end: {os.getloadavg()[0]:.1f}")
    print("modules a keyword search imports:", modules_of(data, "keyword") or "none of them")
    print("modules a hybrid search imports:", modules_of(data, "hybrid"))


if __name__ == "__main__":
    main()
