"""Phase 2 of indexing: give every passage a vector for a model, most useful first.

Phase 1 (``indexer``) commits text and FTS rows without the encoder, so a file can be
found by its words seconds after it is scanned. This phase fills in the vectors, in the
order that serves a person soonest:

1. files the person asked for (opened or previewed from the results: ``prioritize``);
2. then files modified most recently (the watcher's live changes are the newest, so they
   go ahead of the backlog by the same rule);
3. then smaller files before larger ones, then scan order.

Vectors are keyed by (model, text hash): a passage whose exact text was ever embedded (a
rename, a copy, an undo) costs no forward pass, and passages that share a text get their
vector from one pass. Each batch commits its vectors and bumps the index generation in
one transaction, then enters the HNSW index, so a killed run loses at most one batch of
work and embeds nothing twice.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop_search.core.faults import crashpoint, slowpoint
from desktop_search.core.store.catalog import Store
from desktop_search.core.store.vector_index import VectorSet
from desktop_search.core.store.vector_rows import PENDING
from desktop_search.core.sync_report import Progress

if TYPE_CHECKING:
    from desktop_search.core.encode.encoder import Encoder

log = logging.getLogger(__name__)

#: Pending passages read per query: priority is re-read this often (or at once when a
#: file is prioritized), and the query's cost is spread over many batches.
WINDOW = 1024


def pending_window(
    store: Store, model: str, first: Iterable[int] = (), limit: int = WINDOW
) -> list[tuple[str, str]]:
    """(text hash, text) of pending passages in priority order, one per distinct text.

    ``first``: file ids that go ahead of every other file.
    """
    boost = ",".join(str(int(i)) for i in first) or "NULL"
    rows = store.conn.execute(
        f"SELECT p.text_hash, p.text FROM passages p JOIN files f ON f.id = p.file_id"
        f" WHERE {PENDING}"
        f" ORDER BY f.id IN ({boost}) DESC, f.mtime_ns DESC, f.size, f.id, p.ord LIMIT ?",
        (model, limit),
    ).fetchall()
    return list(dict(rows).items())


@dataclass
class EmbedReport:
    passages_embedded: int = 0  # forward passes: distinct texts embedded
    passages_covered: int = 0  # passages that got a vector (shared texts count each time)
    remaining: int = 0
    cancelled: bool = False  # stopped by cancel
    yielded: bool = False  # stopped because other work was waiting

    @property
    def complete(self) -> bool:
        return self.remaining == 0


class Embedder:
    """Phase 2 for one model: its encoder and the vector set it fills."""

    def __init__(
        self,
        store: Store,
        encoder: Encoder,
        vectors: VectorSet,
        *,
        batch: int = 256,
        save_every_s: float = 120.0,
    ) -> None:
        self.store = store
        self.encoder = encoder
        self.vectors = vectors
        self.model_id = encoder.model_id
        self.batch = batch
        self.save_every_s = save_every_s
        self._first: list[str] = []
        self._first_changed = threading.Event()

    def prioritize(self, paths: Iterable[str]) -> None:
        """Embed these files next (a file the person opened or previewed). Any thread:
        the paths are looked up by ``run``, on its own connection."""
        self._first = list(dict.fromkeys([*paths, *self._first]))[:64]
        self._first_changed.set()

    def _first_ids(self) -> list[int]:
        return [row.id for p in self._first if (row := self.store.file(p)) is not None]

    def pending(self) -> dict[str, int]:
        return self.store.pending_counts(self.model_id)

    def run(
        self,
        *,
        progress: Callable[[Progress], None] | None = None,
        cancel: threading.Event | None = None,
        pause: threading.Event | None = None,
        yield_to: Callable[[], bool] | None = None,
        limit: int | None = None,
        pending: int | None = None,
    ) -> EmbedReport:
        """Embed pending passages until none is left, or ``limit`` texts are embedded, or
        ``cancel`` is set, or ``yield_to()`` says other work is waiting.

        ``pending``: the backlog, when the caller has just counted it (the count scans every
        passage, so it is not made twice); progress is measured against it.
        """
        report = EmbedReport()
        total = self.pending()["passages"] if pending is None else pending
        started = last_save = time.monotonic()
        if progress and total:
            progress(_progress(report, total, started))
        window: list[tuple[str, str]] = []
        try:
            while True:
                if pause is not None:  # a job that comes meanwhile waits for the resume too
                    while pause.is_set() and not (cancel is not None and cancel.is_set()):
                        time.sleep(0.05)
                if cancel is not None and cancel.is_set():
                    report.cancelled = True
                    break
                if yield_to is not None and yield_to():
                    report.yielded = True
                    break
                if limit is not None and report.passages_embedded >= limit:
                    break
                if not window or self._first_changed.is_set():
                    self._first_changed.clear()
                    window = pending_window(self.store, self.model_id, self._first_ids())
                    if not window:
                        break
                size = (
                    self.batch
                    if limit is None
                    else min(self.batch, limit - report.passages_embedded)
                )
                part, window = window[:size], window[size:]
                vecs = self.encoder.encode([t for _, t in part])
                crashpoint("embed")
                slowpoint("embed")
                ids, mat = self.store.add_vectors(
                    self.model_id, {h: v for (h, _), v in zip(part, vecs)}
                )
                self.vectors.apply(ids, mat, [], self.store.generation())
                report.passages_embedded += len(part)
                report.passages_covered += len(ids)
                if progress:
                    progress(_progress(report, total, started))
                if time.monotonic() - last_save > self.save_every_s:
                    self.vectors.save()
                    last_save = time.monotonic()
        finally:
            if report.passages_embedded:
                self.vectors.save()
        report.remaining = self.pending()["passages"]
        return report


def _progress(report: EmbedReport, total: int, started: float) -> Progress:
    elapsed = max(time.monotonic() - started, 1e-6)
    rate = report.passages_covered / elapsed
    left = max(0, total - report.passages_covered)
    return Progress(
        "embedding",
        passages_embedded=report.passages_covered,
        passages_total=max(total, report.passages_covered),
        passages_per_s=rate,
        eta_s=left / rate if rate else None,
    )
