"""Choose the near-duplicate cosine threshold from labelled data (STS Benchmark).

Pairs from ../shared/data/stsb/sts-train.csv with a gold score >= 4.0 count as duplicates,
<= 2.0 as not (the pairs in between are left out). Both sentences are embedded with the
app's own encoder (all-MiniLM-L6-v2 via desktop_search.core.encode.encoder), and precision, recall
and F1 are reported at several cosine thresholds. The default is the threshold with the best
F1 on train; the dev split is scored at that threshold as a held-out check.

    nice -n 5 .venv/bin/python benchmarks/bench_dup_threshold.py

Embeddings are cached in bench-out/ (ignored by git); results go to
benchmarks/results/duplicates_threshold.txt.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from desktop_search.core.training.readers import read_stsb_rows as read_pairs

ROOT = Path(__file__).resolve().parents[1]
STSB = ROOT.parent / "shared" / "data" / "stsb"
CACHE = ROOT / "bench-out"
RESULTS = ROOT / "benchmarks" / "results"
DUP, NOT_DUP = 4.0, 2.0
THRESHOLDS = [
    0.50,
    0.55,
    0.60,
    0.65,
    0.70,
    0.72,
    0.74,
    0.75,
    0.76,
    0.78,
    0.80,
    0.82,
    0.85,
    0.90,
    0.95,
]


def embed_cached(texts: list[str], name: str) -> np.ndarray:
    """Embed unique texts once with the app's encoder; cache keyed by the text list."""
    import hashlib

    CACHE.mkdir(exist_ok=True)
    key = hashlib.sha1("\x00".join(texts).encode()).hexdigest()[:12]
    path = CACHE / f"{name}-{key}.npy"
    if path.exists():
        return np.load(path)
    from desktop_search.core.encode.encoder import Encoder

    enc = Encoder()
    t0 = time.perf_counter()
    vecs = enc.encode(texts, batch_size=64)
    print(f"embedded {len(texts)} texts in {time.perf_counter() - t0:.0f}s", file=sys.stderr)
    np.save(path, vecs)
    return vecs


def pair_cosines(rows: list[tuple[str, str, float]], name: str) -> tuple[np.ndarray, np.ndarray]:
    texts = sorted({t for a, b, _ in rows for t in (a, b)})
    pos = {t: i for i, t in enumerate(texts)}
    vecs = embed_cached(texts, name)
    a = vecs[[pos[r[0]] for r in rows]]
    b = vecs[[pos[r[1]] for r in rows]]
    cos = np.einsum("ij,ij->i", a, b)
    gold = np.array([r[2] for r in rows])
    return cos, gold


def prf(cos: np.ndarray, is_dup: np.ndarray, t: float) -> tuple[float, float, float, int, int, int]:
    pred = cos >= t
    tp = int(np.sum(pred & is_dup))
    fp = int(np.sum(pred & ~is_dup))
    fn = int(np.sum(~pred & is_dup))
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f, tp, fp, fn


def labelled(cos: np.ndarray, gold: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = (gold >= DUP) | (gold <= NOT_DUP)
    return cos[keep], gold[keep] >= DUP


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=RESULTS / "duplicates_threshold.txt")
    args = ap.parse_args()

    train_cos, train_gold = pair_cosines(read_pairs(STSB / "sts-train.csv"), "stsb-train")
    dev_cos, dev_gold = pair_cosines(read_pairs(STSB / "sts-dev.csv"), "stsb-dev")
    cos, is_dup = labelled(train_cos, train_gold)

    lines = [
        "Near-duplicate threshold from STS Benchmark (train split)",
        "encoder: all-MiniLM-L6-v2 (desktop_search.core.encode.encoder), cosine of L2-normalised embeddings",
        f"labels: gold score >= {DUP} duplicate, <= {NOT_DUP} not; pairs in between left out",
        f"train pairs used: {len(cos)} of {len(train_cos)} ({int(is_dup.sum())} duplicates, "
        f"{int((~is_dup).sum())} not)",
        "",
        "| threshold | precision | recall | F1 | TP | FP | FN |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for t in THRESHOLDS:
        p, r, f, tp, fp, fn = prf(cos, is_dup, t)
        lines.append(f"| {t:.2f} | {p:.3f} | {r:.3f} | {f:.3f} | {tp} | {fp} | {fn} |")

    # The F1-best threshold on a fine grid, rounded to 0.01 (the slider's step).
    grid = np.round(np.arange(0.50, 0.96, 0.01), 2)
    f1s = np.array([prf(cos, is_dup, t)[2] for t in grid])
    best = float(grid[int(np.argmax(f1s))])
    p, r, f, *_ = prf(cos, is_dup, best)
    dcos, ddup = labelled(dev_cos, dev_gold)
    dp, dr, df, *_ = prf(dcos, ddup, best)
    lines += [
        "",
        f"F1-best threshold on a 0.01 grid (train): {best:.2f}  (P {p:.3f}, R {r:.3f}, F1 {f:.3f})",
        f"held-out dev split at {best:.2f}: P {dp:.3f}, R {dr:.3f}, F1 {df:.3f} "
        f"({len(dcos)} pairs, {int(ddup.sum())} duplicates)",
        f"chosen default: DEFAULT_THRESHOLD = {best:.2f} (desktop_search/core/duplicates/constants.py)",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)


if __name__ == "__main__":
    main()
