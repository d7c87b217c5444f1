"""Word (.docx) text, read as a stream so that memory stays bounded whatever the file holds.

A .docx is a zip archive, and a few MB of zip can unpack to gigabytes (a "zip bomb"), or
to millions of empty paragraphs. So the main part is never read whole: its declared size
is checked first, the inflated bytes are counted as they stream (zipfile also stops at the
declared size), and lxml's ``iterparse`` turns them into paragraphs one at a time, freeing
each as soon as its text is taken. Past either cap the file is refused with a plain reason.
"""

from __future__ import annotations

import zipfile

from lxml import etree

from desktop_search.core.errors import ExtractionError

from .extracted import MAX_SECONDS, Budget
from .xmlsafe import free, iterparse, local, parse_small
from .zipsafe import TooLarge, open_member, open_zip

MAX_XML_BYTES = 64 * 1024 * 1024  # the main document part, unpacked
MAX_PARAGRAPHS = 200_000  # a 1,000-page book has about 30,000
_NAMESPACES = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",  # "strict" Office Open XML
)
_INLINE = {"tab": "\t", "ptab": "\t", "br": "\n", "cr": "\n", "noBreakHyphen": "-"}


def docx_text(data: bytes, max_seconds: float = MAX_SECONDS) -> str:
    """Body paragraphs and table rows (cells joined by tabs) in document order."""
    budget = Budget(".docx document", max_seconds)
    archive = open_zip(data, ".docx document")
    try:
        info = archive.getinfo(_main_part(archive))
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError) as exc:
        raise ExtractionError("corrupt or not a .docx document") from exc
    too_large = ExtractionError(
        f"the document expands to more than {MAX_XML_BYTES // (1024 * 1024)} MB"
    )
    if info.file_size > MAX_XML_BYTES:
        raise too_large
    try:
        with open_member(archive, info, MAX_XML_BYTES) as stream:
            return _paragraphs(stream, budget)
    except TooLarge:
        raise too_large from None
    except etree.XMLSyntaxError as exc:
        raise ExtractionError(f"corrupt .docx document: broken XML (line {exc.lineno})") from exc
    except (zipfile.BadZipFile, EOFError, OSError) as exc:  # a CRC error, a cut-off stream
        raise ExtractionError("corrupt or not a .docx document") from exc


def _main_part(archive: zipfile.ZipFile) -> str:
    """The main document's name, from the package relationships (usually word/document.xml)."""
    try:
        info = archive.getinfo("_rels/.rels")
    except KeyError:
        return "word/document.xml"
    if info.file_size > 1024 * 1024:
        raise ValueError("oversized package relationships")
    root = parse_small(archive.read(info))
    for rel in root:
        if str(rel.get("Type", "")).endswith("/officeDocument"):
            return str(rel.get("Target", "")).lstrip("/")
    return "word/document.xml"


def _paragraphs(stream, budget: Budget) -> str:
    blocks: list[str] = []
    paragraphs: list[list[str]] = []  # open paragraphs (a text box nests one in another)
    cells: list[list[str]] = []  # paragraphs of the open table cells
    rows: list[list[str]] = []  # cells of the open table rows
    count = 0
    for event, elem in iterparse(stream):
        ns, name = local(elem.tag)
        if ns not in _NAMESPACES:
            continue
        if event == "start":
            if name == "p":
                paragraphs.append([])
            elif name == "tc":
                cells.append([])
            elif name == "tr":
                rows.append([])
            continue
        if name == "t" and paragraphs:
            paragraphs[-1].append(elem.text or "")
        elif name in _INLINE and paragraphs:
            paragraphs[-1].append(_INLINE[name])
        elif name == "p" and paragraphs:
            count += 1
            if count > MAX_PARAGRAPHS:
                raise ExtractionError(f"the document has more than {MAX_PARAGRAPHS:,} paragraphs")
            text = budget.take("".join(paragraphs.pop()))
            (cells[-1] if cells else blocks).append(text)
            free(elem)
        elif name == "tc" and cells:
            text = "\n".join(cells.pop())
            if rows:
                rows[-1].append(text)
        elif name == "tr" and rows:
            blocks.append("\t".join(rows.pop()))
            free(elem)
    return "\n".join(blocks)
