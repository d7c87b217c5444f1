"""``desktop-search train`` and ``desktop-search adapt``: fine-tune the encoder from the shell.

Defined as stand-alone click commands (``train_command``, ``adapt_command``) so that the main
group attaches them with ``add_command``. Progress goes to stderr, the saved folder to
stdout, and every expected failure becomes a one-line ``ClickException`` (exit status 1).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import click

from .cli_common import data_dir_option, translate_errors

LOSS_NAMES = ("cosine", "triplet", "mnrl")
FOLDER_SUFFIXES = (".rst", ".txt", ".md", ".markdown", ".html", ".htm")


def _fmt_time(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


def _progress_printer() -> Callable:
    """Prints about 50 progress lines per run, or one every 10 s, whichever is rarer."""
    last = [0.0]

    def report(p) -> None:
        every = max(1, p.total_steps // 50)
        now = time.monotonic()
        if p.eval is None and p.step != p.total_steps and (p.step % every or now - last[0] < 10):
            return
        last[0] = now
        left = p.elapsed_s / p.step * (p.total_steps - p.step)
        line = (
            f"step {p.step}/{p.total_steps}  epoch {p.epoch}  loss {p.loss:.4f}  lr {p.lr:.2e}  "
            f"{_fmt_time(p.elapsed_s)} elapsed, ~{_fmt_time(left)} left"
        )
        if p.eval:
            line += "  " + "  ".join(f"dev {k} {v:.4f}" for k, v in p.eval.items())
        click.echo(line, err=True)

    return report


def training_options(min_batch: int) -> Callable:
    """The options ``train`` and ``adapt`` share: base, output and the optimiser's knobs."""
    options = [
        click.option(
            "--base",
            type=click.Path(exists=True, file_okay=False, path_type=Path),
            default=None,
            help="Model folder to start from (default: the built-in all-MiniLM-L6-v2).",
        ),
        click.option(
            "--out",
            type=click.Path(path_type=Path),
            required=True,
            help="Folder for the new model.",
        ),
        click.option("--epochs", type=click.IntRange(min=1), default=1, show_default=True),
        click.option(
            "--batch-size", type=click.IntRange(min=min_batch), default=16, show_default=True
        ),
        click.option(
            "--lr", type=click.FloatRange(min=0, min_open=True), default=2e-5, show_default=True
        ),
        click.option("--seed", type=int, default=42, show_default=True),
        click.option(
            "--overwrite", is_flag=True, help="Replace the contents of a non-empty --out folder."
        ),
    ]

    def apply(f: Callable) -> Callable:
        for option in reversed(options):
            f = option(f)
        return f

    return apply


def _check_out(out: Path, base: Path | None, overwrite: bool) -> None:
    """Fail before the model is loaded, not after an hour of training."""
    from desktop_search.core.encoder import default_model_path

    out = out.expanduser().resolve()
    base = (base or default_model_path()).expanduser().resolve()
    if out == base or base.is_relative_to(out):
        raise click.ClickException(
            f"--out {out} would overwrite the base model; choose another folder"
        )
    if out.exists() and not out.is_dir():
        raise click.ClickException(f"--out {out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise click.ClickException(
            f"--out {out} is not empty; choose another folder or pass --overwrite"
        )


def _read_eval(path: Path, kind: str, scale: float | None):
    """A scored-pairs dev file works for any loss (Spearman); else the loss's own kind."""
    from desktop_search.core.training.readers import DataError, read_examples, read_scored_pairs

    try:
        return read_scored_pairs(path, scale)
    except DataError:
        return read_examples(path, kind)


@click.command("train")
@click.option(
    "--data",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="Tab-separated training file: text1, text2, score (cosine); anchor, positive, "
    "negative (triplet); anchor, positive [, negative] (mnrl).",
)
@click.option(
    "--loss",
    type=click.Choice(LOSS_NAMES),
    required=True,
    help="cosine: CosineSimilarityLoss; triplet: TripletLoss; mnrl: MultipleNegativesRankingLoss.",
)
@training_options(min_batch=1)
@click.option(
    "--eval",
    "eval_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Dev file: scored pairs (Spearman) or data of the loss's own kind.",
)
@click.option(
    "--eval-steps",
    type=click.IntRange(min=0),
    default=0,
    help="Evaluate every N steps (default: after each epoch).",
)
@click.option(
    "--scale",
    type=click.Choice(["auto", "1", "5"]),
    default="auto",
    show_default=True,
    help="Top of the score range in scored pairs (auto: 5 if any score exceeds 1).",
)
@click.option("--warmup-ratio", type=click.FloatRange(0, 1), default=0.1, show_default=True)
@click.option(
    "--max-seq-length",
    type=click.IntRange(min=8),
    default=None,
    help="Truncate texts to this many tokens while training (default: the base model's "
    "limit); the saved model keeps the base model's limit.",
)
def train_command(
    data,
    loss,
    base,
    out,
    epochs,
    batch_size,
    lr,
    eval_file,
    eval_steps,
    scale,
    warmup_ratio,
    max_seq_length,
    seed,
    overwrite,
) -> None:
    """Fine-tune the encoder on labelled pairs or triplets and save it as a new model folder."""
    from desktop_search.core.encoder import ModelError
    from desktop_search.core.training import (
        DataError,
        SentenceModel,
        TrainConfig,
        TrainingError,
        data_kind,
        make_loss,
        read_examples,
        save_model,
        train,
    )

    _check_out(out, base, overwrite)
    scale_value = None if scale == "auto" else float(scale)
    try:
        kind = data_kind(loss)
        examples = read_examples(data, kind, scale_value)
        dev = _read_eval(eval_file, kind, scale_value) if eval_file else None
        click.echo(
            f"{len(examples)} training examples from {data}"
            + (f", {len(dev)} dev examples" if dev else ""),
            err=True,
        )
        model = SentenceModel.load(base)
        config = TrainConfig(
            epochs=epochs,
            batch_size=batch_size,
            lr=lr,
            warmup_ratio=warmup_ratio,
            seed=seed,
            eval_steps=eval_steps,
            max_seq_length=max_seq_length,
        )
        result = train(
            model, make_loss(loss, model), examples, config, dev=dev, progress=_progress_printer()
        )
        info = {
            "task": "train",
            "loss": loss,
            "data": str(data),
            "examples": len(examples),
            "base_model": str(base) if base else "default",
            "epochs": epochs,
            "batch_size": batch_size,
            "lr": lr,
            "warmup_ratio": warmup_ratio,
            "seed": seed,
            "steps": result.steps,
            "seconds": round(result.seconds, 1),
            "final_loss": result.losses[-1] if result.losses else None,
            "evals": [{"step": s, **m} for s, m in result.evals],
        }
        saved = save_model(model, out, info=info, overwrite=overwrite)
    except (DataError, TrainingError, ModelError, FileExistsError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    except KeyboardInterrupt:
        raise click.Abort() from None
    click.echo(f"trained {result.steps} steps in {_fmt_time(result.seconds)}", err=True)
    click.echo(str(saved))


def folder_documents(
    folder: Path, on_error: Callable[[Path, str], None] | None = None
) -> Iterator[tuple[str, str]]:
    """(path, text) of the text, reStructuredText, Markdown and HTML files under ``folder``."""
    from desktop_search.core.extract import ExtractionError, extract_file

    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in FOLDER_SUFFIXES:
            continue
        try:
            yield str(path), extract_file(path).text
        except ExtractionError as exc:
            if on_error:
                on_error(path, str(exc))


@click.command("adapt")
@click.option(
    "--from-folder",
    "folder",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Mine pairs from the .rst/.txt/.md/.html files under this folder.",
)
@training_options(min_batch=2)  # in-batch negatives need two pairs
@click.option(
    "--max-pairs",
    type=click.IntRange(min=2),
    default=5000,
    show_default=True,
    help="Train on at most this many mined pairs (a seeded sample).",
)
@click.option(
    "--max-seq-length",
    type=click.IntRange(min=8),
    default=128,
    show_default=True,
    help="Truncate texts to this many tokens while training; the saved model keeps the base's limit.",
)
@click.option("--dry-run", is_flag=True, help="Only mine and show the pairs; train nothing.")
@click.option(
    "--activate",
    is_flag=True,
    help="Then make the new model the index's active model (re-embeds every passage).",
)
@data_dir_option
def adapt_command(
    out,
    base,
    folder,
    epochs,
    batch_size,
    lr,
    max_pairs,
    max_seq_length,
    seed,
    dry_run,
    overwrite,
    activate,
    data_dir,
) -> None:
    """Adapt the encoder to your documents: heading/section and title/opening pairs, MNRL.

    By default it learns from the documents in the index (--data-dir); --from-folder reads
    a folder instead.
    """
    from desktop_search.core.encoder import ModelError
    from desktop_search.core.training import TrainingError, adapt_pairs, mine_pairs

    if not dry_run:
        _check_out(out, base, overwrite)
    skipped: list[Path] = []
    if folder is not None:
        source = str(folder)
        pairs = mine_pairs(folder_documents(folder, on_error=lambda p, _: skipped.append(p)))
    else:
        from desktop_search.core.engine import resolve_data_dir
        from desktop_search.core.store import Store
        from desktop_search.core.training.library import indexed_documents

        path = resolve_data_dir(data_dir)
        if not (path / "index.db").exists():
            raise click.ClickException(
                f"no index in {path}: run `desktop-search index FOLDER` first, "
                "or pass --from-folder PATH"
            )
        source = f"the index in {path}"
        with Store(path) as store:
            pairs = mine_pairs(indexed_documents(store))
    titles = sum(p.kind == "title" for p in pairs)
    click.echo(
        f"mined {len(pairs)} pairs ({len(pairs) - titles} heading/section, {titles} "
        f"title/opening) from {source}"
        + (f"; {len(skipped)} unreadable files skipped" if skipped else ""),
        err=True,
    )
    if dry_run:
        for pair in pairs[:20]:
            click.echo(f"{pair.query}\t{pair.passage[:100]}")
        return
    try:
        result = adapt_pairs(
            pairs,
            base,
            out,
            epochs=epochs,
            batch_size=batch_size,
            lr=lr,
            max_pairs=max_pairs,
            max_seq_length=max_seq_length,
            seed=seed,
            overwrite=overwrite,
            progress=_progress_printer(),
        )
    except (TrainingError, ModelError, FileExistsError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    except KeyboardInterrupt:
        raise click.Abort() from None
    click.echo(
        f"trained {result.train.steps} steps on {result.pairs} pairs in "
        f"{_fmt_time(result.train.seconds)}",
        err=True,
    )
    if activate:
        _switch(data_dir, result.out_dir)
    click.echo(str(result.out_dir))


def _switch(data_dir, model_dir) -> None:
    """Re-embed the index for ``model_dir`` and make it the active model."""
    from desktop_search.cli_common import open_engine

    def show(p) -> None:
        click.echo(
            f"\rre-embedding {p.files_done}/{p.files_total} passages, "
            f"{p.passages_per_s:.1f}/s".ljust(60),
            nl=False,
            err=True,
        )

    engine = open_engine(data_dir, writer=True)
    try:
        if not engine.switch_model(model_dir, progress=show):
            raise click.ClickException("switch cancelled; the previous model stays active")
    finally:
        engine.close()
    click.echo("", err=True)
    click.echo(f"active model: {model_dir}", err=True)


@click.command("switch-model")
@click.argument(
    "model_dir", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "--default", "use_default", is_flag=True, help="Go back to the embedded all-MiniLM-L6-v2."
)
@data_dir_option
@translate_errors
def switch_model_command(model_dir, use_default, data_dir) -> None:
    """Make another model folder the index's active model.

    Every passage is embedded for it first; searches use the old vectors until that is
    done. Vectors are kept per model, so switching back to an earlier model is free.
    """
    from desktop_search.core.encoder import default_model_path

    if bool(model_dir) == use_default:
        raise click.UsageError("give a MODEL_DIR or --default")
    _switch(data_dir, default_model_path() if use_default else model_dir)
