"""Searching and previews, off the GUI thread.

The encoder forward pass, SQLite and hnswlib all run here. Each request carries an id;
the UI stores the newest id in ``latest`` before sending, so a worker that falls behind a
fast typist skips the stale requests instead of answering them one by one.
"""

from __future__ import annotations

import html
import logging
import os
import re
from collections import OrderedDict
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal, Slot

from .index_worker import lower_thread_priority, warm_up

log = logging.getLogger(__name__)


@dataclass
class SearchRequest:
    id: int
    query: str
    mode: str = "hybrid"
    k: int = 25
    folder: str | None = None
    types: tuple[str, ...] = ()
    after: float | None = None
    before: float | None = None
    refine: bool = True  # mark the best sentence in a second pass


@dataclass
class SearchOutcome:
    request: SearchRequest
    results: list
    seconds: float
    refined: bool = False


class SearchWorker(QObject):
    warmed = Signal()
    results = Signal(object)  # SearchOutcome
    refined = Signal(object)  # SearchOutcome with best-sentence highlights
    failed = Signal(int, str)

    def __init__(self) -> None:
        super().__init__()
        self.engine = None
        self.latest = 0  # written by the GUI thread

    @Slot(object)
    def set_engine(self, engine) -> None:
        lower_thread_priority()
        self.engine = engine
        warm_up(engine.encoder)  # so that the first query is fast
        self.warmed.emit()

    @Slot(object)
    def search(self, req: SearchRequest) -> None:
        import time

        from ..core.search import Filters

        if req.id != self.latest or self.engine is None:
            return
        t0 = time.perf_counter()
        try:
            searcher = self.engine.searcher()
            filters = Filters(req.folder, tuple(req.types), req.after, req.before)
            found = searcher.search(req.query, k=req.k, mode=req.mode, filters=filters, per_file=3)
        except Exception as exc:
            log.exception("search failed")
            self.failed.emit(req.id, str(exc) or type(exc).__name__)
            return
        self.results.emit(SearchOutcome(req, found, time.perf_counter() - t0))
        if req.refine and req.mode != "keyword" and found and req.id == self.latest:
            try:
                searcher.mark_best_sentences(req.query, found)
            except Exception:
                log.exception("best-sentence pass failed")
                return
            if req.id == self.latest:
                self.refined.emit(SearchOutcome(req, found, time.perf_counter() - t0, refined=True))


@dataclass
class PreviewRequest:
    id: int
    path: str
    hit: object | None  # PassageHit
    query: str = ""


@dataclass
class PreviewDoc:
    request: PreviewRequest
    html: str
    page: int | None = None
    note: str = ""
    error: str = ""
    anchors: list[str] = field(default_factory=list)


CONTEXT_CHARS = 2500
PASSAGE_BG = "#fff4c2"
MARK_BG = "#ffd54a"


class PreviewWorker(QObject):
    loaded = Signal(object)  # PreviewDoc

    def __init__(self) -> None:
        super().__init__()
        self.latest = 0
        self._cache: OrderedDict = OrderedDict()
        self._started = False

    @Slot(object)
    def load(self, req: PreviewRequest) -> None:
        if not self._started:
            lower_thread_priority()
            self._started = True
        if req.id != self.latest:
            return
        try:
            doc = build_preview(req, self._extract)
        except Exception as exc:
            log.exception("preview failed for %s", req.path)
            doc = PreviewDoc(req, "", error=str(exc) or type(exc).__name__)
        if req.id == self.latest:
            self.loaded.emit(doc)

    def _extract(self, path: str):
        from ..core.extract import extract_file

        try:
            st = os.stat(path)
            key = (path, st.st_mtime_ns, st.st_size)
        except OSError:
            key = None
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        doc = extract_file(path)
        if key:
            self._cache[key] = doc
            while len(self._cache) > 6:
                self._cache.popitem(last=False)
        return doc


def build_preview(req: PreviewRequest, extract) -> PreviewDoc:
    """The passage in its context (for a PDF: its page), as HTML with the highlights marked."""
    from ..core.extract import ExtractionError

    hit = req.hit
    if hit is None:
        return PreviewDoc(req, "")
    try:
        doc = extract(req.path)
    except ExtractionError as exc:
        return _passage_only(
            req, f"The file cannot be read now ({exc}); showing the indexed passage."
        )
    text = doc.text
    start = hit.start
    if text[start : hit.end] != hit.text:
        found = text.find(hit.text)
        if found < 0:
            return _passage_only(
                req, "The file has changed since it was indexed; showing the indexed passage."
            )
        start = found
    end = start + len(hit.text)
    if hit.page is not None:
        seg = next(
            (
                s
                for s in doc.segments
                if s.page == hit.page and s.start <= start < max(s.end, start + 1)
            ),
            None,
        ) or next((s for s in doc.segments if s.start <= start < s.end), None)
        lo, hi = (
            (seg.start, seg.end)
            if seg
            else (max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS))
        )
    else:
        lo, hi = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
        if lo > 0:
            nl = text.find("\n", lo, start)
            lo = nl + 1 if nl >= 0 else lo
        if hi < len(text):
            nl = text.rfind("\n", end, hi)
            hi = nl if nl >= 0 else hi
    marks = sorted((start + a, start + b) for a, b in hit.highlights if 0 <= a < b <= len(hit.text))
    body = _render(text, lo, hi, start, end, marks)
    return PreviewDoc(req, body, page=hit.page)


def passage_html(hit) -> str:
    """The passage alone, highlighted (shown at once, while its context loads)."""
    marks = sorted((a, b) for a, b in hit.highlights if 0 <= a < b <= len(hit.text))
    return _render(hit.text, 0, len(hit.text), 0, len(hit.text), marks)


def _passage_only(req: PreviewRequest, note: str) -> PreviewDoc:
    return PreviewDoc(req, passage_html(req.hit), page=req.hit.page, note=note)


_CONTINUES = re.compile(r"[\w(\"'`“‘]")


def reflow(text: str) -> str:
    """Join hard-wrapped prose lines (PDF lines, 80-column text) for display.

    Returns a string of the same length (a joined line break becomes a space), so passage
    offsets still apply. Short lines (headings, the last line of a paragraph), blank lines,
    indented lines (code, quotes) and list items keep their breaks.
    """
    chars = list(text)
    line_start = 0
    for i, ch in enumerate(text):
        if ch != "\n":
            continue
        prev = text[line_start:i]
        nxt = text[i + 1 : i + 2]
        line_start = i + 1
        if len(prev.strip()) < 40 or prev[:1].isspace() or not nxt or not _CONTINUES.match(nxt):
            continue
        if prev.rstrip().endswith("::") or set(prev.strip()) <= set("=-~*^#+"):
            continue  # a heading underline or a literal-block marker
        chars[i] = " "
    return "".join(chars)


def _render(
    text: str, lo: int, hi: int, p_start: int, p_end: int, marks: list[tuple[int, int]]
) -> str:
    """HTML for text[lo:hi]; the passage [p_start, p_end) tinted, ``marks`` in bold on yellow."""
    text = reflow(text)
    cuts = {lo, hi, max(lo, min(p_start, hi)), max(lo, min(p_end, hi))}
    for a, b in marks:
        cuts.update((max(lo, min(a, hi)), max(lo, min(b, hi))))
    points = sorted(cuts)
    out = ['<div style="white-space: pre-wrap;">']
    if lo > 0:
        out.append('<span style="color:#888">…</span>\n')
    anchored = False
    for a, b in zip(points, points[1:]):
        if a >= b:
            continue
        piece = html.escape(text[a:b])
        in_passage = p_start <= a < p_end
        marked = any(ma <= a < mb for ma, mb in marks)
        if in_passage and not anchored:
            out.append('<a name="hit"></a>')
            anchored = True
        if marked:
            piece = f'<span style="background:{MARK_BG}; font-weight:600;">{piece}</span>'
        elif in_passage:
            piece = f'<span style="background:{PASSAGE_BG};">{piece}</span>'
        out.append(piece)
    if hi < len(text):
        out.append('\n<span style="color:#888">…</span>')
    out.append("</div>")
    return "".join(out)
