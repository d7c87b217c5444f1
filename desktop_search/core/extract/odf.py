"""OpenDocument text and presentations (.odt, .odp): ``content.xml``, streamed.

Headings and paragraphs come in document order, table rows as tab-separated cells, a
presentation's slides (with their speaker notes) one span each. The part is read through
``zipsafe`` (sizes checked before inflating, inflated bytes counted) and parsed with
``xmlsafe`` (entities off, elements freed as they end), so memory stays bounded. OpenDocument
spreadsheets (.ods) are read as sheets (``extract_sheet``).
"""

from __future__ import annotations

import zipfile

from lxml import etree

from desktop_search.core.errors import ExtractionError

from .extracted import MAX_SECONDS, Budget, Extracted, join_spans
from .xmlsafe import free, iterparse, local
from .zipsafe import TooLarge, member_info, open_member, open_zip

MAX_XML_BYTES = 64 * 1024 * 1024
MAX_PARAGRAPHS = 200_000
MAX_SPACES = 100  # one <text:s text:c="..."/>; a huge count is padding, not text
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def odf_text(data: bytes, kind: str, max_seconds: float = MAX_SECONDS) -> Extracted:
    """``kind`` is "odt" or "odp": a presentation's slides become spans."""
    what = f".{kind} document"
    budget = Budget(what, max_seconds)
    archive = open_zip(data, what)
    info = member_info(archive, "content.xml", what)
    try:
        with open_member(archive, info, MAX_XML_BYTES) as stream:
            pieces = _read(stream, budget)
    except TooLarge:
        raise ExtractionError(
            f"the document expands to more than {MAX_XML_BYTES // 2**20} MB"
        ) from None
    except etree.XMLSyntaxError as exc:
        raise ExtractionError(f"corrupt {what}: broken XML (line {exc.lineno})") from exc
    except (zipfile.BadZipFile, EOFError, OSError) as exc:  # a CRC error, a cut-off stream
        raise ExtractionError(f"corrupt {what}: content.xml cannot be unpacked") from exc
    if kind == "odp":
        return join_spans([(t, n, "slide", None) for n, t in enumerate(pieces, 1)], kind)
    return join_spans([("\n\n".join(pieces), None, None, None)], kind)


def _read(stream, budget: Budget) -> list[str]:
    """The text of each slide (a text document is one piece)."""
    pieces: list[str] = []
    blocks: list[str] = []
    cells: list[list[str]] = []
    rows: list[list[str]] = []
    depth = 0  # open paragraphs: a frame's text box nests one inside another
    count = 0
    for event, elem in iterparse(stream):
        ns, name = local(elem.tag)
        if event == "start":
            if ns == _TEXT and name in ("p", "h"):
                depth += 1
            elif ns == _TABLE and name == "table-cell":
                cells.append([])
            elif ns == _TABLE and name == "table-row":
                rows.append([])
            continue
        if ns == _TEXT and name in ("p", "h"):
            depth -= 1
            count += 1
            if count > MAX_PARAGRAPHS:
                raise ExtractionError(f"the document has more than {MAX_PARAGRAPHS:,} paragraphs")
            text = budget.take(_paragraph(elem))
            (cells[-1] if cells else blocks).append(text)
            elem.clear(keep_tail=True)  # an enclosing paragraph must not read it again
            if depth == 0 and not cells:
                free(elem)
        elif ns == _TABLE and name == "table-cell" and cells:
            text = "\n".join(t for t in cells.pop() if t)
            if rows:
                rows[-1].append(text)
        elif ns == _TABLE and name == "table-row" and rows:
            row = "\t".join(rows.pop()).rstrip("\t")
            (cells[-1] if cells else blocks).append(row)
            free(elem)
        elif ns == _DRAW and name == "page":
            pieces.append("\n".join(b for b in blocks if b.strip()))
            blocks = []
            free(elem)
    if blocks or not pieces:
        pieces.append("\n".join(b for b in blocks if b.strip()))
    return pieces


def _paragraph(elem) -> str:
    """A paragraph's text: spans and links inline, <text:s/> as spaces, tabs and breaks."""
    out: list[str] = []
    stack = [(elem, False)]
    while stack:  # explicit stack: deeply nested spans cannot overflow Python's
        node, closing = stack.pop()
        if closing:
            if node.tail and node is not elem:
                out.append(node.tail)
            continue
        ns, name = local(node.tag)
        if node is not elem and ns == _TEXT and name == "s":
            try:
                n = int(node.get(f"{{{_TEXT}}}c", "1"))
            except ValueError:
                n = 1
            out.append(" " * max(1, min(n, MAX_SPACES)))
        elif node is not elem and ns == _TEXT and name == "tab":
            out.append("\t")
        elif node is not elem and ns == _TEXT and name == "line-break":
            out.append("\n")
        elif node is not elem and ns == _OFFICE and name == "annotation":
            pass  # a comment, not the document's text
        elif node.text:
            out.append(node.text)
        stack.append((node, True))
        if not (ns == _OFFICE and name == "annotation"):
            stack.extend((child, False) for child in reversed(node))
    return "".join(out)
