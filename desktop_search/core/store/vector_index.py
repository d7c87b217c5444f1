"""The HNSW index kept in step with SQLite.

SQLite holds every passage's vector; the HNSW file is a cache of it that is saved with
the database generation it reflects. On open, a missing, unreadable or damaged file is
rebuilt from stored vectors, and a stale one is caught up by diffing ids, so the two can
never silently drift and nothing is ever re-embedded to repair the index.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import zlib
from concurrent.futures import Future
from pathlib import Path

import numpy as np

from desktop_search.core.faults import crashpoint

from .ann import ExactIndex, HNSWIndex
from .catalog import Store
from .database import private_dir

log = logging.getLogger(__name__)


def _crc32(path: Path) -> int:
    crc = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 24):
            crc = zlib.crc32(chunk, crc)
    return crc


def _in_background(path: Path) -> Future:
    """The file's CRC-32, computed on a daemon thread (reads and zlib let go of the GIL)."""
    done: Future = Future()

    def run() -> None:
        try:
            done.set_result(_crc32(path))
        except Exception as exc:
            done.set_exception(exc)

    threading.Thread(target=run, name="desktop-search-crc", daemon=True).start()
    return done


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


class VectorSet:
    """One model's vectors: an HNSW index in memory plus its files on disk."""

    #: Filtered searches over at most this many passages are exact (NumPy) instead of HNSW.
    EXACT_LIMIT = 5000

    def __init__(self, data_dir: Path, model_id: str, dim: int) -> None:
        self.model_id = model_id
        self.dim = dim
        key = hashlib.sha1(model_id.encode()).hexdigest()[:12]
        self.dir = private_dir(Path(data_dir) / "vectors")
        self.manifest = self.dir / f"{key}.json"
        self.key = key
        self.data_dir = Path(data_dir)
        self.lock = threading.RLock()
        self._unchecked: tuple[Future, int] | None = None  # (checksum being read, expected)
        self.index = HNSWIndex(dim)
        self.generation = -1
        self.last_open = "new"

    # -- a loaded file is trusted once its checksum matched ----------------------------

    @property
    def index(self) -> HNSWIndex:
        """The HNSW index. A loaded file's checksum (2 s for 1.6 GB at 1M passages) is read
        in the background while the process starts; the first use waits for it, so nothing
        ever searches a damaged file (hnswlib checks the layout as it loads, but a damaged
        link would crash a search), and a keyword-only search never waits at all."""
        if self._unchecked is not None:
            self._confirm()
        return self._index

    @index.setter
    def index(self, value: HNSWIndex) -> None:
        self._index, self._unchecked = value, None

    @property
    def last_open(self) -> str:
        """What open() did: loaded / caught-up / rebuilt / new (known once checked)."""
        if self._unchecked is not None:
            self._confirm()
        return self._last_open

    @last_open.setter
    def last_open(self, value: str) -> None:
        self._last_open = value

    def _confirm(self) -> None:
        with self.lock:
            if self._unchecked is None:
                return
            (check, expected), self._unchecked = self._unchecked, None
            try:
                ok = check.result() == expected
            except OSError:
                ok = False
            if not ok:
                log.warning("vector index file is damaged; rebuilding from stored vectors")
                with Store(self.data_dir) as store:
                    self._rebuild(store)
                self._last_open = "rebuilt"

    # -- open / repair ---------------------------------------------------------------

    def open(self, store: Store) -> str:
        """Load the saved index and bring it level with ``store``; returns what it did."""
        with self.lock:
            fresh = not self.manifest.exists() and not any(self.dir.glob(f"{self.key}.*"))
            loaded = self._load()
            db_gen = store.generation()
            if loaded is None and fresh and store.counts()["passages"] == 0:
                self._rebuild(store)
                self.last_open = "new"
            elif loaded is None:
                self._rebuild(store)
                self.last_open = "rebuilt"
            elif self.generation != db_gen:
                self.catch_up(store)
                self.last_open = "caught-up"
            else:
                self.last_open = "loaded"
            return self._last_open

    def _load(self) -> bool | None:
        if not self.manifest.exists():
            if any(self.dir.glob(f"{self.key}.*.hnsw")):
                log.warning("vector index manifest missing; rebuilding from stored vectors")
            return None
        try:
            meta = json.loads(self.manifest.read_text())
            hnsw = self.dir / meta["hnsw"]
            ids_file = self.dir / meta["ids"]
            if meta["dim"] != self.dim or meta["model"] != self.model_id:
                raise ValueError("index was built for another model")
            if hnsw.stat().st_size != meta["size"]:
                raise ValueError("index file is truncated")
            if _crc32(ids_file) != meta["ids_crc32"]:
                raise ValueError("id list is damaged")
            ids = np.load(ids_file, allow_pickle=False)
            check = _in_background(hnsw)
            self.index = HNSWIndex.load(hnsw, self.dim, ids)
            self._unchecked = (check, meta["crc32"])
            self.generation = int(meta["generation"])
            return True
        except Exception as exc:  # any damage means: rebuild from SQLite
            log.warning("vector index unreadable (%s); rebuilding from stored vectors", exc)
            return None

    def _rebuild(self, store: Store) -> None:
        with store.read():
            gen = store.generation()
            ids, mat = store.passage_vectors(self.model_id)
        index = HNSWIndex(self.dim, capacity=max(1024, int(len(ids) * 1.2)))
        if len(ids):
            index.add(ids, mat)
        self.index = index
        self.generation = gen
        log.info("rebuilt vector index from %d stored vectors (no re-embedding)", len(ids))

    def catch_up(self, store: Store) -> tuple[int, int]:
        """Apply whatever changed in SQLite since the index was saved: add the passages that
        have a vector and are missing, drop the ones that are gone."""
        with self.lock:
            with store.read():
                gen = store.generation()
                db_ids = store.embedded_ids(self.model_id)
            have = self.index.ids()
            missing = np.setdiff1d(db_ids, have, assume_unique=True)
            extra = np.setdiff1d(have, db_ids, assume_unique=True)
            if len(missing):
                ids, mat = store.passage_vectors(self.model_id, missing.tolist())
                self.index.add(ids, mat)
            if len(extra):
                self.index.delete(extra.tolist())
            self.generation = gen
            if len(missing) or len(extra):
                log.warning(
                    "vector index was stale: caught up with SQLite (+%d -%d)",
                    len(missing),
                    len(extra),
                )
            return len(missing), len(extra)

    # -- updates ---------------------------------------------------------------------

    def apply(
        self, added: list[int], vectors: np.ndarray, removed: list[int], generation: int
    ) -> None:
        with self.lock:
            if removed:
                self.index.delete(removed)
            if added:
                self.index.add(np.asarray(added, dtype=np.int64), vectors)
            self.generation = generation

    def save(self) -> None:
        """Write the index under a new name, then swap the manifest: a crash leaves the old set."""
        with self.lock:
            if self.index.deleted_count() > max(1000, self.index.count()):
                self._compact()
            gen = self.generation
            hnsw = self.dir / f"{self.key}.{gen}.hnsw"
            ids_file = self.dir / f"{self.key}.{gen}.ids.npy"
            tmp = self.dir / f"{self.key}.{gen}.hnsw.tmp"
            self.index.save(tmp)
            os.chmod(tmp, 0o600)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, hnsw)
            crashpoint("save")
            ids = np.sort(self.index.ids())
            buf = _npy_bytes(ids)
            _write_private(ids_file, buf)
            meta = {
                "model": self.model_id,
                "dim": self.dim,
                "generation": gen,
                "hnsw": hnsw.name,
                "size": hnsw.stat().st_size,
                "crc32": _crc32(hnsw),
                "ids": ids_file.name,
                "ids_crc32": zlib.crc32(buf),
                "count": int(len(ids)),
            }
            tmp_manifest = self.manifest.with_suffix(".json.tmp")
            _write_private(tmp_manifest, json.dumps(meta).encode())
            os.replace(tmp_manifest, self.manifest)
            for old in self.dir.glob(f"{self.key}.*"):
                if old.name not in {hnsw.name, ids_file.name, self.manifest.name}:
                    old.unlink(missing_ok=True)

    def _compact(self) -> None:
        ids = self.index.ids()
        vecs = self.index.vectors(ids) if len(ids) else np.empty((0, self.dim), np.float32)
        index = HNSWIndex(self.dim, capacity=max(1024, int(len(ids) * 1.2)))
        index.add(ids, vecs)
        self.index = index

    # -- queries ---------------------------------------------------------------------

    def search(
        self,
        query: np.ndarray,
        k: int,
        *,
        allowed: np.ndarray | None = None,
        banned: set[int] | None = None,
    ) -> list[tuple[int, float]]:
        """k nearest passages; only ``allowed`` ids if given, never ``banned`` ones.

        A small allowed set is searched exactly, over vectors read from the index in
        memory (SQLite is not touched: reading vectors there scanned the whole table).
        """
        if banned and allowed is None and self.count() - len(banned) <= self.EXACT_LIMIT:
            allowed = self.index.ids()
        if allowed is not None:
            if banned:
                allowed = allowed[~np.isin(allowed, np.fromiter(banned, np.int64, len(banned)))]
            if len(allowed) <= self.EXACT_LIMIT:  # only ids with a vector can be read
                allowed = np.asarray(self.index.known(allowed), dtype=np.int64)
            if len(allowed) == 0:
                return []
            if len(allowed) <= self.EXACT_LIMIT:
                exact = ExactIndex(self.dim)
                exact.add(allowed, self.index.vectors(allowed))
                labels, scores = exact.search(query, k)
            else:
                allow = set(allowed.tolist())
                labels, scores = self.index.search(query, k, filter=lambda label: label in allow)
        elif banned:
            labels, scores = self.index.search(query, k, filter=lambda label: label not in banned)
        else:
            labels, scores = self.index.search(query, k)
        return [(int(i), float(s)) for i, s in zip(labels[0], scores[0])]

    def cosines(self, query: np.ndarray, ids: list[int]) -> dict[int, float]:
        """The query's cosine to each of these passages (ids without a vector are left out)."""
        ids = self.index.known(ids)
        if not ids:
            return {}
        sims = self.index.vectors(ids) @ np.asarray(query, dtype=np.float32)
        return {int(i): float(s) for i, s in zip(ids, sims)}

    def count(self) -> int:
        return self._index.count()  # the ids' own file was checked at load: no need to wait


def _npy_bytes(arr: np.ndarray) -> bytes:
    import io

    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()
