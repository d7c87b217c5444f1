"""Phase 2's encoders against sentence-transformers on the same real passages, same run.

python benchmarks/bench_encoder.py [--n 256] [--rounds 3]

Three encoders, interleaved round by round so that machine noise hits all alike: the
torch ``Encoder`` (phase 2 before issue 29), ``PassageEncoder`` on the ONNX export (phase
2 now; the export is made first and its cost printed) and sentence-transformers. Ratios
are medians over the rounds; cosines are against sentence-transformers.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile

import numpy as np
from common import Timer, real_passages, table


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=256)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=32, help="torch and sentence-transformers")
    args = ap.parse_args()

    from sentence_transformers import SentenceTransformer

    from desktop_search.core.encode.encoder import Encoder
    from desktop_search.core.encode.onnx_runner import min_cosine
    from desktop_search.core.encode.passage_encoder import TOKEN_BUDGET, PassageEncoder
    from desktop_search.core.encode.query_encoder import ensure_export
    from desktop_search.core.encode.token_counter import HFTokenCounter

    enc = Encoder(batch_size=args.batch_size)
    st = SentenceTransformer(str(enc.path), device="cpu")
    data = tempfile.mkdtemp(prefix="ds-bench-enc-")
    with Timer() as t_export:
        ensure_export(enc, data)  # in this process, which has torch already
    onnx = PassageEncoder(data)
    texts = real_passages(enc, args.n)
    tokens = HFTokenCounter(enc.tokenizer).count(texts)
    runs = {
        "torch Encoder (phase 2 before)": lambda: enc.encode(texts),
        "ONNX PassageEncoder (phase 2 now)": lambda: onnx.encode(texts),
        "sentence-transformers": lambda: st.encode(
            texts, batch_size=args.batch_size, normalize_embeddings=True
        ),
    }
    for run in runs.values():
        run()  # warm-up: weights, sessions, allocators
    times: dict[str, list[float]] = {name: [] for name in runs}
    out: dict[str, np.ndarray] = {}
    for _ in range(args.rounds):
        for name, run in runs.items():
            with Timer() as t:
                out[name] = run()
            times[name].append(t.s)
    base = statistics.median(times["torch Encoder (phase 2 before)"])
    st_s = statistics.median(times["sentence-transformers"])
    rows = []
    for name, ts in times.items():
        s = statistics.median(ts)
        cos = (
            "-"
            if name == "sentence-transformers"
            else f"{min_cosine(out[name], out['sentence-transformers']):.6f}"
        )
        spread = f"{len(texts) / max(ts):.1f}-{len(texts) / min(ts):.1f}"
        rows.append(
            [name, f"{len(texts) / s:.1f}", spread, f"{base / s:.2f}", f"{st_s / s:.2f}", cos]
        )
    print(
        f"{len(texts)} real passages from docs/rst, mean {np.mean(tokens):.0f} tokens "
        f"(max {max(tokens)}); {args.rounds} interleaved rounds; {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f} at the end"
    )
    print(
        f"ONNX: {onnx.backend}, token budget {TOKEN_BUDGET}, {onnx.load().session.get_session_options().intra_op_num_threads} threads; "
        f"torch: batch {args.batch_size}; export made in {t_export.s:.1f} s (in-process, torch loaded)"
    )
    print(
        table(
            rows,
            ["encoder", "passages/s", "range", "vs torch", "vs ST", "min cosine vs ST"],
        )
    )
    print("targets: ONNX vs torch >= 1.25, min cosine vs ST >= 0.9999")


if __name__ == "__main__":
    main()
