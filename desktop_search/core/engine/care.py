"""Looking after an index without a model loaded: ``Engine.read_status``,
``Engine.is_damaged`` and ``Engine.repair``.

These run before (or instead of) opening an Engine: ``status`` must not load a model or
create an index where there is none, the app asks whether the database is damaged before
it opens one, and a repair moves the damaged database aside before an Engine rebuilds
it. A mixin of the Engine, like ``adapting``, to keep api.py short.
"""

from __future__ import annotations

import os

from desktop_search.core.errors import StoreError
from desktop_search.core.store.catalog import DB_NAME, Store
from desktop_search.core.store.database import (
    DamagedIndexError,
    ReadOnlyError,
    can_write,
    require_index,
)
from desktop_search.core.store.datadir import WriterLock, resolve_data_dir, setup_file_logging
from desktop_search.core.store.repair import RepairReport, is_healthy, salvage


class IndexCareMixin:
    """The Engine's class-level methods for an index it has not opened."""

    @staticmethod
    def read_status(data_dir: str | os.PathLike | None = None) -> dict:
        """What ``status`` shows, read without loading a model (and without creating an
        index where there is none)."""
        path = resolve_data_dir(data_dir)
        if not (path / DB_NAME).exists():
            empty = {
                "roots": [],
                "files": 0,
                "failed": 0,
                "skipped": 0,
                "passages": 0,
                "passages_pending": 0,
            }
            return {"data_dir": str(path), **empty, "problems": []}
        if not is_healthy(path / DB_NAME):  # SQLite's quick_check: 0.4 s per 600 MB
            raise DamagedIndexError(path / DB_NAME)
        with Store(path) as store:
            return {"data_dir": str(path), **store.summary()}

    @staticmethod
    def is_damaged(data_dir: str | os.PathLike | None = None) -> bool:
        """Whether the index database is damaged (SQLite's quick_check, read-only; an index
        that is missing or cannot be opened for another reason is not damaged)."""
        path = resolve_data_dir(data_dir) / DB_NAME
        try:
            return path.is_file() and not is_healthy(path)
        except StoreError:
            return False

    @classmethod
    def repair(
        cls, data_dir: str | os.PathLike | None = None, *, progress=None, **engine_kw
    ) -> RepairReport:
        """Move a damaged index aside, salvage its vectors and folders, and rebuild from disk
        (the salvaged vectors spare most of the embedding)."""
        data_dir = resolve_data_dir(data_dir)
        require_index(data_dir)
        if not can_write(data_dir):
            raise ReadOnlyError(data_dir)
        setup_file_logging(data_dir)
        lock = WriterLock(data_dir).acquire()
        try:
            report = salvage(data_dir)
        finally:
            lock.release()
        with cls(data_dir, **engine_kw) as engine:  # cls: the Engine
            report.sync = engine.sync(progress=progress)
        return report
