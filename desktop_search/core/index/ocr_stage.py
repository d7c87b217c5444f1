"""The OCR stage: recognise the text of scans and images that phase 1 left waiting.

Phase 1 (``indexer``) never runs the engine: a PDF without a text layer, or an image in a
folder that indexes images, is recorded in state "ocr" unless the OCR cache already holds
its text, so the rest of the folder is keyword-searchable at once. This stage then reads
those files one page at a time, newest first, at low priority (the indexing process is
niced, and the engine runs one thread), and saves each recognised file through phase 1's
commit, so its passages join the keyword index at once and phase 2 embeds them.

Every page's text enters the cache (``ocr_cache``) as it is read: progress survives a
cancel or a crash, and a renamed copy of the same bytes is never recognised again.
``OcrReport.pages_recognised`` counts the pages the engine really read.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from desktop_search.core.errors import ExtractionError
from desktop_search.core.extract.dispatch import kind_of
from desktop_search.core.extract.extracted import Extracted
from desktop_search.core.extract.ocr import Tesseract, image_pages, pdf_pages
from desktop_search.core.sync_report import FileCallback, Progress, SyncReport

from .ocr_cache import (
    cached_document,
    pages_done,
    put_complete,
    put_page,
    recognised_document,
)
from .reading import OCR_STATE, Prepared, content_hash
from .scan import FileStat

if TYPE_CHECKING:
    from .phase1 import Indexer

log = logging.getLogger(__name__)

NO_WORDS = {
    "pdf": "PDF has no text layer, and OCR found no words on its pages",
    "image": "OCR found no words in the image",
}


@dataclass
class OcrReport:
    files_done: int = 0  # recognised and saved (or recorded as a problem)
    pages_recognised: int = 0  # pages the engine read (cached pages do not count)
    remaining: int = 0  # files still waiting
    cancelled: bool = False
    yielded: bool = False  # stopped because other work was waiting
    missing_engine: bool = False
    saved: SyncReport = field(default_factory=SyncReport)  # the files saved, as a sync counts

    @property
    def complete(self) -> bool:
        return self.remaining == 0


def waiting_files(indexer: Indexer) -> list[tuple[FileStat, int | None]]:
    """Files in state "ocr", newest first (as phase 2 orders its work)."""
    rows = indexer.store.conn.execute(
        "SELECT path, size, mtime_ns, root_id FROM files WHERE state = ?"
        " ORDER BY mtime_ns DESC, id",
        (OCR_STATE,),
    ).fetchall()
    return [(FileStat(r[0], r[1], r[2]), r[3]) for r in rows]


class OcrStage:
    """Recognises waiting files for one writing index; ``run`` is called when idle."""

    def __init__(self, indexer: Indexer, engine: Tesseract | None = None) -> None:
        self.indexer = indexer
        self.engine = engine or indexer.reader.ocr

    def pending(self) -> int:
        return len(waiting_files(self.indexer))

    def recognised(self, path: str, conn: sqlite3.Connection) -> Extracted | None:
        """The file's recognised text from the cache, or None (not read yet, or not a scan);
        ``conn``: the calling thread's own connection."""
        try:
            with open(path, "rb") as fh:
                data = fh.read(self.indexer.max_file_size + 1)
        except OSError:
            return None
        kind = kind_of(path) or "pdf"
        key = self.engine.name_version()
        return cached_document(conn, content_hash(data), key, kind)

    def run(
        self,
        *,
        progress: Callable[[Progress], None] | None = None,
        cancel: threading.Event | None = None,
        pause: threading.Event | None = None,
        yield_to: Callable[[], bool] | None = None,
        on_file: FileCallback | None = None,
    ) -> OcrReport:
        """Recognise waiting files until none is left, ``cancel`` is set, or ``yield_to()``
        says other work is waiting (checked between pages). ``on_file`` is told of each
        file saved, as by a sync."""
        report = OcrReport()
        self.indexer.on_file = on_file
        todo = waiting_files(self.indexer)
        if todo and not self.engine.available:
            report.missing_engine, report.remaining = True, len(todo)
            return report
        started = time.monotonic()

        def stop() -> bool:
            if pause is not None:
                while pause.is_set() and not (cancel is not None and cancel.is_set()):
                    time.sleep(0.05)
            if cancel is not None and cancel.is_set():
                report.cancelled = True
            elif yield_to is not None and yield_to():
                report.yielded = True
            return report.cancelled or report.yielded

        for stat, root_id in todo:
            if stop():
                break
            if progress:
                progress(_progress(report, len(todo), started, stat.path))
            self._one(stat, root_id, report, stop)
        report.remaining = self.pending()
        if progress:
            progress(_progress(report, len(todo), started, ""))
        return report

    def _one(self, stat: FileStat, root_id: int | None, report: OcrReport, stop) -> None:
        """Recognise one file's pages (those not cached) and save it; a stop leaves it
        waiting, with the pages read so far cached."""
        # counted as added: phase 1 counted it as waiting, not as indexed
        item = Prepared(stat, root_id, is_new=True, kind=kind_of(stat.path) or "pdf")
        try:
            data = _read_same(stat, self.indexer.max_file_size)
            if data is None:  # changed or gone since phase 1: the next sync reads it anew
                return
            item.hash = content_hash(data)
            key = self.engine.name_version()
            conn = self.indexer.store.conn
            done = pages_done(conn, item.hash, key)
            pages = _page_numbers(data, item.kind)
            for number, image in _images(data, item.kind, [p for p in pages if p not in done]):
                text = self.engine.recognise(image)
                put_page(conn, item.hash, key, number, text)
                done[number] = text
                report.pages_recognised += 1
                if stop():
                    return
            put_complete(conn, item.hash, key, len(pages))
            doc = recognised_document(done, item.kind)
            if not doc.text.strip():
                raise ExtractionError(NO_WORDS.get(item.kind, NO_WORDS["image"]))
            item.passages = self.indexer.reader.passages(doc)
        except ExtractionError as exc:
            item.state, item.error = "error", str(exc)
        except Exception as exc:  # a bug in one file must not stop the stage
            log.exception("OCR failed on %r", stat.path)
            item.state, item.error = "error", f"OCR failed: {type(exc).__name__}: {exc}"[:300]
        self.indexer.commit(item, report.saved)
        report.files_done += 1


def _read_same(stat: FileStat, limit: int) -> bytes | None:
    """The file's bytes, if it is still the file phase 1 saw."""
    try:
        now = os.stat(stat.path)
        if (now.st_size, now.st_mtime_ns) != (stat.size, stat.mtime_ns) or now.st_size > limit:
            return None
        with open(stat.path, "rb") as fh:
            return fh.read(limit + 1)
    except OSError:
        return None


def _page_numbers(data: bytes, kind: str) -> list[int]:
    if kind == "image":
        return [number for number, _ in image_pages(data)]
    import pypdfium2

    try:
        doc = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise ExtractionError(f"corrupt PDF: cannot render it ({exc})"[:300]) from exc
    try:
        return list(range(1, len(doc) + 1))
    finally:
        doc.close()


def _images(data: bytes, kind: str, numbers: list[int]):
    if not numbers:
        return iter(())
    if kind == "image":
        return ((n, im) for n, im in image_pages(data) if n in numbers)
    return pdf_pages(data, numbers)


def _progress(report: OcrReport, total: int, started: float, current: str) -> Progress:
    elapsed = max(time.monotonic() - started, 1e-6)
    rate = report.pages_recognised / elapsed
    return Progress(
        "recognising",
        files_done=report.files_done,
        files_total=total,
        passages_per_s=rate,
        current=current,
    )
