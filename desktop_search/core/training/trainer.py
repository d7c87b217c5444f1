"""The training loop: AdamW, linear warm-up and decay, gradient clipping, a fixed seed.

The loop mirrors sentence-transformers' own (``fit``) step for step, so that the two give
the same quality on the same data; the benchmark checks that. It reports every step to a
callback and stops between steps when a ``threading.Event`` is set, so that a GUI can show
progress and offer a Cancel button without the loop knowing about Qt.
"""

from __future__ import annotations

import math
import os
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor, nn

from desktop_search.core.encode.pooling import l2_normalize, pool
from desktop_search.core.errors import TrainingError

from .losses import cos_sim_matrix
from .readers import Example


class SentenceModel(nn.Module):
    """The trainable form of the project's encoder: transformer, pooling, optional Normalize.

    It pools with the same ``pool`` function as ``Encoder``, so what is trained here is
    exactly what the app will run.
    """

    def __init__(self, transformer, tokenizer, pooling: str, normalize: bool, max_seq_length: int):
        super().__init__()
        self.transformer = transformer
        self.tokenizer = tokenizer
        self.pooling = pooling
        self.normalize = normalize
        self.max_seq_length = int(max_seq_length)

    @classmethod
    def load(
        cls, path: str | os.PathLike | None = None, max_seq_length: int | None = None
    ) -> SentenceModel:
        """A fresh copy from a model folder (never the app's live encoder, which serves searches)."""
        from desktop_search.core.encode.encoder import Encoder

        enc = Encoder(path, max_seq_length=max_seq_length)
        return cls(enc.model, enc.tokenizer, enc.pooling, enc.normalize, enc.max_seq_length)

    @property
    def dim(self) -> int:
        return int(self.transformer.config.hidden_size)

    def forward(self, texts: Sequence[str]) -> Tensor:
        device = next(self.transformer.parameters()).device
        enc = self.tokenizer(
            list(texts),
            padding=True,
            truncation=True,
            max_length=self.max_seq_length,
            return_tensors="pt",
        ).to(device)
        emb = pool(self.pooling, self.transformer(**enc).last_hidden_state, enc["attention_mask"])
        return l2_normalize(emb) if self.normalize else emb

    @torch.no_grad()
    def embed(self, texts: Sequence[str], batch_size: int = 64) -> Tensor:
        """Inference in eval mode (no dropout), restoring the previous mode afterwards."""
        was_training = self.training
        self.eval()
        try:
            order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
            out = torch.empty(len(texts), self.dim)
            for start in range(0, len(order), batch_size):
                idx = order[start : start + batch_size]
                out[idx] = self([texts[i] for i in idx]).float().cpu()
            return out
        finally:
            self.train(was_training)


@dataclass
class TrainConfig:
    """Defaults are sentence-transformers' for fine-tuning small sentence encoders."""

    epochs: int = 1
    batch_size: int = 16
    lr: float = 2e-5
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    max_grad_norm: float = 1.0
    seed: int = 42
    eval_steps: int = 0  # 0: evaluate (when there is dev data) only after each epoch
    max_steps: int = 0  # 0: no cap; else stop after this many steps (for quick runs, tests)
    # Truncate texts to this many tokens while training (cheaper on a CPU); the model keeps,
    # and saves, its own limit for inference.
    max_seq_length: int | None = None


@dataclass
class Progress:
    """What the progress callback gets after each step (``eval`` only after an evaluation)."""

    step: int
    total_steps: int
    epoch: int
    loss: float
    lr: float
    elapsed_s: float
    eval: dict[str, float] | None = None


@dataclass
class TrainResult:
    steps: int
    total_steps: int
    losses: list[float] = field(default_factory=list)
    evals: list[tuple[int, dict[str, float]]] = field(default_factory=list)
    seconds: float = 0.0
    cancelled: bool = False


def set_seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def linear_schedule(step: int, warmup_steps: int, total_steps: int) -> float:
    """LR factor: 0 -> 1 over the warm-up, then 1 -> 0 at the last step (as transformers' own)."""
    if step < warmup_steps:
        return step / max(1, warmup_steps)
    return max(0.0, (total_steps - step) / max(1, total_steps - warmup_steps))


def shuffled_batches(n: int, batch_size: int, generator: torch.Generator) -> list[list[int]]:
    """One epoch of index batches; ``randperm`` with a seeded generator, as a DataLoader does."""
    order = torch.randperm(n, generator=generator).tolist()
    return [order[i : i + batch_size] for i in range(0, n, batch_size)]


def no_duplicate_batches(
    examples: Sequence[Example], batch_size: int, generator: torch.Generator
) -> list[list[int]]:
    """Shuffled batches in which no text occurs twice.

    With in-batch negatives a duplicate would make a correct answer count as wrong. An
    example that clashes with the batch being filled waits for a later batch.
    """
    pending = torch.randperm(len(examples), generator=generator).tolist()
    batches: list[list[int]] = []
    while pending:
        batch: list[int] = []
        seen: set[str] = set()
        rest: list[int] = []
        for idx in pending:
            texts = set(examples[idx].texts)
            if (
                len(batch) < batch_size
                and not (texts & seen)
                and len(texts) == len(examples[idx].texts)
            ):
                batch.append(idx)
                seen |= texts
            else:
                rest.append(idx)
        if not batch:  # only examples that repeat a text within themselves remain
            batch, rest = rest[:1], rest[1:]
        batches.append(batch)
        pending = rest
    return batches


def _param_groups(model: nn.Module, weight_decay: float) -> list[dict]:
    """No weight decay on biases and LayerNorm weights, as transformers and ST do."""
    no_decay = ("bias", "LayerNorm.weight", "layer_norm.weight", "norm.weight")
    decay, plain = [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        (plain if name.endswith(no_decay) else decay).append(param)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": plain, "weight_decay": 0.0}]


def _rank(x: np.ndarray) -> np.ndarray:
    """Ranks with ties averaged (what Spearman needs)."""
    order = np.argsort(x, kind="mergesort")
    ranks = np.empty(len(x), dtype=np.float64)
    sorted_x = x[order]
    i = 0
    while i < len(x):
        j = i
        while j + 1 < len(x) and sorted_x[j + 1] == sorted_x[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0
        i = j + 1
    return ranks


def spearman(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    rx, ry = _rank(np.asarray(x, dtype=np.float64)), _rank(np.asarray(y, dtype=np.float64))
    rx -= rx.mean()
    ry -= ry.mean()
    denom = math.sqrt(float((rx * rx).sum() * (ry * ry).sum()))
    return float((rx * ry).sum() / denom) if denom else 0.0


def evaluate(
    model: SentenceModel, dev: Sequence[Example], batch_size: int = 64
) -> dict[str, float]:
    """Dev metric by the kind of data: Spearman for scored pairs, accuracy for triplets,
    and for positive pairs how often an anchor's own positive ranks first among all of them.
    """
    if not dev:
        return {}
    columns = list(zip(*(ex.texts for ex in dev), strict=True))
    emb = model.embed([t for col in columns for t in col], batch_size=batch_size)
    cols = torch.split(emb, len(dev))
    if dev[0].label is not None:
        cos = torch.nn.functional.cosine_similarity(cols[0], cols[1]).numpy()
        return {"spearman": spearman(cos, [ex.label for ex in dev])}
    if len(cols) == 3:
        pos = torch.nn.functional.cosine_similarity(cols[0], cols[1])
        neg = torch.nn.functional.cosine_similarity(cols[0], cols[2])
        return {"accuracy": float((pos > neg).float().mean())}
    sims = cos_sim_matrix(cols[0], cols[1])
    own = sims.diagonal().unsqueeze(1)
    ranks = (sims > own).sum(dim=1) + 1
    return {"accuracy@1": float((ranks == 1).float().mean()), "mrr": float((1.0 / ranks).mean())}


def _check_examples(loss: nn.Module, examples: Sequence[Example]) -> None:
    if not examples:
        raise TrainingError("no training examples")
    widths = {len(ex.texts) for ex in examples}
    allowed = getattr(loss, "columns", None)
    if len(widths) > 1:
        raise TrainingError(f"examples have different numbers of columns: {sorted(widths)}")
    if allowed and widths.pop() not in allowed:
        raise TrainingError(
            f"{type(loss).__name__} needs {' or '.join(map(str, allowed))} texts per example, "
            f"got {len(examples[0].texts)}"
        )
    if getattr(loss, "data_kind", None) == "scored" and any(ex.label is None for ex in examples):
        raise TrainingError(f"{type(loss).__name__} needs a score for every pair")


def train(
    model: SentenceModel,
    loss: nn.Module,
    examples: Sequence[Example],
    config: TrainConfig | None = None,
    *,
    dev: Sequence[Example] | None = None,
    progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
) -> TrainResult:
    """Fine-tune ``model`` in place with ``loss`` (which wraps ``model``) on ``examples``."""
    cfg = config or TrainConfig()
    if cfg.batch_size < 1 or cfg.epochs < 1 or cfg.lr <= 0:
        raise TrainingError(
            "batch size and epochs must be at least 1 and the learning rate positive"
        )
    _check_examples(loss, examples)
    set_seed(cfg.seed)
    generator = torch.Generator().manual_seed(cfg.seed)
    unique = getattr(loss, "unique_batches", False)
    epochs = [
        no_duplicate_batches(examples, cfg.batch_size, generator)
        if unique
        else shuffled_batches(len(examples), cfg.batch_size, generator)
        for _ in range(cfg.epochs)
    ]
    total = sum(len(batches) for batches in epochs)
    if cfg.max_steps:
        total = min(total, cfg.max_steps)

    inference_length = model.max_seq_length
    if cfg.max_seq_length:
        model.max_seq_length = min(cfg.max_seq_length, inference_length)
    try:
        result = _run(model, loss, examples, cfg, epochs, total, dev, progress, cancel)
    finally:
        model.max_seq_length = inference_length
        model.eval()
    return result


def _run(
    model: SentenceModel,
    loss: nn.Module,
    examples: Sequence[Example],
    cfg: TrainConfig,
    epochs: list[list[list[int]]],
    total: int,
    dev: Sequence[Example] | None,
    progress: Callable[[Progress], None] | None,
    cancel: threading.Event | None,
) -> TrainResult:
    warmup = math.ceil(total * cfg.warmup_ratio)
    optimizer = torch.optim.AdamW(_param_groups(loss, cfg.weight_decay), lr=cfg.lr)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: linear_schedule(s, warmup, total)
    )
    result = TrainResult(steps=0, total_steps=total)
    start = time.perf_counter()
    params = [p for p in loss.parameters() if p.requires_grad]
    loss.train()
    optimizer.zero_grad()
    for epoch, batches in enumerate(epochs):
        for batch in batches:
            if result.steps >= total:
                break
            if cancel is not None and cancel.is_set():
                result.cancelled = True
                break
            chosen = [examples[i] for i in batch]
            columns = [list(col) for col in zip(*(ex.texts for ex in chosen), strict=True)]
            labels = None if chosen[0].label is None else torch.tensor([ex.label for ex in chosen])
            value = loss(columns, labels)
            if not torch.isfinite(value):
                raise TrainingError(f"the loss became {value.item()} at step {result.steps + 1}")
            value.backward()
            torch.nn.utils.clip_grad_norm_(params, cfg.max_grad_norm)
            lr = optimizer.param_groups[0]["lr"]
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            result.steps += 1
            result.losses.append(float(value.detach()))
            metrics = None
            end_of_epoch = batch is batches[-1] or result.steps == total
            if dev and ((cfg.eval_steps and result.steps % cfg.eval_steps == 0) or end_of_epoch):
                metrics = evaluate(model, dev)
                result.evals.append((result.steps, metrics))
            if progress:
                progress(
                    Progress(
                        step=result.steps,
                        total_steps=total,
                        epoch=epoch + 1,
                        loss=result.losses[-1],
                        lr=lr,
                        elapsed_s=time.perf_counter() - start,
                        eval=metrics,
                    )
                )
        if result.cancelled or result.steps >= total:
            break
    result.seconds = time.perf_counter() - start
    return result
