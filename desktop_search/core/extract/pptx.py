"""PowerPoint (.pptx): the text of each slide in slide order, one span per slide.

Read straight from the package's XML with ``xmlsafe`` (no python-pptx at run time: it
builds every shape as an object). The slide order comes from ``presentation.xml``'s slide
list; a slide's text is every DrawingML paragraph in its shapes (grouped shapes and
placeholders included), tables row by row with tab-separated cells, then its speaker
notes. Sizes go through ``zipsafe``.
"""

from __future__ import annotations

import posixpath
import zipfile

from lxml import etree

from desktop_search.core.errors import ExtractionError

from .extracted import MAX_SECONDS, Budget, Extracted, join_spans
from .xmlsafe import free, iterparse, local, parse_small
from .zipsafe import TooLarge, member_info, open_member, open_zip, read_member

MAX_SLIDES = 5_000
MAX_PART_BYTES = 16 * 1024 * 1024  # one slide's XML
MAX_PARAGRAPHS = 200_000  # all slides together
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_P = "http://schemas.openxmlformats.org/presentationml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WHAT = ".pptx presentation"


def pptx_text(data: bytes, max_seconds: float = MAX_SECONDS) -> Extracted:
    budget = Budget(_WHAT, max_seconds)
    archive = open_zip(data, _WHAT)
    slides = _slide_parts(archive)
    if len(slides) > MAX_SLIDES:
        raise ExtractionError(f"the presentation has more than {MAX_SLIDES:,} slides")
    paragraphs_left = [MAX_PARAGRAPHS]
    pieces = []
    for n, part in enumerate(slides, 1):
        text = _part_text(archive, part, paragraphs_left, budget)
        notes = _notes_part(archive, part)
        if notes:
            text = f"{text}\n\n{_part_text(archive, notes, paragraphs_left, budget)}"
        pieces.append((text, n, "slide", None))
    return join_spans(pieces, "pptx")


def _rels(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """A part's relationships: id -> (type, target part name)."""
    folder, name = posixpath.split(part)
    try:
        info = archive.getinfo(posixpath.join(folder, "_rels", name + ".rels"))
    except KeyError:
        return {}
    root = parse_small(read_member(archive, info, _WHAT, 1024 * 1024))
    out = {}
    for rel in root:
        target = str(rel.get("Target", ""))
        if rel.get("TargetMode") == "External":
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        out[str(rel.get("Id"))] = (str(rel.get("Type", "")), posixpath.normpath(path))
    return out


def _slide_parts(archive: zipfile.ZipFile) -> list[str]:
    main = "ppt/presentation.xml"
    info = member_info(archive, main, _WHAT)
    try:
        root = parse_small(read_member(archive, info, _WHAT, 4 * 1024 * 1024))
    except etree.XMLSyntaxError as exc:
        raise ExtractionError(f"corrupt {_WHAT}: broken presentation.xml") from exc
    rels = _rels(archive, main)
    parts = []
    for sld in root.iter(f"{{{_P}}}sldId"):
        rel = rels.get(str(sld.get(f"{{{_R}}}id")))
        if rel and rel[1] in archive.NameToInfo:
            parts.append(rel[1])
    return parts


def _notes_part(archive: zipfile.ZipFile, slide: str) -> str | None:
    for kind, target in _rels(archive, slide).values():
        if kind.endswith("/notesSlide") and target in archive.NameToInfo:
            return target
    return None


def _part_text(
    archive: zipfile.ZipFile, part: str, paragraphs_left: list[int], budget: Budget
) -> str:
    """Every paragraph of one slide (or notes) part; table rows as tab-separated cells."""
    blocks: list[str] = []
    para: list[str] | None = None
    cells: list[list[str]] = []
    rows: list[list[str]] = []
    skip = 0  # inside a notes page's slide number or date placeholder
    try:
        with open_member(archive, archive.getinfo(part), MAX_PART_BYTES) as stream:
            for event, elem in iterparse(stream):
                ns, name = local(elem.tag)
                if event == "start":
                    if ns == _P and name == "ph" and elem.get("type") in ("sldNum", "dt"):
                        skip += 1
                    elif ns == _A and name == "p":
                        para = []
                    elif ns == _A and name == "tc":
                        cells.append([])
                    elif ns == _A and name == "tr":
                        rows.append([])
                    continue
                if ns != _A:
                    if ns == _P and name == "sp" and skip:
                        skip -= 1
                    continue
                if name == "t" and para is not None:
                    para.append(elem.text or "")
                elif name == "br" and para is not None:
                    para.append("\n")
                elif name == "p" and para is not None:
                    paragraphs_left[0] -= 1
                    if paragraphs_left[0] < 0:
                        raise ExtractionError(
                            f"the presentation has more than {MAX_PARAGRAPHS:,} paragraphs"
                        )
                    if not skip:
                        (cells[-1] if cells else blocks).append(budget.take("".join(para)))
                    para = None
                    free(elem)
                elif name == "tc" and cells:
                    text = "\n".join(t for t in cells.pop() if t)
                    if rows:
                        rows[-1].append(text)
                elif name == "tr" and rows:
                    blocks.append("\t".join(rows.pop()).rstrip("\t"))
                    free(elem)
    except TooLarge:
        raise ExtractionError(
            f"a slide expands to more than {MAX_PART_BYTES // 2**20} MB"
        ) from None
    except etree.XMLSyntaxError as exc:
        raise ExtractionError(f"corrupt {_WHAT}: broken XML in {part}") from exc
    except (zipfile.BadZipFile, EOFError, OSError) as exc:  # a CRC error, a cut-off stream
        raise ExtractionError(f"corrupt {_WHAT}: {part} cannot be unpacked") from exc
    return "\n".join(b for b in blocks if b.strip())
