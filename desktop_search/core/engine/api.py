"""The application API: one data directory's index, for the CLI and the app alike.

Nothing above ``core/`` reaches into the store, the indexer or the vectors: it asks the
Engine. Reading methods (``search``, ``stats``, ``estimate``, ``file_text``...) may be
called from any thread; each thread gets its own SQLite connection. Writing methods
(``sync``, ``forget``, ``adapt``...) need the writer lock (``writer=True``); only one
process may hold it per data directory, and any number may search meanwhile.

Every value returned is a fresh object the engine never touches again. Mixins keep this
file short (``models``, ``care``, ``duplicates``, ``scans``, ``related``, ``topics``,
``adapting``); the whole surface is listed in this package's ``__init__``.
"""

from __future__ import annotations

import copy
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_search.core.encode.passage_encoder import PassageEncoder
from desktop_search.core.encode.query_encoder import QueryEncoder
from desktop_search.core.errors import IndexBusyError
from desktop_search.core.extract.mail_open import message_file
from desktop_search.core.folders import outermost
from desktop_search.core.index.chunking import ChunkConfig, signature
from desktop_search.core.index.estimate import Estimate, measure_speed, scan_folders
from desktop_search.core.index.ocr_cache import ensure_table as ensure_ocr_table
from desktop_search.core.index.ocr_stage import OcrStage
from desktop_search.core.index.phase1 import DEFAULT_MAX_FILE_SIZE, Indexer
from desktop_search.core.index.phase2 import Embedder, EmbedReport
from desktop_search.core.index.watcher import WatchBatch
from desktop_search.core.sanitize import clean_query
from desktop_search.core.search.best_sentence import mark_best_sentences
from desktop_search.core.search.facets import Facets, read_facets
from desktop_search.core.search.query_filters import read_query
from desktop_search.core.search.searcher import FileResult, Filters, Searcher
from desktop_search.core.store.catalog import DB_NAME, Store
from desktop_search.core.store.database import (
    DamagedIndexError,
    ReadOnlyError,
    can_write,
    damage_is_named,
    is_damage,
    private_dir,
)
from desktop_search.core.store.datadir import WriterLock, resolve_data_dir, setup_file_logging
from desktop_search.core.store.vector_index import VectorSet
from desktop_search.core.sync_report import FileCallback, Progress, SyncReport

from .adapting import AdaptingMixin
from .care import IndexCareMixin
from .duplicates import DuplicatesMixin
from .models import ModelsMixin
from .related import RelatedMixin
from .scans import ScansMixin
from .topics import TopicsMixin

if TYPE_CHECKING:
    from desktop_search.core.encode.encoder import Encoder

log = logging.getLogger(__name__)

__all__ = ["Engine", "resolve_data_dir"]

#: At most this many problems travel with ``stats()`` (the app's Problems list).
MAX_PROBLEMS = 500


class Engine(
    AdaptingMixin,
    ModelsMixin,
    IndexCareMixin,
    DuplicatesMixin,
    ScansMixin,
    RelatedMixin,
    TopicsMixin,
):
    def __init__(
        self,
        data_dir: str | os.PathLike | None = None,
        *,
        model_path: str | os.PathLike | None = None,
        writer: bool = True,
        encoder: Encoder | PassageEncoder | QueryEncoder | None = None,
        embed_batch: int = 256,
        max_file_size: int = DEFAULT_MAX_FILE_SIZE,
        chunk_config: ChunkConfig | None = None,
    ) -> None:
        resolved = resolve_data_dir(data_dir)
        if writer and resolved.is_dir() and not can_write(resolved):
            raise ReadOnlyError(resolved)
        self.data_dir = private_dir(resolved)
        setup_file_logging(self.data_dir)
        self.lock = WriterLock(self.data_dir).acquire() if writer else None
        try:
            self.store = Store(self.data_dir)
            if writer:
                self.store.ensure_blocks()
                ensure_ocr_table(self.store.conn)  # phase 1 reads it, the OCR stage writes it
            self.chunk_config = chunk_config  # None: the model's own (see ``Indexer``)
            if encoder is None:
                encoder = self._load_encoder(model_path, writer)
            self.encoder = encoder
            self.vectors = VectorSet(self.data_dir, encoder.model_id, encoder.dim)
            how = self.vectors.open(self.store)
            if how == "rebuilt":
                log.warning(
                    "vector index was missing, stale or damaged: rebuilt from %d stored vectors",
                    self.vectors.count(),
                )
            if writer and how != "loaded":
                self.vectors.save()
            self.indexer = (
                Indexer(
                    self.store,
                    encoder,
                    self.vectors,
                    chunk_config=chunk_config,
                    max_file_size=max_file_size,
                )
                if writer
                else None
            )
            if self.indexer is not None:
                stale = self.store.follow_chunking(signature(self.indexer.chunk_config))
                if stale:
                    log.warning("%d files were cut into passages otherwise: cut again", stale)
            self.ocr_stage = OcrStage(self.indexer) if self.indexer is not None else None
            self.embed_batch = embed_batch
            self.embedder = (
                Embedder(self.store, encoder, self.vectors, batch=embed_batch) if writer else None
            )
            if writer and self.store.get_meta("model_id") != encoder.model_id:
                with self.store.write():  # whose vectors ``status`` counts as pending
                    self.store.set_meta("model_id", encoder.model_id)
        except BaseException as exc:
            if self.lock:
                self.lock.release()
            if is_damage(exc):
                raise DamagedIndexError(self.data_dir / DB_NAME) from exc
            raise
        self._local = threading.local()
        self._stores: list[Store] = []
        self._swap_lock = threading.Lock()
        self.model_version = 0

    @property
    def writable(self) -> bool:
        return self.indexer is not None

    @property
    def model_path(self) -> Path:
        return Path(self.encoder.path)

    def _need_writer(self, what: str) -> Indexer:
        if self.indexer is None:
            raise IndexBusyError(f"{what} needs the indexing lock; this engine only reads")
        return self.indexer

    # -- reading, from any thread ----------------------------------------------------

    def _thread_store(self) -> Store:
        """This thread's own connection (SQLite connections stay in the thread that made them)."""
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = Store(self.data_dir)
            self._stores.append(store)
        return store

    def searcher(self) -> Searcher:
        """The calling thread's searcher: its own connection, the shared encoder and vectors."""
        s = getattr(self._local, "searcher", None)
        if s is None:
            s = self._local.searcher = Searcher(self._thread_store(), self.encoder, self.vectors)
            s.model_version = self.model_version
        if s.model_version != self.model_version:
            with self._swap_lock:
                s.encoder, s.vectors = self.encoder, self.vectors
                s.model_version = self.model_version
        return s

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        mode: str = "hybrid",
        filters: Filters | None = None,
        per_file: int = 3,
        best_sentence: bool = False,
        rerank: bool = False,
    ) -> list[FileResult]:
        """Files best first (see ``Searcher.search``), on this thread's own connection.
        The query is cleaned here, once: a shell passes bytes that are not UTF-8 as lone
        surrogates, which neither the tokenizer nor SQLite accepts. Filters typed into it
        (``type:pdf after:2024``, see ``read_query``) win over ``filters``."""
        typed = read_query(clean_query(query))
        with damage_is_named(self.data_dir / DB_NAME):
            return self.searcher().search(
                typed.text,
                k=k,
                mode=mode,
                filters=(filters or Filters()).merged(typed.filters),
                per_file=per_file,
                best_sentence=best_sentence,
                rerank=rerank,
            )

    def best_sentences(self, query: str, results: list[FileResult]) -> list[FileResult]:
        """Copies of ``results`` with each file's best sentence highlighted (the originals
        may already be in another thread's hands, so they are left alone)."""
        marked = copy.deepcopy(results)
        mark_best_sentences(self.encoder, query, marked)
        return marked

    def warm_up(self) -> None:
        """Load the weights now, rather than in the middle of the first search."""
        self.encoder.encode(["warm up"])

    def stats(self) -> dict:
        """Roots, counts and the first problems: what the app's status bar and lists show."""
        store = self._thread_store()
        with damage_is_named(self.data_dir / DB_NAME):
            counts = store.counts()
            return {
                "roots": [r["path"] for r in store.roots()],
                "problems": store.problems()[:MAX_PROBLEMS],
                "writable": self.writable,
                "model_backend": self.model_backend(),
                "torch_loaded": "torch" in sys.modules,
                **counts,
                "passages_pending": self._pending(store, counts["passages"])["passages"],
            }

    def status(self) -> dict:
        return {
            "data_dir": str(self.data_dir),
            "model": str(self.encoder.path),
            "model_backend": self.model_backend() or "not loaded yet",
            "torch_loaded": "torch" in sys.modules,
            **self._thread_store().summary(self.encoder.model_id),
            "vectors": self.vectors.count(),
        }

    def pending(self) -> dict[str, int]:
        """Passages (and files) that meaning search does not cover yet: phase 2's backlog."""
        store = self._thread_store()
        return self._pending(store, store.counts()["passages"])

    def _pending(self, store: Store, passages: int) -> dict[str, int]:
        if passages == self.vectors.count():  # the usual case, and cheap
            return {"passages": 0, "files": 0}
        return store.pending_counts(self.encoder.model_id)

    def estimate(self, folders: list[str], include=(), exclude=()) -> Estimate:
        """How many files and passages indexing ``folders`` would add (speed not measured)."""
        return scan_folders(list(folders), include, exclude, self._thread_store())

    def measure_speed(self) -> float:
        """Passages per second this machine embeds (a short real run of the encoder)."""
        return measure_speed(self.encoder)

    def facets(self) -> Facets:
        """The file types (with counts) and folders the index holds: the search filters'
        choices."""
        return read_facets(self._thread_store())

    # -- writing, with the writer lock -------------------------------------------------

    def add_root(self, path: str, include: Iterable[str] = (), exclude: Iterable[str] = ()) -> str:
        """Add a folder (or change its rules); returns its absolute path. Indexes nothing.

        A folder inside a listed one is refused with the reason (``FolderError``); one
        around listed folders takes them over, keeping their passages (``Store.add_root``).
        """
        self._need_writer("adding a folder").add_root(path, include, exclude)
        return os.path.abspath(os.path.expanduser(path))

    def index(
        self,
        paths: Iterable[str],
        *,
        include: Iterable[str] = (),
        exclude: Iterable[str] = (),
        **sync_options,
    ) -> SyncReport:
        """Add folders and bring them level with the disk (``sync_options``: see ``sync``).
        A folder given inside another given one is part of it."""
        wanted = outermost(os.path.abspath(os.path.expanduser(p)) for p in paths)
        roots = [self.add_root(p, include, exclude) for p in wanted]
        return self.sync(roots, **sync_options)

    def sync(
        self,
        roots: Iterable[str] | None = None,
        *,
        progress: Callable[[Progress], None] | None = None,
        cancel: threading.Event | None = None,
        pause: threading.Event | None = None,
        on_file: FileCallback | None = None,
        embed: bool = True,
    ) -> SyncReport:
        """Bring folders (all when None) level with the disk: phase 1 (text and keyword
        index, see ``Indexer.sync``), then, if ``embed``, the OCR stage (``recognise_pending``)
        and phase 2 (``embed_pending``)."""
        indexer = self._need_writer("indexing")
        self.prepare_encoder()  # the export, made while phase 1 runs
        known = [r["path"] for r in self.store.roots()]
        if roots is not None:
            roots = [r for r in (os.path.abspath(r) for r in roots) if r in known]
        report = indexer.sync(roots, progress=progress, cancel=cancel, pause=pause, on_file=on_file)
        if embed and not report.cancelled:
            ocr = self.recognise_pending(
                progress=progress, cancel=cancel, pause=pause, on_file=on_file
            )
            report.merge(ocr.saved)
            report.files_for_ocr, report.cancelled = ocr.remaining, ocr.cancelled
        if embed and not report.cancelled:
            done = self.embed_pending(progress=progress, cancel=cancel, pause=pause)
            report.passages_embedded = done.passages_embedded
            report.cancelled = done.cancelled
            report.passages_pending = done.remaining
            if not done.cancelled:
                self.update_topics()
        else:
            report.passages_pending = self.pending()["passages"]
        return report

    def embed_pending(
        self,
        *,
        progress: Callable[[Progress], None] | None = None,
        cancel: threading.Event | None = None,
        pause: threading.Event | None = None,
        yield_to: Callable[[], bool] | None = None,
        limit: int | None = None,
        pending: int | None = None,
    ) -> EmbedReport:
        """Phase 2: embed passages that have no vector yet, most useful first (see
        ``embedding``); stops early on ``cancel`` or when ``yield_to()`` is true.
        ``pending``: ``pending()["passages"]`` when the caller has just read it."""
        self._need_writer("embedding")
        with damage_is_named(self.data_dir / DB_NAME):
            report = self.embedder.run(
                progress=progress,
                cancel=cancel,
                pause=pause,
                yield_to=yield_to,
                limit=limit,
                pending=pending,
            )
            backend = self.model_backend()
            if backend and self.store.get_meta("model_backend") != backend:
                with self.store.write():  # what ``status`` says runs phase 2
                    self.store.set_meta("model_backend", backend)
            return report

    @staticmethod
    def message_file(path: str, n: int | None = None) -> Path:
        """What to hand the mail program to open message ``n`` of ``path`` (see ``mail_open``;
        no index is needed)."""
        return message_file(path, n)

    def prioritize(self, paths: Iterable[str]) -> None:
        """Embed these files next (one the person opened or previewed). Any thread."""
        if self.embedder is not None:
            self.embedder.prioritize([os.path.abspath(p) for p in paths])

    def apply_changes(
        self,
        batch: WatchBatch,
        *,
        cancel: threading.Event | None = None,
        on_file: FileCallback | None = None,
        embed: bool = True,
    ) -> SyncReport:
        """What the folder watcher saw: renames keep their passages, the rest is re-checked
        (phase 1), then, if ``embed``, phase 2 embeds the changed passages."""
        indexer = self._need_writer("updating changed files")
        self.prepare_encoder()
        for old, new in batch.moved:
            indexer.move(old, new)
        report = indexer.update_paths(batch.paths(), cancel=cancel, on_file=on_file)
        if embed and not report.cancelled:
            done = self.embed_pending(cancel=cancel)
            report.passages_embedded, report.cancelled = done.passages_embedded, done.cancelled
            if not done.cancelled:
                self.update_topics()
        report.passages_pending = self.pending()["passages"]
        return report

    def forget(self, path: str) -> int:
        """Drop a folder (or file) and its passages; returns how many passages went."""
        return self._need_writer("removing a folder").forget(path)

    # -- life -----------------------------------------------------------------------

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if isinstance(self.encoder, PassageEncoder):
            self.encoder.close()  # an export still under way stops
        if self.lock:
            self.lock.release()
            self.lock = None
        for store in self._stores:
            store.close()
        self._stores.clear()
        self.store.close()
