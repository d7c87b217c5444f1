"""Which model the Engine embeds and searches with: ``Engine.switch_model`` and friends.

At start the engine takes the explicit model, else the index's active one (a vanished one
falls back to the embedded default); a reading process follows a switch another process
made; a writer re-embeds everything for a new model before swapping it in, so searches
never mix two models' vectors. A mixin of the Engine, like ``adapting``, to keep
api.py short: it uses the Engine's store, data folder, locks and model version.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_search.core.encode.query_encoder import QueryEncoder, ensure_export, torch_encoder
from desktop_search.core.errors import ModelError
from desktop_search.core.index.phase1 import Indexer
from desktop_search.core.index.phase2 import Embedder
from desktop_search.core.store.database import can_write
from desktop_search.core.store.vector_index import VectorSet
from desktop_search.core.sync_report import Progress

if TYPE_CHECKING:
    from desktop_search.core.encode.encoder import Encoder

log = logging.getLogger(__name__)


class ModelsMixin:
    """The Engine's model methods."""

    def _load_encoder(self, model_path, writer: bool) -> Encoder | QueryEncoder:
        """The explicit model, else the index's active one; a vanished active model falls
        back to the embedded default instead of locking the user out of their index."""
        if model_path:
            return self._encoder_for(model_path, writer)
        active = self.store.get_meta("active_model")
        if active:
            try:
                return self._encoder_for(active, writer)
            except ModelError as exc:
                log.warning("active model unusable (%s); using the embedded default", exc)
        return self._encoder_for(None, writer)

    def _encoder_for(self, model_path, writer: bool) -> Encoder | QueryEncoder:
        """The writer embeds with torch; a reader only encodes queries, with the export
        that indexing left in the data folder (no torch in a search process)."""
        if writer:
            return torch_encoder(model_path)
        return QueryEncoder(self.data_dir, model_path, writable=can_write(self.data_dir))

    def prepare_query_model(self) -> Path | None:
        """Export the active model for reading processes, once (see ``encode.query_encoder``): the
        indexing side has torch loaded already. None if the model cannot be exported."""
        if isinstance(self.encoder, QueryEncoder):
            return None  # a reader exports on its own first encode, where it may write
        return ensure_export(self.encoder, self.data_dir)

    def follow_active_model(self) -> bool:
        """A reading engine picks up the model another process switched the index to.

        Returns True if it changed; searches use the new model from their next query.
        """
        active = self._thread_store().get_meta("active_model")
        if not active or Path(active) == self.model_path:
            return False
        encoder = self._encoder_for(active, self.writable)
        vectors = VectorSet(self.data_dir, encoder.model_id, encoder.dim)
        vectors.open(self._thread_store())
        with self._swap_lock:
            self.encoder, self.vectors = encoder, vectors
            self.model_version += 1
        return True

    def switch_model(
        self,
        model: str | os.PathLike | Encoder,
        *,
        progress: Callable[[Progress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> bool:
        """Re-embed every passage for ``model`` (searches keep the old model meanwhile), then
        swap encoder, vectors and indexer in one step. Returns False if cancelled."""
        old = self._need_writer("switching models")
        encoder = torch_encoder(model) if isinstance(model, str | os.PathLike) else model
        vectors = VectorSet(self.data_dir, encoder.model_id, encoder.dim)
        vectors.open(self.store)
        embedder = Embedder(self.store, encoder, vectors, batch=self.embed_batch)
        if not embedder.run(progress=progress, cancel=cancel).complete:
            vectors.save()
            return False
        vectors.save()
        indexer = Indexer(
            self.store,
            encoder,
            vectors,
            chunk_config=self.chunk_config,
            max_file_size=old.max_file_size,
        )
        with self._swap_lock:  # searchers pick up the new pair at their next query
            self.encoder, self.vectors, self.indexer = encoder, vectors, indexer
            self.embedder = embedder
            self.model_version += 1
        with self.store.write():
            self.store.set_meta("active_model", str(encoder.path))
            self.store.set_meta("model_id", encoder.model_id)
        log.info("active model is now %s", encoder.path)
        return True
