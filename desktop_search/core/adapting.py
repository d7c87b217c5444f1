"""Adapting the encoder to a person's documents: the pieces ``Engine.adapt`` puts together.

Mine (heading, section) and (title, opening) pairs from the indexed files or a folder,
fine-tune the model with MNRL, then re-embed the index and switch to the new model.
The CLI's ``adapt`` and the app's Tools ▸ Adapt both run ``Engine.adapt``; this module
holds what they share and what the progress says.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import ExtractionError
from .extract import extract_file

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
