"""Phase 1 of indexing: keeps the text and keyword index level with the user's folders.

Files are skipped by stat, then by content hash; a new or changed file is extracted,
chunked and committed (text and FTS rows) in one transaction, without the encoder, so it
is keyword-searchable at once and a killed run resumes where it stopped. Extraction of the
next files overlaps with committing. Passages whose exact text already has a vector (the
cache is keyed by text hash) enter the vector index at once; the rest wait for phase 2
(``phase2``).
"""

from __future__ import annotations

import logging
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import numpy as np

from desktop_search.core.encode.token_counter import HFTokenCounter
from desktop_search.core.extract.dispatch import MAX_FILE_BYTES
from desktop_search.core.faults import failpoint
from desktop_search.core.folders import inside, root_of
from desktop_search.core.store.catalog import Store
from desktop_search.core.store.database import (
    NotIndexedError,
    is_damage,
    plain_write_errors,
)
from desktop_search.core.store.vector_index import VectorSet
from desktop_search.core.sync_report import FileCallback, Progress, SyncReport

from .chunking import ChunkConfig
from .reading import OCR_STATE, FileReader, Prepared, internal_error
from .scan import FileStat, ScanRules, scan

if TYPE_CHECKING:
    from desktop_search.core.encode.encoder import Encoder

log = logging.getLogger(__name__)

DEFAULT_MAX_FILE_SIZE = MAX_FILE_BYTES


class Indexer:
    def __init__(
        self,
        store: Store,
        encoder: Encoder,
        vectors: VectorSet,
        *,
        chunk_config: ChunkConfig | None = None,
        max_file_size: int = DEFAULT_MAX_FILE_SIZE,
        save_every_s: float = 120.0,
    ) -> None:
        self.store = store
        self.vectors = vectors
        self.model_id = encoder.model_id  # whose cached vectors are reused
        hard = encoder.max_seq_length - 2
        base = ChunkConfig()
        self.chunk_config = chunk_config or ChunkConfig(
            max_tokens=min(base.max_tokens, hard),
            overlap_tokens=min(base.overlap_tokens, hard // 2),
            hard_limit=hard,
        )
        self.max_file_size = max_file_size
        self.save_every_s = save_every_s
        # The chunker runs in a reader thread, on its own copy of the Rust tokenizer.
        self.reader = FileReader(
            store.data_dir, HFTokenCounter(encoder.tokenizer), self.chunk_config, max_file_size
        )
        self.on_file: FileCallback | None = None  # the running job's per-file callback

    # -- public API -------------------------------------------------------------------

    def add_root(self, path: str, include: Iterable[str] = (), exclude: Iterable[str] = ()) -> int:
        path = os.path.abspath(os.path.expanduser(path))
        if not os.path.isdir(path):
            raise FileNotFoundError(f"not a folder: {path}")
        return self.store.add_root(path, list(include), list(exclude))

    def forget(self, path: str) -> int:
        """Drop a root (or any folder or file) and everything indexed under it."""
        path = os.path.abspath(os.path.expanduser(path))
        if not self.store.knows(path):
            raise NotIndexedError(f"{path} is not indexed (see `desktop-search status`)")
        removed = self.store.remove_root(path)
        self.vectors.apply(
            [], np.empty((0, self.vectors.dim), np.float32), removed, self.store.generation()
        )
        self.vectors.save()
        return len(removed)

    def sync(
        self,
        roots: Iterable[str] | None = None,
        *,
        progress: Callable[[Progress], None] | None = None,
        cancel: threading.Event | None = None,
        pause: threading.Event | None = None,
        on_file: FileCallback | None = None,
    ) -> SyncReport:
        """Bring the given roots (all when None) level with the disk.

        ``on_file(path, outcome, error)`` is told about each file as soon as it is committed
        (outcome: added, updated, unchanged, removed, failed, skipped, or ocr: left to the
        OCR stage), and about folders that cannot be read (outcome "failed").
        """
        self.on_file = on_file
        known = {r["path"]: r for r in self.store.roots()}
        wanted = [os.path.abspath(r) for r in roots] if roots is not None else list(known)
        report = SyncReport()
        todo: list[tuple[FileStat, int | None, bool]] = []
        if progress:
            progress(Progress("scanning"))
        with plain_write_errors(report.files_done, self.store.path):
            for root in wanted:
                info = known.get(root)
                todo += self._scan_root(root, info, report)
            self._process(todo, report, progress, cancel, pause)
            if not report.cancelled:
                self.store.prune_vectors(self.model_id)
            if progress:
                progress(Progress("saving", len(todo), len(todo), report.passages_embedded))
            self.vectors.save()
        if progress:
            progress(Progress("done", len(todo), len(todo), report.passages_embedded))
        return report

    def update_paths(
        self,
        paths: Iterable[str],
        *,
        cancel: threading.Event | None = None,
        on_file: FileCallback | None = None,
    ) -> SyncReport:
        """Re-check individual paths (from the watcher): changed, created or deleted files."""
        self.on_file = on_file
        report = SyncReport()
        todo, gone = [], []
        roots = self.store.roots()
        for path in dict.fromkeys(os.path.abspath(p) for p in paths):
            root = root_of(path, roots)
            if root is None:
                continue
            rules = ScanRules.from_lists(root["include"], root["exclude"])
            if os.path.isdir(path):
                sub = scan(path, rules)
                indexed = self.store.files_under(path)
                on_disk = {f.path for f in sub.files}
                gone += [p for p in indexed if p not in on_disk]
                candidates = [(f, indexed.get(f.path)) for f in sub.files]
            else:
                try:
                    st = os.stat(path)
                except OSError:
                    gone += [path, *self.store.files_under(path)]
                    continue
                if not rules.wants_path(root["path"], path):
                    if self.store.file(path):
                        gone.append(path)
                    continue
                candidates = [(FileStat(path, st.st_size, st.st_mtime_ns), self.store.file(path))]
            for f, row in candidates:
                if row and row.unchanged(f.size, f.mtime_ns):
                    report.files_unchanged += 1
                else:
                    todo.append((f, root["id"], row is None))
        with plain_write_errors(report.files_done, self.store.path):
            if gone:
                report.files_removed += self._remove(gone)
            self._process(todo, report, None, cancel, None)
            self.vectors.save()
        return report

    def move(self, old: str, new: str) -> bool:
        """A file renamed inside the roots keeps its passages: no extraction, no embedding."""
        old, new = os.path.abspath(old), os.path.abspath(new)
        root = root_of(new, self.store.roots())
        if root is None or not ScanRules.from_lists(root["include"], root["exclude"]).wants_path(
            root["path"], new
        ):
            self._remove([old])
            return False
        return self.store.move_file(old, new, root["id"])

    # -- internals --------------------------------------------------------------------

    def _scan_root(self, root: str, info: dict | None, report: SyncReport) -> list:
        """Walk one root: drop what vanished, return what needs reading.

        A folder that cannot be read is recorded as a problem (so ``status`` lists it), and
        what was indexed inside it is kept rather than dropped as vanished.
        """
        rules = ScanRules.from_lists(info["include"], info["exclude"]) if info else ScanRules()
        root_id = info["id"] if info else None
        found = scan(root, rules)
        unreadable = [folder for folder, _ in found.errors]
        for folder, msg in found.errors:
            report.errors.append({"path": folder, "error": msg})
            self.store.record_problem(
                path=folder, root_id=root_id, size=0, mtime_ns=0, state="error", error=msg
            )
            self._tell(folder, "failed", msg)
        indexed = self.store.files_under(root)
        on_disk = {f.path for f in found.files}
        gone = [
            p for p in indexed if p not in on_disk and not any(inside(p, d) for d in unreadable)
        ]
        if gone:
            report.files_removed += self._remove(gone)
        todo = []
        for f in found.files:
            row = indexed.get(f.path)
            if row and row.unchanged(f.size, f.mtime_ns):
                report.files_unchanged += 1
            else:
                todo.append((f, root_id, row is None))
        return todo

    def _tell(self, path: str, outcome: str, error: str | None = None) -> None:
        if self.on_file is not None:
            self.on_file(path, outcome, error)

    def _remove(self, paths: list[str]) -> int:
        files, removed = self.store.remove_files(paths)
        for path in paths:
            self._tell(path, "removed")
        if removed:
            self.vectors.apply(
                [], np.empty((0, self.vectors.dim), np.float32), removed, self.store.generation()
            )
        return files

    def _process(self, todo, report: SyncReport, progress, cancel, pause) -> None:
        if not todo:
            return
        total_bytes = sum(f.size for f, _, _ in todo) or 1
        done_bytes = 0
        started = time.monotonic()
        last_save = started
        prepared: queue.Queue = queue.Queue(maxsize=8)
        stop = threading.Event()

        def reader() -> None:
            for f, root_id, is_new in todo:
                if stop.is_set():
                    break
                try:
                    item = self.reader.prepare(f, root_id, is_new)
                except Exception as exc:  # one odd file must fail only itself
                    log.exception("unexpected failure reading %r", f.path)
                    item = Prepared(f, root_id, is_new, state="error", error=internal_error(exc))
                    if is_damage(exc):
                        item.fatal = exc
                prepared.put(item)
            prepared.put(None)

        thread = threading.Thread(target=reader, name="desktop-search-reader", daemon=True)
        thread.start()
        files_done = 0
        last_told = 0.0
        try:
            while True:
                if pause is not None:
                    while pause.is_set() and not (cancel and cancel.is_set()):
                        time.sleep(0.05)
                if cancel is not None and cancel.is_set():
                    report.cancelled = True
                    break
                item = prepared.get()
                if item is None:
                    break
                self.commit(item, report)
                files_done += 1
                done_bytes += item.stat.size
                now = time.monotonic()
                if progress and (now - last_told > 0.1 or files_done == len(todo)):
                    last_told = now
                    elapsed = max(now - started, 1e-6)
                    frac = done_bytes / total_bytes
                    eta = elapsed * (1 - frac) / frac if frac > 0 else None
                    progress(
                        Progress(
                            "indexing",
                            files_done,
                            len(todo),
                            passages_per_s=files_done / elapsed,
                            eta_s=eta,
                            current=item.stat.path,
                        )
                    )
                if now - last_save > self.save_every_s:
                    self.vectors.save()
                    last_save = time.monotonic()
        finally:
            stop.set()
            while thread.is_alive():  # unblock the reader so it can exit
                try:
                    prepared.get_nowait()
                except queue.Empty:
                    thread.join(0.05)

    def commit(self, item: Prepared, report: SyncReport) -> None:
        """Save one read file (phase 1's reader, or the OCR stage), or record its problem."""
        if item.fatal is not None:
            raise item.fatal
        try:
            self._commit_one(item, report)
        except (sqlite3.OperationalError, MemoryError):
            raise  # the disk, the lock or the machine: every file would fail alike
        except Exception as exc:
            if is_damage(exc):
                raise
            log.exception("unexpected failure saving %r", item.stat.path)
            self._record_failure(item, internal_error(exc), report)

    def _commit_one(self, item: Prepared, report: SyncReport) -> None:
        st = item.stat
        failpoint("save", st.path)
        if item.state == "same":
            self.store.touch_file(st.path, st.size, st.mtime_ns)
            report.files_unchanged += 1
            self._tell(st.path, "unchanged")
            return
        if item.state == "gone":
            report.files_removed += self._remove([st.path])
            return
        if item.state != "ok":
            self._record_failure(item, item.error or item.state, report)
            return
        added, removed = self.store.save_file(
            path=st.path,
            root_id=item.root_id,
            size=st.size,
            mtime_ns=st.mtime_ns,
            content_hash=item.hash,
            kind=item.kind,
            passages=item.passages,
        )
        # Texts embedded before (a rename, a copy, an undo) enter the vector index now.
        cached = self.store.cached_vectors(self.model_id, [p.text_hash for p in item.passages])
        known = [
            (pid, cached[p.text_hash])
            for pid, p in zip(added, item.passages)
            if p.text_hash in cached
        ]
        mat = (
            np.stack([v for _, v in known])
            if known
            else np.empty((0, self.vectors.dim), np.float32)
        )
        self.vectors.apply([pid for pid, _ in known], mat, removed, self.store.generation())
        if item.is_new:
            report.files_added += 1
        else:
            report.files_updated += 1
        self._tell(st.path, "added" if item.is_new else "updated")

    def _record_failure(self, item: Prepared, error: str, report: SyncReport) -> None:
        """Remember a file that failed, was skipped or waits for OCR, and drop its stale
        passages."""
        st = item.stat
        state = item.state if item.state in ("skipped", OCR_STATE) else "error"
        try:
            removed = self.store.record_problem(
                path=st.path,
                root_id=item.root_id,
                size=st.size,
                mtime_ns=st.mtime_ns,
                state=state,
                error=error,
            )
        except (sqlite3.OperationalError, MemoryError):
            raise
        except Exception:  # not even the problem can be stored: report it, carry on
            log.exception("cannot record the problem with %r", st.path)
            removed = []
        if removed:
            self.vectors.apply(
                [], np.empty((0, self.vectors.dim), np.float32), removed, self.store.generation()
            )
        if state == OCR_STATE:
            report.files_for_ocr += 1
        else:
            report.files_failed += 1
            report.errors.append({"path": st.path, "error": error})
        self._tell(st.path, "failed" if state == "error" else state, error)
