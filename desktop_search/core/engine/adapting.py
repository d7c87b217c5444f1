"""Adapting the encoder to a person's documents: ``Engine.mine_pairs`` and ``Engine.adapt``.

Mine (heading, section) and (title, opening) pairs from the indexed files or a folder,
fine-tune the model with MNRL, then re-embed the index and switch to the new model.
The CLI's ``adapt`` and the app's Tools ▸ Adapt both run ``Engine.adapt``; this module
holds those two methods (as a mixin of the Engine, to keep api.py short), what they
share and what the progress says.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_search.core.errors import ExtractionError, TrainingError
from desktop_search.core.extract.dispatch import extract_file
from desktop_search.core.sync_report import Progress

if TYPE_CHECKING:
    from desktop_search.core.encode.encoder import Encoder
    from desktop_search.core.training import MinedPair

log = logging.getLogger(__name__)

#: What ``--from-folder`` reads: formats whose headings the miner understands.
FOLDER_SUFFIXES = (".rst", ".txt", ".md", ".markdown", ".html", ".htm")


@dataclass(frozen=True)
class AdaptOptions:
    epochs: int = 1
    batch_size: int = 16
    lr: float = 2e-5
    max_pairs: int = 5000
    max_seq_length: int = 128
    seed: int = 42


#: Below this many mined pairs the app does not offer to adapt: the one gain we measured
#: (README, bench_finetune: nDCG@10 0.68 -> 0.72) came from 480 pairs, 30 steps of 16;
#: fewer than 100 pairs (6 steps) barely move the model, yet every passage is re-embedded.
MIN_PAIRS = 100
#: Training on one pair costs about this many passage embeddings (``measure_speed``'s
#: unit): two texts, each a forward and a backward pass (about three forwards), at 128
#: tokens instead of the ~180 that ``measure_speed`` times. bench_finetune's quiet re-check
#: (1.2-2.6 s per step of 16 pairs, the encoder at 34.6 passages/s) agrees: 2.0 s.
TRAIN_COST_PER_PAIR = 4.3


@dataclass(frozen=True)
class AdaptPlan:
    """What Adapt would learn from and how long it would take, worked out before it starts.

    ``read_s`` is measured (mining reads every indexed file, and Adapt reads them again);
    training and re-embedding follow from ``speed``, measured on this machine.
    """

    files: int  # indexed files
    passages: int  # passages to re-embed with the new model
    pairs: int  # (heading, section) and (title, opening) pairs mined from the files
    used_pairs: int  # those trained on (at most ``AdaptOptions.max_pairs``)
    speed: float  # passages per second
    read_s: float
    train_s: float
    embed_s: float

    @property
    def seconds(self) -> float:
        return self.read_s + self.train_s + self.embed_s

    @property
    def refusal(self) -> str:
        """Why Adapt is not worth running on this material ("" when it is)."""
        if self.pairs >= MIN_PAIRS:
            return ""
        return (
            f"Your {self.files:,} indexed files give only {self.pairs:,} (heading, section) "
            f"pairs; adapting needs at least {MIN_PAIRS} to be worth the time. Documents "
            "with headings or titles over a few sentences of text give pairs."
        )


@dataclass(frozen=True)
class AdaptProgress:
    """phase: "reading" (files), "training" (steps) or "re-embedding" (passages).

    ``step`` is the trainer's own progress (loss, learning rate, evaluation) while training.
    """

    phase: str
    done: int = 0
    total: int = 0
    eta_s: float | None = None
    pairs: int = 0
    step: object | None = None


@dataclass(frozen=True)
class AdaptOutcome:
    """model: the saved folder (None when nothing was saved); active: the index now uses it."""

    model: Path | None
    active: bool
    pairs: int
    steps: int = 0
    seconds: float = 0.0
    cancelled: bool = False


def new_model_dir(data_dir: Path) -> Path:
    """``<data dir>/models/adapted-YYYYmmdd-HHMMSS`` (with a suffix if that is taken)."""
    base = Path(data_dir) / "models" / f"adapted-{time.strftime('%Y%m%d-%H%M%S')}"
    out, n = base, 1
    while out.exists():
        n += 1
        out = base.with_name(f"{base.name}-{n}")
    return out


def folder_documents(
    folder: Path, on_error: Callable[[Path, str], None] | None = None
) -> Iterator[tuple[str, str]]:
    """(path, text) of the text, reStructuredText, Markdown and HTML files under ``folder``."""
    for path in sorted(Path(folder).rglob("*")):
        if not path.is_file() or path.suffix.lower() not in FOLDER_SUFFIXES:
            continue
        try:
            yield str(path), extract_file(path).text
        except ExtractionError as exc:
            if on_error:
                on_error(path, str(exc))


def wait_while_paused(pause: threading.Event | None, cancel: threading.Event | None) -> None:
    """Block between steps while ``pause`` is set (a cancel ends the wait)."""
    while pause is not None and pause.is_set() and not (cancel is not None and cancel.is_set()):
        time.sleep(0.05)


def reading(
    docs: Iterator[tuple[str, str]],
    total: int,
    progress: Callable[[AdaptProgress], None] | None,
    cancel: threading.Event | None,
    pause: threading.Event | None,
) -> Iterator[tuple[str, str]]:
    """``docs`` until cancelled, reporting every 25 files and waiting out a pause."""
    for n, doc in enumerate(docs, 1):
        wait_while_paused(pause, cancel)
        if cancel is not None and cancel.is_set():
            return
        yield doc
        if progress and n % 25 == 0:
            progress(AdaptProgress("reading", n, total))


class AdaptingMixin:
    """The Engine's adapt methods; they use its store, encoder and ``switch_model``."""

    def mine_pairs(
        self,
        folder: str | os.PathLike | None = None,
        *,
        on_error: Callable[[Path, str], None] | None = None,
        progress: Callable[[AdaptProgress], None] | None = None,
        cancel: threading.Event | None = None,
        pause: threading.Event | None = None,
    ) -> list[MinedPair]:
        """(heading, section) and (title, opening) pairs from the indexed files, or from
        the documents under ``folder``."""
        # The training stack is imported on use: it loads torch, which the Engine of a
        # search process (a keyword query, the app's window) must not pay for.
        from desktop_search.core.training import mine_pairs
        from desktop_search.core.training.library import indexed_documents

        if folder is not None:
            docs, total = folder_documents(Path(folder), on_error), 0
        else:
            store = self._thread_store()
            total = store.counts()["files"]
            if not total:
                raise TrainingError(
                    f"no indexed files in {self.data_dir}: run `desktop-search index FOLDER` "
                    "first, or pass --from-folder PATH"
                )
            docs = indexed_documents(store)
        if progress:
            progress(AdaptProgress("reading", 0, total))
        return mine_pairs(reading(docs, total, progress, cancel, pause))

    def adapt_plan(
        self, options: AdaptOptions | None = None, *, speed: float | None = None
    ) -> AdaptPlan:
        """Mine the pairs for real (timed) and count the passages, to say before Adapt starts
        how much material it has and how long it takes; ``speed`` is measured unless given."""
        options = options or AdaptOptions()
        t0 = time.perf_counter()
        try:
            pairs = len(self.mine_pairs())
        except TrainingError:  # nothing indexed yet
            pairs = 0
        read_s = time.perf_counter() - t0
        speed = speed or self.measure_speed()
        counts = self._thread_store().counts()
        used = min(pairs, options.max_pairs)
        return AdaptPlan(
            files=counts["files"],
            passages=counts["passages"],
            pairs=pairs,
            used_pairs=used,
            speed=speed,
            read_s=read_s,
            train_s=TRAIN_COST_PER_PAIR * used * options.epochs / speed,
            embed_s=counts["passages"] / speed,
        )

    def adapt(
        self,
        options: AdaptOptions | None = None,
        *,
        pairs: list[MinedPair] | None = None,
        base: str | os.PathLike | None = None,
        out: str | os.PathLike | None = None,
        overwrite: bool = False,
        activate: bool = True,
        progress: Callable[[AdaptProgress], None] | None = None,
        cancel: threading.Event | None = None,
        pause: threading.Event | None = None,
    ) -> AdaptOutcome:
        """Mine pairs (unless given), fine-tune ``base`` (default: the active model) on them,
        save the model in ``out`` (default: a new folder under ``<data dir>/models``) and,
        with ``activate``, re-embed the index and switch to it.

        A model saved in the default place that never becomes active is deleted again,
        with its vectors. Searches keep the old model until the switch is complete.
        """
        from desktop_search.core.encode.query_encoder import torch_encoder
        from desktop_search.core.training import adapt_pairs

        options = options or AdaptOptions()
        if activate:
            self._need_writer("adapting the model")
        if pairs is None:
            pairs = self.mine_pairs(progress=progress, cancel=cancel, pause=pause)
        if cancel is not None and cancel.is_set():
            return AdaptOutcome(None, False, len(pairs), cancelled=True)

        def on_step(p) -> None:
            if progress:
                eta = p.elapsed_s / p.step * (p.total_steps - p.step) if p.step else None
                progress(AdaptProgress("training", p.step, p.total_steps, eta, len(pairs), p))
            wait_while_paused(pause, cancel)

        def on_embed(p: Progress) -> None:
            if progress:
                progress(
                    AdaptProgress("re-embedding", p.passages_embedded, p.passages_total, p.eta_s)
                )
            wait_while_paused(pause, cancel)

        if progress:
            progress(AdaptProgress("training", pairs=len(pairs)))
        automatic = out is None
        result = adapt_pairs(
            pairs,
            base or self.encoder.path,
            new_model_dir(self.data_dir) if automatic else out,
            epochs=options.epochs,
            batch_size=options.batch_size,
            lr=options.lr,
            max_pairs=options.max_pairs,
            max_seq_length=options.max_seq_length,
            seed=options.seed,
            overwrite=overwrite,
            progress=on_step,
            cancel=cancel,
        )
        steps, seconds = result.train.steps, result.train.seconds
        if result.out_dir is None:
            return AdaptOutcome(None, False, result.pairs, steps, seconds, cancelled=True)
        active = False
        encoder = None
        try:
            if activate:
                encoder = torch_encoder(result.out_dir)
                active = self.switch_model(encoder, progress=on_embed, cancel=cancel)
        finally:
            if automatic and not active:
                self._discard_model(result.out_dir, encoder)
        kept = result.out_dir if active or not automatic else None
        return AdaptOutcome(kept, active, result.pairs, steps, seconds, activate and not active)

    def _discard_model(self, folder: Path, encoder: Encoder | None) -> None:
        """A trained model that never became active: its folder and its vectors go."""
        if encoder is not None:
            try:
                self.store.drop_vectors(encoder.model_id)
            except Exception:  # pragma: no cover - only space is lost
                log.exception("dropping the vectors of a discarded model")
        shutil.rmtree(folder, ignore_errors=True)
