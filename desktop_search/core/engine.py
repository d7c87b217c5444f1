"""The core assembled: store, encoder, vectors, indexer and searchers for one data directory.

Only one process may index a data directory at a time (an advisory lock); any number
may search it, read-only, meanwhile.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import numpy as np

from .encoder import Encoder, ModelError
from .errors import IndexBusyError
from .indexer import Indexer
from .search import Searcher
from .store import Store, private_dir
from .vectors import VectorSet

log = logging.getLogger(__name__)
ENV_HOME = "DESKTOP_SEARCH_HOME"


def resolve_data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    if data_dir:
        return Path(data_dir).expanduser().resolve()
    if os.environ.get(ENV_HOME):
        return Path(os.environ[ENV_HOME]).expanduser().resolve()
    import platformdirs

    return Path(platformdirs.user_data_dir("desktop-search", appauthor=False))


class WriterLock:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "writer.lock"
        self._fh = None

    def acquire(self) -> WriterLock:
        import fcntl

        fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
        fh = os.fdopen(fd, "r+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = fh.read().strip() or "?"
            fh.close()
            raise IndexBusyError(
                f"another desktop-search process (pid {holder}) is indexing {self.path.parent}; "
                "searching works meanwhile, indexing must wait until it finishes"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._fh = fh
        return self

    def release(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def setup_file_logging(data_dir: Path) -> None:
    """Repairs and per-file errors go to a private log in the data directory."""
    path = data_dir / "desktop-search.log"
    root = logging.getLogger("desktop_search")
    if any(getattr(h, "baseFilename", None) == str(path) for h in root.handlers):
        return
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)


class Engine:
    def __init__(
        self,
        data_dir: str | os.PathLike | None = None,
        *,
        model_path: str | os.PathLike | None = None,
        writer: bool = True,
        encoder: Encoder | None = None,
    ) -> None:
        self.data_dir = private_dir(resolve_data_dir(data_dir))
        setup_file_logging(self.data_dir)
        self.lock = WriterLock(self.data_dir).acquire() if writer else None
        try:
            self.store = Store(self.data_dir)
            if encoder is None:
                encoder = self._load_encoder(model_path)
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
            self.indexer = Indexer(self.store, encoder, self.vectors) if writer else None
        except BaseException:
            if self.lock:
                self.lock.release()
            raise
        self._local = threading.local()
        self._swap_lock = threading.Lock()
        self.model_version = 0

    def _load_encoder(self, model_path) -> Encoder:
        """The explicit model, else the index's active one; a vanished active model falls
        back to the embedded default instead of locking the user out of their index."""
        if model_path:
            return Encoder(model_path)
        active = self.store.get_meta("active_model")
        if active:
            try:
                return Encoder(active)
            except ModelError as exc:
                log.warning("active model unusable (%s); using the embedded default", exc)
        return Encoder()

    def switch_model(
        self,
        model: str | os.PathLike | Encoder,
        *,
        progress=None,
        cancel: threading.Event | None = None,
    ) -> bool:
        """Re-embed every passage for ``model`` (searches keep the old model meanwhile), then
        swap encoder, vectors and indexer in one step. Returns False if cancelled."""
        from .switch import embed_all

        if self.indexer is None:
            raise IndexBusyError("switching models needs the indexing lock")
        encoder = model if isinstance(model, Encoder) else Encoder(model)
        _, complete = embed_all(self.store, encoder, progress=progress, cancel=cancel)
        if not complete:
            return False
        vectors = VectorSet(self.data_dir, encoder.model_id, encoder.dim)
        vectors.open(self.store)
        vectors.save()
        indexer = Indexer(self.store, encoder, vectors, max_file_size=self.indexer.max_file_size)
        with self._swap_lock:  # searchers pick up the new pair at their next query
            self.encoder, self.vectors, self.indexer = encoder, vectors, indexer
            self.model_version += 1
        with self.store.write():
            self.store.set_meta("active_model", str(encoder.path))
        log.info("active model is now %s", encoder.path)
        return True

    @property
    def writable(self) -> bool:
        return self.indexer is not None

    def searcher(self) -> Searcher:
        """A searcher for the calling thread (each thread needs its own SQLite connection)."""
        s = getattr(self._local, "searcher", None)
        if s is None:
            s = self._local.searcher = Searcher(Store(self.data_dir), self.encoder, self.vectors)
            s.model_version = self.model_version
        if s.model_version != self.model_version:
            with self._swap_lock:
                s.encoder, s.vectors, s.model_version = (
                    self.encoder,
                    self.vectors,
                    self.model_version,
                )
        return s

    def search(self, query: str, **kw):
        return self.searcher().search(query, **kw)

    def drop_file(self, path: str | os.PathLike, *, store: Store | None = None) -> int:
        """Forget one file now (the user trashed it): its passages leave SQLite and the
        vector index at once instead of at the next sync. Returns the passages removed.

        ``store``: a connection made in the calling thread, when that is not the thread
        that made the engine (SQLite connections stay in their thread)."""
        path = os.path.abspath(os.path.expanduser(os.fspath(path)))
        store = store or self.store
        _, removed = store.remove_files([path])
        if removed:
            self.vectors.apply(
                [], np.empty((0, self.vectors.dim), np.float32), removed, store.generation()
            )
            if self.writable:
                self.vectors.save()
        return len(removed)

    def status(self) -> dict:
        return {
            "data_dir": str(self.data_dir),
            "model": str(self.encoder.path),
            **self.searcher().store.summary(),
            "vectors": self.vectors.count(),
        }

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.lock:
            self.lock.release()
            self.lock = None
        self.store.close()
