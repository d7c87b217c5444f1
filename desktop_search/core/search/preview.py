"""A preview of a search hit: the passage in its context (its page, slide, sheet or message).

Pure functions over an extracted document, plus a small cache of extracted files. The
indexing process builds previews (reading a big PDF is heavy Python), so the window only
shows the HTML.
"""

from __future__ import annotations

import html
import os
import re
from collections import OrderedDict
from dataclasses import dataclass, field

from desktop_search.core.errors import ExtractionError
from desktop_search.core.extract.dispatch import Extracted, extract_file
from desktop_search.core.extract.ocr import NeedsOcr


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


class ExtractCache:
    """The last few extracted files, keyed by path, mtime and size (a preview moves
    between hits of the same file far more often than between files)."""

    def __init__(self, size: int = 6, recognised=None) -> None:
        self.size = size
        self._cache: OrderedDict = OrderedDict()
        self.recognised = recognised  # path -> Extracted | None: a scan's text, from OCR

    def __call__(self, path: str) -> Extracted:
        try:
            st = os.stat(path)
            key = (path, st.st_mtime_ns, st.st_size)
        except OSError:
            key = None
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        try:
            doc = extract_file(path)
        except NeedsOcr:
            doc = self.recognised(path) if self.recognised is not None else None
            if doc is None:
                raise
        if key:
            self._cache[key] = doc
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return doc


def build_preview(req: PreviewRequest, extract) -> PreviewDoc:
    """The passage in its context (for a PDF: its page), as HTML with the highlights marked."""
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
    span = getattr(hit, "span", None)
    if span is not None and span.n is not None:
        seg = next(
            (
                s
                for s in doc.segments
                if s.page == span.n and s.start <= start < max(s.end, start + 1)
            ),
            None,
        ) or next((s for s in doc.segments if s.start <= start < s.end), None)
        lo, hi = (
            (seg.start, seg.end)
            if seg
            else (max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS))
        )
        # A long span (a sheet of many rows, a long message) shows around the passage.
        lo, hi = max(lo, start - 2 * CONTEXT_CHARS), min(hi, end + 2 * CONTEXT_CHARS)
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
