"""Reader for the STS Benchmark files in ../shared/data/stsb (tests and benchmarks)."""

from __future__ import annotations

from pathlib import Path


def read_stsb(path: Path) -> list[tuple[str, str, float]]:
    """(sentence1, sentence2, score 0..5); split on tabs, no quote handling, extra columns ignored."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) >= 7:
            rows.append((cols[5], cols[6], float(cols[4])))
    return rows
