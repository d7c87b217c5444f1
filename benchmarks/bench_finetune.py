"""Fine-tuning benchmark: does the project's trainer match sentence-transformers, and does
``adapt`` help retrieval on a real document library?

(a) One epoch of CosineSimilarityLoss on STS-B train; STS-B dev Spearman before and after,
    with sentence-transformers' own training loop (``old_fit``, the pre-v3 ``fit``) run on the
    same data, batches and hyperparameters in the same run as the anchor. The project's
    result should be within 0.005 of it, and both should beat the base model.
(b) ``adapt`` on the Python docs (.rst): 20% of the mined (heading, section) pairs are held
    out; heading -> section nDCG@10 over the held-out sections before and after, and the
    training time on this machine.

sentence-transformers is a test/benchmark-only dependency: it is imported here, never in
desktop_search. Its Trainer-based ``fit`` needs ``datasets`` and ``accelerate``, which the
project does not install; ``old_fit`` is its plain-torch loop with the same optimiser,
schedule and clipping.

Usage:
    .venv/bin/python benchmarks/bench_finetune.py                 # full run
    .venv/bin/python benchmarks/bench_finetune.py --quick         # minutes, for a smoke test
    .venv/bin/python benchmarks/bench_finetune.py --part a --limit 1600
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from scipy.stats import spearmanr  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"

from desktop_search.core.encode.encoder import Encoder, default_model_path  # noqa: E402
from desktop_search.core.engine.adapting import folder_documents  # noqa: E402
from desktop_search.core.training import (  # noqa: E402
    CosineSimilarityLoss,
    SentenceModel,
    TrainConfig,
    adapt_pairs,
    mine_pairs,
    save_model,
    split_holdout,
    train,
)
from desktop_search.core.training.readers import read_stsb  # noqa: E402


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def progress_logger(name: str):
    def report(p) -> None:
        if p.step % 20 == 0 or p.step == p.total_steps:
            log(f"  [{name}] step {p.step}/{p.total_steps} loss {p.loss:.4f} {p.elapsed_s:.0f}s")

    return report


def sts_spearman(embed, dev) -> float:
    a = embed([ex.texts[0] for ex in dev])
    b = embed([ex.texts[1] for ex in dev])
    cos = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return float(spearmanr(cos, [ex.label for ex in dev]).statistic)


def seed_all(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def part_a(args, base: Path, tmp: Path) -> list[str]:
    from sentence_transformers import InputExample, SentenceTransformer
    from sentence_transformers.sentence_transformer import losses as st_losses
    from torch.utils.data import DataLoader

    train_ex = read_stsb(DATA / "stsb" / "sts-train.csv")
    dev = read_stsb(DATA / "stsb" / "sts-dev.csv")
    # The files are sorted by genre, so a subset is a seeded sample, not the first lines.
    if args.limit:
        train_ex = random.Random(args.seed).sample(train_ex, min(args.limit, len(train_ex)))
    if args.dev_limit:
        dev = random.Random(args.seed).sample(dev, min(args.dev_limit, len(dev)))
    steps = math.ceil(len(train_ex) / args.batch_size)
    warmup = math.ceil(steps * 0.1)
    log(f"(a) {len(train_ex)} train pairs, {len(dev)} dev pairs, {steps} steps")

    base_ours = sts_spearman(Encoder(base).encode, dev)
    st_base = SentenceTransformer(str(base), device="cpu")
    base_st = sts_spearman(lambda t: st_base.encode(t, batch_size=64), dev)

    # The project's trainer.
    model = SentenceModel.load(base)
    cfg = TrainConfig(
        epochs=1,
        batch_size=args.batch_size,
        lr=2e-5,
        warmup_ratio=0.1,
        weight_decay=0.01,
        max_grad_norm=1.0,
        seed=args.seed,
    )
    result = train(
        model,
        CosineSimilarityLoss(model),
        train_ex,
        cfg,
        progress=progress_logger("desktop_search"),
    )
    assert result.steps == steps, (result.steps, steps)
    out = save_model(model, tmp / "ours_sts")
    ours = sts_spearman(Encoder(out).encode, dev)
    t_ours = result.seconds
    del model

    # sentence-transformers' own loop on the same batches (same seeded permutation).
    seed_all(args.seed)
    st_model = SentenceTransformer(str(base), device="cpu")
    examples = [InputExample(texts=list(ex.texts), label=float(ex.label)) for ex in train_ex]
    loader = DataLoader(
        examples,
        batch_size=args.batch_size,
        shuffle=True,
        generator=torch.Generator().manual_seed(args.seed),
    )
    start = time.perf_counter()
    st_model.old_fit(
        train_objectives=[(loader, st_losses.CosineSimilarityLoss(st_model))],
        epochs=1,
        warmup_steps=warmup,
        optimizer_params={"lr": 2e-5},
        weight_decay=0.01,
        max_grad_norm=1.0,
        show_progress_bar=False,
    )
    t_st = time.perf_counter() - start
    st = sts_spearman(lambda t: st_model.encode(t, batch_size=64), dev)

    gap = abs(ours - st)
    ok_gap = gap <= 0.005
    ok_base = ours > base_ours and st > base_st
    return [
        f"(a) STS-B, CosineSimilarityLoss, 1 epoch on {len(train_ex)} train pairs; "
        f"Spearman(cos, score) on {len(dev)} dev pairs",
        f"    batch {args.batch_size}, lr 2e-5, warm-up {warmup}/{steps} steps (10%), "
        f"weight decay 0.01, max grad norm 1.0, seed {args.seed}",
        "",
        f"    {'model':<46} {'dev Spearman':>12} {'train time':>11}",
        f"    {'base, desktop_search Encoder':<46} {base_ours:>12.4f} {'-':>11}",
        f"    {'base, sentence-transformers':<46} {base_st:>12.4f} {'-':>11}",
        f"    {'fine-tuned, desktop_search trainer':<46} {ours:>12.4f} {t_ours:>10.0f}s",
        f"    {'fine-tuned, sentence-transformers old_fit':<46} {st:>12.4f} {t_st:>10.0f}s",
        "",
        f"    |desktop_search - sentence-transformers| = {gap:.4f} "
        f"(target <= 0.005): {'PASS' if ok_gap else 'FAIL'}",
        f"    both beat the base model: {'PASS' if ok_base else 'FAIL'}",
    ]


def retrieval(encoder: Encoder, queries: list[str], passages: list[str]) -> dict[str, float]:
    """Query i's only relevant passage is passage i."""
    q = encoder.encode(queries)
    p = encoder.encode(passages)
    sims = q @ p.T
    own = np.diag(sims)[:, None]
    ranks = (sims > own).sum(axis=1) + 1
    ndcg = np.where(ranks <= 10, 1.0 / np.log2(ranks + 1), 0.0)
    mrr = np.where(ranks <= 10, 1.0 / ranks, 0.0)
    return {
        "ndcg@10": float(ndcg.mean()),
        "mrr@10": float(mrr.mean()),
        "recall@1": float((ranks == 1).mean()),
    }


def part_b(args, base: Path, tmp: Path) -> list[str]:
    folder = DATA / "docs" / "rst"
    docs = list(folder_documents(folder))
    if args.doc_limit:
        docs = docs[: args.doc_limit]
    pairs = mine_pairs(docs)
    train_pairs, held = split_holdout(pairs, 0.2, seed=args.seed)
    queries = [p.query for p in held]
    passages = [p.passage for p in held]
    titles = sum(p.kind == "title" for p in pairs)
    log(f"(b) {len(docs)} docs -> {len(pairs)} pairs; {len(held)} held out")

    before = retrieval(Encoder(base), queries, passages)
    start = time.perf_counter()
    result = adapt_pairs(
        train_pairs,
        base,
        tmp / "adapted",
        epochs=1,
        batch_size=args.batch_size,
        max_pairs=args.adapt_pairs,
        max_seq_length=args.adapt_seq_len,
        seed=args.seed,
        progress=progress_logger("adapt"),
    )
    wall = time.perf_counter() - start
    after = retrieval(Encoder(result.out_dir), queries, passages)
    tr = result.train
    lines = [
        f"(b) adapt on docs/rst: {len(docs)} files -> {len(pairs)} mined pairs "
        f"({len(pairs) - titles} heading/section, {titles} title/opening)",
        f"    held out {len(held)} (20%): queries = their headings/titles, corpus = their "
        f"{len(held)} sections; trained on {result.pairs} of the other {len(train_pairs)} "
        f"pairs (--max-pairs {args.adapt_pairs}),",
        f"    MNRL scale 20, 1 epoch, batch {args.batch_size}, lr 2e-5, training length "
        f"{args.adapt_seq_len} tokens (evaluation at the model's 256)",
        "",
        f"    {'model':<30} {'nDCG@10':>8} {'MRR@10':>8} {'R@1':>8}",
    ]
    for name, m in (("base all-MiniLM-L6-v2", before), ("adapted", after)):
        lines.append(
            f"    {name:<30} {m['ndcg@10']:>8.4f} {m['mrr@10']:>8.4f} {m['recall@1']:>8.4f}"
        )
    lines += [
        "",
        f"    training time: {tr.seconds:.0f}s for {tr.steps} steps ({tr.seconds / max(1, tr.steps):.1f} "
        f"s/step); adapt wall time incl. load and save {wall:.0f}s",
    ]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--part", choices=["a", "b", "all"], default="all")
    ap.add_argument(
        "--limit",
        type=int,
        default=0,
        help="a seeded sample of N STS-B train pairs (default: all 5749)",
    )
    ap.add_argument(
        "--dev-limit",
        type=int,
        default=0,
        help="a seeded sample of N STS-B dev pairs (default: all 1500)",
    )
    ap.add_argument("--doc-limit", type=int, default=0, help="rst files for (b) (default: all)")
    ap.add_argument(
        "--adapt-pairs", type=int, default=480, help="train (b) on at most this many mined pairs"
    )
    ap.add_argument("--adapt-seq-len", type=int, default=128)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: 320 train / 300 dev pairs, 60 docs, 64 adapt pairs",
    )
    args = ap.parse_args()
    if args.quick:
        args.limit = args.limit or 320
        args.dev_limit = args.dev_limit or 300
        args.doc_limit = args.doc_limit or 60
        args.adapt_pairs = 64

    base = default_model_path()
    header = [
        "bench_finetune.py " + " ".join(sys.argv[1:]),
        f"machine: {platform.machine()}, {os.cpu_count()} CPU cores, torch "
        f"{torch.__version__} with {torch.get_num_threads()} threads; base model all-MiniLM-L6-v2",
        "",
    ]
    lines: list[str] = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench_finetune_") as tmp:
        if args.part in ("a", "all"):
            lines += part_a(args, base, Path(tmp))
        if args.part == "all":
            lines.append("")
        if args.part in ("b", "all"):
            lines += part_b(args, base, Path(tmp))
    lines += ["", f"total benchmark time: {time.perf_counter() - start:.0f}s"]
    print("\n".join(header + lines))


if __name__ == "__main__":
    main()
