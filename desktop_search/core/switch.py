"""Switching the active model: embed every passage for the new model, then swap.

Vectors are stored per model (keyed by model id and text hash), so the old set stays
searchable while the new one fills, a cancelled switch resumes where it stopped, and
switching back to a model whose vectors are still there costs no forward pass.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from .encoder import Encoder
from .indexer import Progress
from .store import Store


def missing_hashes(store: Store, model_id: str) -> dict[str, str]:
    """text_hash -> text for passages that have no vector for ``model_id`` yet."""
    rows = store.conn.execute(
        "SELECT p.text_hash, min(p.text) FROM passages p WHERE NOT EXISTS"
        " (SELECT 1 FROM vectors v WHERE v.model = ? AND v.text_hash = p.text_hash) GROUP BY p.text_hash",
        (model_id,),
    ).fetchall()
    return {h: t for h, t in rows}


def embed_all(
    store: Store,
    encoder: Encoder,
    *,
    batch: int = 64,
    progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
) -> tuple[int, bool]:
    """Fill the vector set of ``encoder``'s model; returns (embedded, complete)."""
    todo = missing_hashes(store, encoder.model_id)
    items = sorted(todo.items(), key=lambda kv: len(kv[1]))
    total = len(items)
    done = 0
    started = time.monotonic()
    for i in range(0, total, batch):
        if cancel is not None and cancel.is_set():
            return done, False
        part = items[i : i + batch]
        vecs = encoder.encode([t for _, t in part])
        with store.write():
            store.put_vectors(encoder.model_id, {h: v for (h, _), v in zip(part, vecs)})
        done += len(part)
        if progress:
            elapsed = max(time.monotonic() - started, 1e-6)
            rate = done / elapsed
            progress(
                Progress(
                    "re-embedding", done, total, done, rate, (total - done) / rate if rate else None
                )
            )
    # passages added while we worked (another process indexing) are picked up by a second pass
    rest = missing_hashes(store, encoder.model_id)
    if rest:
        more, complete = embed_all(store, encoder, batch=batch, progress=progress, cancel=cancel)
        return done + more, complete
    return done, True
