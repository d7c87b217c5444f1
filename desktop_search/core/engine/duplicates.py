"""The duplicate finder's side of the Engine: ``Engine.duplicates``, ``ignore_duplicate``
and ``file_text`` (what the side-by-side view compares).

Reads only, from any thread, like the Engine's searches. A mixin of the Engine, like
``models``, to keep api.py short: it uses the Engine's per-thread store, its
vectors and model (read together under the swap lock) and its pending counts.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from desktop_search.core.duplicates import (
    DEFAULT_MIN_CONTAINMENT,
    DEFAULT_THRESHOLD,
    DuplicateFinder,
    Report,
)
from desktop_search.core.duplicates import file_text as indexed_text
from desktop_search.core.duplicates.cache import IgnoreList


class DuplicatesMixin:
    """The Engine's duplicate-finding methods."""

    def file_text(self, path: str) -> str:
        """A file's indexed text, as the duplicate view compares it."""
        return indexed_text(self._thread_store(), path)

    def ignore_duplicate(self, a, b, *, passages: bool) -> None:
        """Never report these two members (``duplicates.Member``) as duplicates again."""
        ignore = IgnoreList(self._thread_store())
        if passages and a.text_hash and b.text_hash:
            ignore.ignore_passage_pair(a.text_hash, b.text_hash)
        else:
            ignore.ignore_file_pair(a.path, b.path)

    def duplicates(
        self,
        level: str = "passage",
        threshold: float = DEFAULT_THRESHOLD,
        *,
        folder: str | None = None,
        min_containment: float = DEFAULT_MIN_CONTAINMENT,
        progress: Callable[[int, int, str], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> Report:
        """Near-duplicate passages or files, for the active model. Raises ScanCancelled."""
        store = self._thread_store()
        with self._swap_lock:
            vectors, model_id = self.vectors, self.encoder.model_id
        if not self.writable and store.generation() != vectors.generation:
            vectors.catch_up(store)  # a writer's own indexer keeps its vectors current
        finder = DuplicateFinder(store, vectors.index, model_id)
        t0 = time.perf_counter()
        report = finder.scan(
            level,
            threshold,
            folder=folder,
            min_containment=min_containment,
            progress=progress,
            cancel=cancel,
        )
        report.stats["seconds"] = round(time.perf_counter() - t0, 3)
        report.stats.update(finder.last_scan)
        report.pending = self.pending()  # passages phase 2 has not reached are left out
        return report
