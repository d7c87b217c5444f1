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

from desktop_search.core.extract.dispatch import ExtractionError, extract_bytes, kind_of
from desktop_search.core.faults import failpoint, slowpoint
from desktop_search.core.store.catalog import NewPassage, Store

from .chunking import ChunkConfig, TokenCounter, chunk_extracted
from .scan import FileStat

log = logging.getLogger(__name__)


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
    state: str = "ok"  # ok / error / skipped / same (content unchanged)
    fatal: Exception | None = None  # the database is damaged: the run must stop, not the file


class FileReader:
    def __init__(
        self, data_dir: Path, tokens: TokenCounter, chunk_config: ChunkConfig, max_file_size: int
    ) -> None:
        self.data_dir = data_dir
        self.tokens = tokens
        self.chunk_config = chunk_config
        self.max_file_size = max_file_size
        self._local = threading.local()

    def prepare(self, f: FileStat, root_id: int | None, is_new: bool) -> Prepared:
        """Read, hash, extract and chunk one file; every failure is the file's own."""
        item = Prepared(f, root_id, is_new)
        failpoint("read", f.path)
        slowpoint("read")
        if f.size > self.max_file_size:
            item.state, item.error = (
                "skipped",
                f"larger than the size limit ({self.max_file_size // (1024 * 1024)} MB)",
            )
            return item
        try:
            with open(f.path, "rb") as fh:
                data = fh.read(self.max_file_size + 1)
        except FileNotFoundError:
            item.state, item.error = "gone", "file disappeared before it could be read"
            return item
        except PermissionError:
            item.state, item.error = "error", "permission denied"
            return item
        except OSError as exc:
            item.state, item.error = "error", f"cannot read file: {exc.strerror or exc}"
            return item
        if len(data) > self.max_file_size:
            item.state, item.error = (
                "skipped",
                f"larger than the size limit ({self.max_file_size // (1024 * 1024)} MB)",
            )
            return item
        item.hash = content_hash(data)
        if not is_new:
            row = self._store().file(f.path)
            if row and row.hash == item.hash:
                item.state = "same"
                return item
        item.kind = kind_of(f.path) or "text"
        try:
            doc = extract_bytes(data, item.kind)
            chunks = chunk_extracted(doc, self.tokens, self.chunk_config)
        except ExtractionError as exc:
            item.state, item.error = "error", str(exc)
            return item
        except Exception as exc:  # a bug must not stop the whole sync
            log.exception("unexpected failure on %r", f.path)
            item.state, item.error = "error", internal_error(exc)
            return item
        if not chunks:
            item.state, item.error = "error", "no text found"
            return item
        chunks = [c for c in chunks if not is_noise(c.text)]
        if not chunks:
            item.state, item.error = (
                "error",
                "no searchable words (encoded data or one huge unbroken line)",
            )
            return item
        item.passages = [
            NewPassage(i, c.text, c.start, c.end, c.page, text_hash(c.text))
            for i, c in enumerate(chunks)
        ]
        return item

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
