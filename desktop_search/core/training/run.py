"""``train`` as one call: read the files, fine-tune, save the model with a record of how.

The CLI's ``train`` command formats what this returns; nothing about training lives there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from desktop_search.core.encode.encoder import default_model_path
from desktop_search.core.errors import DataError, TrainingError

from .losses import data_kind, make_loss
from .readers import Example, read_examples, read_scored_pairs
from .save import save_model
from .trainer import Progress, SentenceModel, TrainConfig, TrainResult, train

LOSS_NAMES = ("cosine", "triplet", "mnrl")


@dataclass(frozen=True)
class Trained:
    folder: Path
    result: TrainResult
    examples: int
    dev_examples: int


def check_output_folder(out: Path, base: Path | None, overwrite: bool) -> None:
    """Fail before the model is loaded, not after an hour of training."""
    out = Path(out).expanduser().resolve()
    base = Path(base or default_model_path()).expanduser().resolve()
    if out == base or base.is_relative_to(out):
        raise TrainingError(f"--out {out} would overwrite the base model; choose another folder")
    if out.exists() and not out.is_dir():
        raise TrainingError(f"--out {out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise TrainingError(f"--out {out} is not empty; choose another folder or pass --overwrite")


def read_dev(path: Path, kind: str, scale: float | None) -> list[Example]:
    """A scored-pairs dev file works for any loss (Spearman); else the loss's own kind."""
    try:
        return read_scored_pairs(path, scale)
    except DataError:
        return read_examples(path, kind)


def train_from_files(
    data: Path,
    loss: str,
    out: Path,
    config: TrainConfig,
    *,
    base: Path | None = None,
    eval_file: Path | None = None,
    scale: float | None = None,
    overwrite: bool = False,
    on_loaded: Callable[[int, int], None] | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> Trained:
    """Fine-tune ``base`` (default: the embedded model) on ``data`` with ``loss`` and save it
    in ``out``; ``on_loaded(examples, dev_examples)`` is told before training starts."""
    check_output_folder(out, base, overwrite)
    kind = data_kind(loss)
    examples = read_examples(data, kind, scale)
    dev = read_dev(eval_file, kind, scale) if eval_file else None
    if on_loaded:
        on_loaded(len(examples), len(dev or ()))
    model = SentenceModel.load(base)
    result = train(model, make_loss(loss, model), examples, config, dev=dev, progress=progress)
    info = {
        "task": "train",
        "loss": loss,
        "data": str(data),
        "examples": len(examples),
        "base_model": str(base) if base else "default",
        "epochs": config.epochs,
        "batch_size": config.batch_size,
        "lr": config.lr,
        "warmup_ratio": config.warmup_ratio,
        "seed": config.seed,
        "steps": result.steps,
        "seconds": round(result.seconds, 1),
        "final_loss": result.losses[-1] if result.losses else None,
        "evals": [{"step": s, **m} for s, m in result.evals],
    }
    folder = save_model(model, out, info=info, overwrite=overwrite)
    return Trained(folder, result, len(examples), len(dev or ()))
