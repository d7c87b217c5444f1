"""How big is a set of folders, and about how long will indexing take on this machine?

``scan_folders`` walks the folders with the indexer's own rules; ``measure_speed`` times
the real encoder on passage-sized texts. The wizard shows both before anything is indexed.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from desktop_search.core.extract.dispatch import type_suffix
from desktop_search.core.extract.ocr import IMAGE_SUFFIXES, OCR_SECONDS_PER_PAGE
from desktop_search.core.folders import outermost
from desktop_search.core.store.catalog import Store

from .scan import ScanRules, scan

#: Characters of extracted text per new passage: measured on the shared R, gnuplot and
#: Python manuals (526-564), below 200 tokens' worth because passages end at sentence
#: boundaries and overlap their neighbours.
CHARS_PER_PASSAGE = 540
#: Share of a file's bytes that ends up as text, by type (PDFs and Word files are mostly
#: layout, fonts and compression; web pages mostly markup).
#: Slides are mostly pictures and themes; a sheet's rows grow as each cell is written
#: with its column's name; a mailbox carries encoded attachments.
TEXT_SHARE = {
    ".pdf": 0.3,
    ".docx": 0.25,
    ".html": 0.4,
    ".htm": 0.4,
    ".xhtml": 0.4,
    ".odt": 0.3,
    ".odp": 0.05,
    ".pptx": 0.05,
    ".epub": 0.8,
    ".rtf": 0.3,
    ".xlsx": 1.0,
    ".xls": 0.5,
    ".ods": 1.0,
    ".csv": 1.5,
    ".tsv": 1.5,
    ".eml": 0.5,
    ".mbox": 0.5,
}
#: A recognised page of printed text (about 2,500 characters on the R manuals' pages).
PASSAGES_PER_PAGE = 5


@dataclass
class Estimate:
    folders: list[str]
    files: int = 0
    bytes: int = 0
    new_files: int = 0  # not indexed yet, or changed since
    new_bytes: int = 0
    passages: int = 0  # to embed (estimated)
    speed: float | None = None  # passages per second on this machine
    errors: list[tuple[str, str]] = field(default_factory=list)
    by_type: dict[str, int] = field(default_factory=dict)
    ocr_pages: int = 0  # images to recognise (scanned PDFs are found only when read)

    @property
    def ocr_seconds(self) -> float:
        return self.ocr_pages * OCR_SECONDS_PER_PAGE

    @property
    def seconds(self) -> float | None:
        if self.speed is None or self.speed <= 0:
            return None
        # extraction and SQLite add a little on top of the encoder
        return self.passages / self.speed * 1.15 + self.new_files * 0.01 + self.ocr_seconds


def estimated_passages(path: str, size: int) -> int:
    suffix = os.path.splitext(path)[1].lower()
    return max(1, round(size * TEXT_SHARE.get(suffix, 1.0) / CHARS_PER_PASSAGE))


def scan_folders(
    folders: list[str], include=(), exclude=(), store: Store | None = None
) -> Estimate:
    rules = ScanRules.from_lists(include, exclude)
    est = Estimate(list(folders))
    for folder in outermost(os.path.abspath(f) for f in folders):  # no file counted twice
        found = scan(os.path.abspath(folder), rules)
        est.errors += found.errors
        indexed = store.files_under(os.path.abspath(folder)) if store is not None else {}
        for f in found.files:
            est.files += 1
            est.bytes += f.size
            suffix = type_suffix(f.path) or "(none)"
            est.by_type[suffix] = est.by_type.get(suffix, 0) + 1
            row = indexed.get(f.path)
            if row is None or row.size != f.size or row.mtime_ns != f.mtime_ns:
                est.new_files += 1
                est.new_bytes += f.size
                if suffix in IMAGE_SUFFIXES:  # a picture's bytes say nothing of its text
                    est.ocr_pages += 1
                    est.passages += PASSAGES_PER_PAGE
                else:
                    est.passages += estimated_passages(f.path, f.size)
    return est


_SAMPLE = (
    "The quarterly report summarises revenue, costs and the outlook for the coming year. "
    "Sales in the northern region grew faster than expected, while shipping delays held back "
    "deliveries in the south. The team proposes three changes to the budget, described below, "
    "and asks for a decision before the end of the month so that hiring can start on time. "
)


def measure_speed(encoder, n: int = 12) -> float:
    """Passages per second for passage-sized texts (about 180 tokens), after a warm-up."""
    texts = [f"{i}. " + _SAMPLE * 2 for i in range(n)]
    encoder.encode(texts[:2])  # loads the weights on first use
    t0 = time.perf_counter()
    encoder.encode(texts)
    return n / max(time.perf_counter() - t0, 1e-6)


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    if seconds < 60:
        return "less than a minute"
    minutes = seconds / 60
    if minutes < 90:
        return f"about {round(minutes)} minute{'s' if round(minutes) != 1 else ''}"
    hours = minutes / 60
    return f"about {hours:.1f} hours" if hours < 10 else f"about {round(hours)} hours"


def format_size(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"  # pragma: no cover
