"""``desktop-search train`` and ``desktop-search adapt``: fine-tune the encoder from the shell.

Defined as stand-alone click commands (``train_command``, ``adapt_command``) so that the main
group attaches them with ``add_command``. Each calls the core once (``train_from_files``,
``Engine.adapt``, ``Engine.switch_model``) and formats: progress to stderr, the saved folder
to stdout; ``translate_errors`` turns expected failures into one line (exit status 1).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import click

from .cli_common import data_dir_option, open_engine, translate_errors

LOSS_NAMES = ("cosine", "triplet", "mnrl")


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
@translate_errors
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
    from desktop_search.core.engine import TrainConfig, train_from_files

    def loaded(n: int, n_dev: int) -> None:
        dev_text = f", {n_dev} dev examples" if n_dev else ""
        click.echo(f"{n} training examples from {data}{dev_text}", err=True)

    config = TrainConfig(
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        warmup_ratio=warmup_ratio,
        seed=seed,
        eval_steps=eval_steps,
        max_seq_length=max_seq_length,
    )
    trained = train_from_files(
        data,
        loss,
        out,
        config,
        base=base,
        eval_file=eval_file,
        scale=None if scale == "auto" else float(scale),
        overwrite=overwrite,
        on_loaded=loaded,
        progress=_progress_printer(),
    )
    result = trained.result
    click.echo(f"trained {result.steps} steps in {_fmt_time(result.seconds)}", err=True)
    click.echo(str(trained.folder))


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
@translate_errors
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
    from desktop_search.core.engine import AdaptOptions, check_output_folder, default_model_path

    if not dry_run:
        check_output_folder(out, base, overwrite)
    skipped: list[Path] = []
    with open_engine(
        data_dir,
        writer=activate and not dry_run,
        need_index=folder is None,
        hint="or learn from a folder with --from-folder DIR",
    ) as engine:
        pairs = engine.mine_pairs(folder, on_error=lambda p, _: skipped.append(p))
        titles = sum(p.kind == "title" for p in pairs)
        source = str(folder) if folder is not None else f"the index in {engine.data_dir}"
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
        options = AdaptOptions(epochs, batch_size, lr, max_pairs, max_seq_length, seed)
        outcome = engine.adapt(
            options,
            pairs=pairs,
            base=base or default_model_path(),
            out=out,
            overwrite=overwrite,
            activate=activate,
            progress=_adapt_printer(),
        )
    click.echo(
        f"trained {outcome.steps} steps on {outcome.pairs} pairs in {_fmt_time(outcome.seconds)}",
        err=True,
    )
    if activate and not outcome.active:
        raise click.ClickException("switch cancelled; the previous model stays active")
    if activate:
        click.echo(f"active model: {outcome.model}", err=True)
    click.echo(str(outcome.model))


def _adapt_printer() -> Callable:
    """Training steps as ``train`` prints them, then a one-line re-embedding counter."""
    train_lines = _progress_printer()

    def report(p) -> None:
        if p.phase == "training" and p.step is not None:
            train_lines(p.step)
        elif p.phase == "re-embedding":
            end = "\n" if p.done == p.total else ""
            click.echo(f"\rre-embedding {p.done}/{p.total} passages{end}", nl=False, err=True)

    return report


def _show_reembedding(p) -> None:
    click.echo(
        f"\rre-embedding {p.passages_embedded}/{p.passages_total} passages, "
        f"{p.passages_per_s:.1f}/s".ljust(60),
        nl=False,
        err=True,
    )


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
    from desktop_search.core.engine import default_model_path

    if bool(model_dir) == use_default:
        raise click.UsageError("give a MODEL_DIR or --default")
    model = default_model_path() if use_default else model_dir
    with open_engine(data_dir, writer=True) as engine:
        if not engine.switch_model(model, progress=_show_reembedding):
            raise click.ClickException("switch cancelled; the previous model stays active")
    click.echo("", err=True)
    click.echo(f"active model: {model}", err=True)
