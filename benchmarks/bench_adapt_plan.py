"""How well Tools ▸ Adapt's time estimate (``Engine.adapt_plan``) matches a real run.

Indexes a folder of real documents (default: the 22 Python-docs pages in tests/fixtures),
asks for the plan (pairs mined for real, the encoder's speed measured), then runs
``Engine.adapt`` with the same options and times its three parts from its own progress:
reading (mining), training, re-embedding. The baseline is the plan itself; the table gives
measured / predicted for each part.

    nice -n 5 .venv/bin/python benchmarks/bench_adapt_plan.py [--docs DIR] [--max-pairs N]
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

from desktop_search.core.engine import Engine
from desktop_search.core.engine.adapting import AdaptOptions

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--docs", type=Path, default=ROOT / "tests" / "fixtures" / "docs" / "rst")
    ap.add_argument("--max-pairs", type=int, default=5000)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    options = AdaptOptions(max_pairs=args.max_pairs)
    with tempfile.TemporaryDirectory() as tmp, Engine(Path(tmp) / "data") as engine:
        engine.index([str(args.docs)])
        plan = engine.adapt_plan(options)
        marks: dict[str, float] = {}

        def progress(p) -> None:
            marks.setdefault(p.phase, time.perf_counter())

        t0 = time.perf_counter()
        outcome = engine.adapt(options, progress=progress)
        end = time.perf_counter()
    assert outcome.active, outcome
    measured = {
        "reading": marks["training"] - t0,
        "training": marks["re-embedding"] - marks["training"],
        "re-embedding": end - marks["re-embedding"],
    }
    predicted = {"reading": plan.read_s, "training": plan.train_s, "re-embedding": plan.embed_s}
    print(
        f"{args.docs}: {plan.files} files, {plan.pairs} pairs (trained on {plan.used_pairs}), "
        f"{plan.passages} passages; speed measured {plan.speed:.1f} passages/s"
    )
    print(f"{'part':<14}{'predicted s':>12}{'measured s':>12}{'ratio':>8}")
    for part in ("reading", "training", "re-embedding"):
        ratio = measured[part] / predicted[part] if predicted[part] else float("nan")
        print(f"{part:<14}{predicted[part]:>12.1f}{measured[part]:>12.1f}{ratio:>8.2f}")
    total_p, total_m = plan.seconds, end - t0
    print(f"{'total':<14}{total_p:>12.1f}{total_m:>12.1f}{total_m / total_p:>8.2f}")


if __name__ == "__main__":
    main()
