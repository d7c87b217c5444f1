"""EPUB books: the chapters in the OPF spine's reading order, one span each.

``META-INF/container.xml`` names the package document (the OPF); its spine lists the
chapters, and each XHTML chapter is read by the HTML extractor. A book whose
``encryption.xml`` encrypts more than fonts (font obfuscation is not DRM) is refused as
"protected by DRM". No EPUB library: the only small permissive ones are thin, and ebooklib is
AGPL. Sizes go through ``zipsafe``, XML through ``xmlsafe``.
"""

from __future__ import annotations

import html
import posixpath
import re
import urllib.parse

from lxml import etree

from desktop_search.core.errors import ExtractionError

from .extracted import MAX_SECONDS, Budget, Extracted, join_spans
from .html import html_text
from .xmlsafe import parse_small
from .zipsafe import member_info, open_zip, read_member

MAX_CHAPTERS = 5_000
MAX_CHAPTER_BYTES = 16 * 1024 * 1024
_SMALL = 4 * 1024 * 1024  # container, OPF, encryption.xml
_WHAT = ".epub book"
_FONT_OBFUSCATION = {
    "http://www.idpf.org/2008/embedding",
    "http://ns.adobe.com/pdf/enc#RC",
}
_HTML_TYPES = {"application/xhtml+xml", "text/html", "application/x-dtbook+xml"}
_HEADING = re.compile(rb"<h[1-3][^>]*>(.*?)</h[1-3]\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")


def epub_text(data: bytes, max_seconds: float = MAX_SECONDS) -> Extracted:
    budget = Budget(_WHAT, max_seconds)
    archive = open_zip(data, _WHAT)
    names = archive.NameToInfo
    if "META-INF/encryption.xml" in names and _drm(
        read_member(archive, names["META-INF/encryption.xml"], _WHAT, _SMALL)
    ):
        raise ExtractionError("protected by DRM (the book is encrypted)")
    opf = _opf_path(
        read_member(archive, member_info(archive, "META-INF/container.xml", _WHAT), _WHAT, _SMALL)
    )
    chapters = _spine(read_member(archive, member_info(archive, opf, _WHAT), _WHAT, _SMALL), opf)
    if len(chapters) > MAX_CHAPTERS:
        raise ExtractionError(f"the book has more than {MAX_CHAPTERS:,} chapters")
    pieces = []
    for n, part in enumerate((c for c in chapters if c in names), 1):
        budget.check()
        raw = read_member(archive, names[part], _WHAT, MAX_CHAPTER_BYTES)
        text = budget.take(html_text(raw))
        pieces.append((text, n, "chapter", _heading(raw)))
    return join_spans(pieces, "epub")


def _drm(xml: bytes) -> bool:
    try:
        root = parse_small(xml)
    except etree.XMLSyntaxError:
        return True  # unreadable: assume the worst, as a reader would fail too
    algorithms = {
        str(m.get("Algorithm", ""))
        for m in root.iter()
        if isinstance(m.tag, str) and m.tag.endswith("}EncryptionMethod")
    }
    return bool(algorithms - _FONT_OBFUSCATION)


def _opf_path(xml: bytes) -> str:
    try:
        root = parse_small(xml)
    except etree.XMLSyntaxError as exc:
        raise ExtractionError(f"corrupt {_WHAT}: broken container.xml") from exc
    for elem in root.iter():
        if isinstance(elem.tag, str) and elem.tag.endswith("}rootfile") and elem.get("full-path"):
            return str(elem.get("full-path")).lstrip("/")
    raise ExtractionError(f"corrupt {_WHAT}: container.xml names no package document")


def _spine(xml: bytes, opf: str) -> list[str]:
    """The chapters' part names in reading order."""
    try:
        root = parse_small(xml)
    except etree.XMLSyntaxError as exc:
        raise ExtractionError(f"corrupt {_WHAT}: broken package document") from exc
    folder = posixpath.dirname(opf)
    items: dict[str, tuple[str, str]] = {}
    order: list[str] = []
    for elem in root.iter():
        if not isinstance(elem.tag, str):
            continue
        name = elem.tag.rpartition("}")[2]
        if name == "item" and elem.get("id") and elem.get("href"):
            href = urllib.parse.unquote(str(elem.get("href")).split("#")[0])
            path = posixpath.normpath(posixpath.join(folder, href))
            items[str(elem.get("id"))] = (path, str(elem.get("media-type", "")))
        elif name == "itemref" and elem.get("idref"):
            order.append(str(elem.get("idref")))
    return [items[i][0] for i in order if i in items and items[i][1] in _HTML_TYPES]


def _heading(raw: bytes) -> str | None:
    """The chapter's first heading, as a label for its span."""
    m = _HEADING.search(raw[:262144])
    if not m:
        return None
    text = " ".join(html.unescape(_TAG.sub(" ", m.group(1).decode("utf-8", "replace"))).split())
    return text[:80] or None
