"""Encoder throughput against sentence-transformers on the same real passages, same run.

python benchmarks/bench_encoder.py [--n 200] [--repeats 2]
"""

from __future__ import annotations

import argparse
import statistics

import numpy as np
from common import Timer, real_passages, table


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=32)
    args = ap.parse_args()

    from sentence_transformers import SentenceTransformer

    from desktop_search.core.encode.encoder import Encoder
    from desktop_search.core.encode.token_counter import HFTokenCounter

    enc = Encoder(batch_size=args.batch_size)
    st = SentenceTransformer(str(enc.path), device="cpu")
    texts = real_passages(enc, args.n)
    tokens = HFTokenCounter(enc.tokenizer).count(texts)
    enc.encode(texts[:8])
    st.encode(texts[:8])
    ours_t, theirs_t = [], []
    for _ in range(args.repeats):  # interleaved, so machine noise hits both alike
        with Timer() as t:
            ours = enc.encode(texts)
        ours_t.append(t.s)
        with Timer() as t:
            theirs = st.encode(texts, batch_size=args.batch_size, normalize_embeddings=True)
        theirs_t.append(t.s)
    cos = np.sum(ours * theirs, axis=1)
    o, s = statistics.median(ours_t), statistics.median(theirs_t)
    print(
        f"{len(texts)} real passages from docs/rst, mean {np.mean(tokens):.0f} tokens (max {max(tokens)})"
    )
    print(
        table(
            [
                ["sentence-transformers encode", f"{len(texts) / s:.1f}", "1.00", "-"],
                [
                    "desktop_search Encoder",
                    f"{len(texts) / o:.1f}",
                    f"{s / o:.2f}",
                    f"{cos.min():.6f}",
                ],
            ],
            ["encoder", "passages/s", "ratio", "min cosine vs ST"],
        )
    )


if __name__ == "__main__":
    main()
