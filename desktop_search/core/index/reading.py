"""Reading one file for phase 1: size limit, content hash, extraction, chunking.

Runs on the indexer's reader thread, ahead of the commits; it never writes. Every failure
(unreadable, too large, no text, a bug in an extractor) becomes the file's own state and
message, so one odd file can fail only itself.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from desktop_search.core.extract.dispatch import ExtractionError, extract_bytes, kind_of, max_bytes
from desktop_search.core.extract.extracted import Extracted
from desktop_search.core.extract.ocr import INSTALL_HINT, NeedsOcr, Tesseract
from desktop_search.core.faults import failpoint, slowpoint
from desktop_search.core.store.catalog import NewPassage, Store

from .chunking import ChunkConfig, TokenCounter, chunk_extracted
from .ocr_cache import cached_document
from .scan import FileStat

log = logging.getLogger(__name__)

#: ``files.state`` of a file whose text waits for the OCR stage (``ocr_stage``).
OCR_STATE = "ocr"
WAITING = "waiting for text recognition (OCR)"


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


@dataclass
class Prepared:
    """A file read and chunked off the main thread, waiting to be committed."""

    stat: FileStat
    root_id: int | None
    is_new: bool
    hash: str = ""
    kind: str = ""
    passages: list[NewPassage] = field(default_factory=list)
    error: str | None = None
    state: str = "ok"  # ok / error / skipped / same (content unchanged) / ocr (waits for OCR)
    fatal: Exception | None = None  # the database is damaged: the run must stop, not the file


class FileReader:
    def __init__(
        self, data_dir: Path, tokens: TokenCounter, chunk_config: ChunkConfig, max_file_size: int
    ) -> None:
        self.data_dir = data_dir
        self.tokens = tokens
        self.chunk_config = chunk_config
        self.max_file_size = max_file_size
        self.ocr = Tesseract()
        self._local = threading.local()

    def prepare(self, f: FileStat, root_id: int | None, is_new: bool) -> Prepared:
        """Read, hash, extract and chunk one file; every failure is the file's own."""
        item = Prepared(f, root_id, is_new)
        failpoint("read", f.path)
        slowpoint("read")
        item.kind = kind_of(f.path) or "text"
        limit = min(self.max_file_size, max_bytes(item.kind))  # text is decoded whole
        too_large = f"larger than the size limit ({limit // (1024 * 1024)} MB)"
        if f.size > limit:
            item.state, item.error = "skipped", too_large
            return item
        try:
            with open(f.path, "rb") as fh:
                data = fh.read(limit + 1)
        except FileNotFoundError:
            item.state, item.error = "gone", "file disappeared before it could be read"
            return item
        except PermissionError:
            item.state, item.error = "error", "permission denied"
            return item
        except OSError as exc:
            item.state, item.error = "error", f"cannot read file: {exc.strerror or exc}"
            return item
        if len(data) > limit:
            item.state, item.error = "skipped", too_large
            return item
        item.hash = content_hash(data)
        if not is_new:
            row = self._store().file(f.path)
            if row and row.hash == item.hash:
                item.state = "same"
                return item
        try:
            try:
                doc = extract_bytes(data, item.kind)
            except NeedsOcr:
                doc = self._recognised(item)
                if doc is None:
                    return item
            item.passages = self.passages(doc)
        except ExtractionError as exc:
            item.state, item.error = "error", str(exc)
        except Exception as exc:  # a bug must not stop the whole sync
            log.exception("unexpected failure on %r", f.path)
            item.state, item.error = "error", internal_error(exc)
        return item

    def _recognised(self, item: Prepared) -> Extracted | None:
        """A scan's text from the OCR cache (the same bytes were read before, under any
        name), or None with the file marked to wait for the OCR stage."""
        doc = cached_document(self._store().conn, item.hash, self.ocr.name_version(), item.kind)
        if doc is None:
            item.state = OCR_STATE
            item.error = WAITING if self.ocr.available else f"needs OCR: {INSTALL_HINT}"
        return doc

    def passages(self, doc: Extracted) -> list[NewPassage]:
        """The document cut into passages, noise left out; no text at all is an error."""
        chunks = chunk_extracted(doc, self.tokens, self.chunk_config)
        if not chunks:
            raise ExtractionError("no text found")
        chunks = [c for c in chunks if not is_noise(c.text)]
        if not chunks:
            raise ExtractionError("no searchable words (encoded data or one huge unbroken line)")
        return [
            NewPassage(i, c.text, c.start, c.end, c.page, text_hash(c.text), c.span, c.label)
            for i, c in enumerate(chunks)
        ]

    def _store(self) -> Store:
        """The calling thread's own connection (SQLite connections stay on one thread)."""
        if getattr(self._local, "store", None) is None:
            self._local.store = Store(self.data_dir)
        return self._local.store


_TOKEN = re.compile(r"\S+")


def is_noise(text: str, max_word: int = 45) -> bool:
    """Passages that are mostly unbroken runs (base64, minified blobs) embed as [UNK] soup
    that matches every query; they are left out rather than allowed to pollute results."""
    words = _TOKEN.findall(text)
    total = sum(len(w) for w in words)
    return total == 0 or sum(len(w) for w in words if len(w) <= max_word) < 0.3 * total


def internal_error(exc: BaseException) -> str:
    return f"internal error: {type(exc).__name__}: {exc}"[:300]
