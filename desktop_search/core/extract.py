"""Text extraction: bytes in, plain text plus page spans out.

Every failure becomes an ``ExtractionError`` with a message a user can act on, so the
indexer can record it against the file and carry on with the rest.
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

PLAIN_SUFFIXES = frozenset(
    [".txt", ".text", ".md", ".markdown", ".rst", ".org", ".tex", ".csv", ".tsv", ".log", ".ini", ".cfg", ".conf", ".toml", ".yaml", ".yml", ".json", ".xml", ".py", ".pyi", ".js", ".ts", ".tsx", ".jsx", ".java", ".c", ".h", ".cc", ".cpp", ".hpp", ".cs", ".go", ".rs", ".rb", ".php", ".pl", ".sh", ".bash", ".zsh", ".sql", ".r", ".m", ".swift", ".kt", ".scala", ".lua", ".css", ".scss", ".el", ".vim", ".bat", ".ps1", ".properties", ".srt", ".vtt"]
)
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
SUPPORTED_SUFFIXES = PLAIN_SUFFIXES | HTML_SUFFIXES | {".pdf", ".docx"}


class ExtractionError(Exception):
    """A file whose text cannot be read; the message says why in words a user understands."""


@dataclass(frozen=True)
class Segment:
    """A span of the extracted text that chunks must not cross (a PDF page, say)."""

    start: int
    end: int
    page: int | None = None


@dataclass
class Extracted:
    text: str
    segments: list[Segment] = field(default_factory=list)
    kind: str = "text"

    def __post_init__(self) -> None:
        if not self.segments:
            self.segments = [Segment(0, len(self.text), None)]


def kind_of(path: str | Path) -> str | None:
    """The extractor that handles this file name, or None when the type is not indexed."""
    suffix = Path(path).suffix.lower()
    if suffix == ".pdf":
        return "pdf"
    if suffix == ".docx":
        return "docx"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in PLAIN_SUFFIXES:
        return "text"
    return None


def extract_file(path: str | Path) -> Extracted:
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ExtractionError("file disappeared before it could be read") from exc
    except PermissionError as exc:
        raise ExtractionError("permission denied") from exc
    except IsADirectoryError as exc:
        raise ExtractionError("is a directory") from exc
    except OSError as exc:
        raise ExtractionError(f"cannot read file: {exc.strerror or exc}") from exc
    return extract_bytes(data, kind_of(path) or "text")


def extract_bytes(data: bytes, kind: str) -> Extracted:
    """Pure entry point (used by the fuzz tests): never raises anything but ExtractionError."""
    if not data:
        raise ExtractionError("empty file")
    try:
        if kind == "pdf":
            return _extract_pdf(data)
        if kind == "docx":
            return _extract_docx(data)
        if kind == "html":
            return _extract_html(data)
        return Extracted(normalize_text(decode_text(data)), kind="text")
    except ExtractionError:
        raise
    except RecursionError as exc:
        raise ExtractionError("document is nested too deeply to read") from exc
    except MemoryError as exc:  # pragma: no cover - depends on the machine
        raise ExtractionError("document is too large to read") from exc
    except Exception as exc:  # third-party parsers raise anything on malformed input
        raise ExtractionError(f"malformed {kind} file: {type(exc).__name__}: {exc}"[:300]) from exc


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(data: bytes) -> str:
    """UTF-8, or UTF-16/32 by BOM, or UTF-16 by its NUL pattern, or a detected charset.

    Binary content is detected by bytes, not by the file name: a .txt that is really a
    binary blob is rejected instead of being indexed as noise.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    head = data[:8192]
    if b"\x00" in head:
        utf16 = _guess_utf16(head)
        if utf16:
            text = data.decode(utf16, errors="replace")
            if _looks_like_text(text):
                return text
        raise ExtractionError("binary content (not a text file)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:262144]).best()
    if best is not None:
        text = data.decode(best.encoding, errors="replace")
        if _looks_like_text(text):
            return text
    text = data.decode("utf-8", errors="replace")
    if _looks_like_text(text):
        return text
    raise ExtractionError("binary content or unknown text encoding")


def _guess_utf16(head: bytes) -> str | None:
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    half = max(1, len(head) // 2)
    if odd / half > 0.3 and even / half < 0.05:
        return "utf-16-le"
    if even / half > 0.3 and odd / half < 0.05:
        return "utf-16-be"
    return None


def _looks_like_text(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return True
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or ch == "\ufffd")
    return bad / len(sample) < 0.05


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def normalize_text(text: str) -> str:
    """Drop control characters and unify newlines; offsets are into this normalised text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(" ", text)


def _extract_pdf(data: bytes) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
    except PdfReadError as exc:
        raise ExtractionError(f"corrupt PDF: {exc}") from exc
    if reader.is_encrypted:
        try:
            ok = reader.decrypt("")
        except Exception as exc:
            raise ExtractionError("encrypted PDF (password required)") from exc
        if not ok:
            raise ExtractionError("encrypted PDF (password required)")
    parts: list[str] = []
    segments: list[Segment] = []
    pos = 0
    try:
        pages = list(reader.pages)
    except FileNotDecryptedError as exc:
        raise ExtractionError("encrypted PDF (password required)") from exc
    for number, page in enumerate(pages, start=1):
        try:
            page_text = normalize_text(page.extract_text() or "")
        except FileNotDecryptedError as exc:
            raise ExtractionError("encrypted PDF (password required)") from exc
        if page_text.strip():
            segments.append(Segment(pos, pos + len(page_text), number))
        parts.append(page_text)
        pos += len(page_text) + 2
    text = "\n\n".join(parts)
    if not segments:
        raise ExtractionError("PDF has no text layer (scanned images need OCR, which is not supported)")
    return Extracted(text, segments, kind="pdf")


def _extract_docx(data: bytes) -> Extracted:
    import zipfile

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ExtractionError("corrupt or not a .docx document") from exc
    blocks = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            blocks.append("\t".join(cell.text for cell in row.cells))
    return Extracted(normalize_text("\n".join(blocks)), kind="docx")


_SKIP_TAGS = ("script", "style", "noscript", "template", "svg", "head", "iframe", "object")
_BLANKS = re.compile(r"[ \t\u00a0]+")
_MANY_NEWLINES = re.compile(r"\n\s*\n+")


def _extract_html(data: bytes) -> Extracted:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "lxml")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup(_SKIP_TAGS):
        tag.decompose()
    body = soup.get_text("\n")
    text = _BLANKS.sub(" ", body)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = _MANY_NEWLINES.sub("\n\n", text).strip()
    if title and not text.startswith(title):
        text = f"{title}\n\n{text}"
    return Extracted(normalize_text(text), kind="html")
