"""Text extraction: bytes in, plain text plus page spans out.

Every failure becomes an ``ExtractionError`` with a message a user can act on, so the
indexer can record it against the file and carry on with the rest. Plain text and PDF
are read here; Word and HTML have their own modules (``docx``, ``html``).
"""

from __future__ import annotations

import codecs
import io
import logging
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from desktop_search.core.errors import ExtractionError
from desktop_search.core.sanitize import plain_error

from .docx import docx_text
from .html import html_text

PLAIN_SUFFIXES = frozenset(
    [
        ".txt",
        ".text",
        ".md",
        ".markdown",
        ".rst",
        ".org",
        ".tex",
        ".csv",
        ".tsv",
        ".log",
        ".ini",
        ".cfg",
        ".conf",
        ".toml",
        ".yaml",
        ".yml",
        ".json",
        ".xml",
        ".py",
        ".pyi",
        ".js",
        ".ts",
        ".tsx",
        ".jsx",
        ".java",
        ".c",
        ".h",
        ".cc",
        ".cpp",
        ".hpp",
        ".cs",
        ".go",
        ".rs",
        ".rb",
        ".php",
        ".pl",
        ".sh",
        ".bash",
        ".zsh",
        ".sql",
        ".r",
        ".m",
        ".swift",
        ".kt",
        ".scala",
        ".lua",
        ".css",
        ".scss",
        ".el",
        ".vim",
        ".bat",
        ".ps1",
        ".properties",
        ".srt",
        ".vtt",
    ]
)
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
SUPPORTED_SUFFIXES = PLAIN_SUFFIXES | HTML_SUFFIXES | {".pdf", ".docx"}

# pypdf reports damaged PDFs through logging; without a handler Python would print those
# warnings on the terminal. The engine's log file takes them (``setup_file_logging``).
logging.getLogger("pypdf").addHandler(logging.NullHandler())

# A file larger than this is not read at all: its text would not fit a desktop index anyway,
# and reading it whole could exhaust the memory of the machine.
MAX_FILE_BYTES = 256 * 1024 * 1024


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
        with open(path, "rb") as fh:
            info = os.fstat(fh.fileno())
            if stat.S_ISDIR(info.st_mode):
                raise ExtractionError("is a directory, not a file")
            if not stat.S_ISREG(info.st_mode):
                # A FIFO or device would block or never end; only regular files are read.
                raise ExtractionError("not a regular file (a pipe, socket or device)")
            if info.st_size > MAX_FILE_BYTES:
                raise ExtractionError(
                    f"file is too large to index ({info.st_size // 2**20} MB; "
                    f"the limit is {MAX_FILE_BYTES // 2**20} MB)"
                )
            data = fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError as exc:
        raise ExtractionError("file disappeared before it could be read") from exc
    except PermissionError as exc:
        raise ExtractionError("permission denied: the file cannot be read") from exc
    except IsADirectoryError as exc:
        raise ExtractionError("is a directory, not a file") from exc
    except OSError as exc:
        raise ExtractionError(f"cannot read file: {exc.strerror or exc}") from exc
    if len(data) > MAX_FILE_BYTES:  # it grew while we read it
        raise ExtractionError(f"file is too large to index (over {MAX_FILE_BYTES // 2**20} MB)")
    return extract_bytes(data, kind_of(path) or "text")


def extract_bytes(data: bytes, kind: str) -> Extracted:
    """Pure entry point (used by the fuzz tests): never raises anything but ExtractionError."""
    if not data:
        raise ExtractionError("empty file (0 bytes)")
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
        raise ExtractionError(
            plain_error(f"malformed {kind} file: {type(exc).__name__}: {exc}")[:300]
        ) from exc


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(data: bytes) -> str:
    """UTF-8, or UTF-16/32 by BOM, or UTF-16 by its NUL pattern, or a legacy charset.

    Binary content is detected by bytes, not by the file name: a .txt that is really a
    binary blob is rejected instead of being indexed as noise.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = data.decode(codec, errors="replace")
            if _looks_like_text(text):
                return text
            raise ExtractionError("binary content (not a text file)")
    head = data[:8192]
    if b"\x00" in head:
        utf16 = _guess_utf16(head)
        if utf16:
            text = data.decode(utf16, errors="replace")
            if _looks_like_text(text):
                return text
        raise ExtractionError("binary content (not a text file)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if _looks_like_text(text):
            return text
        raise ExtractionError("binary content (not a text file)")
    # Mostly valid UTF-8 with a few bad bytes (a truncated or damaged file): keep UTF-8. In
    # legacy 8-bit text almost no high byte forms a valid UTF-8 sequence, so the valid
    # non-ASCII characters would be outnumbered by the replacement characters.
    utf8 = data.decode("utf-8", errors="replace")
    sample = utf8[:262144]
    bad = sample.count("\ufffd")
    valid = sum(1 for ch in sample if ch > "\x7f") - bad
    if valid > bad and _looks_like_text(utf8):
        return utf8
    high = sum(1 for b in data[:65536] if b > 0x7F) / min(len(data), 65536)
    if high < 0.3:
        # Mostly ASCII with a few accented letters: a Western single-byte charset. Detectors
        # guess badly on such input (short French text comes out as Big5), so do not ask one.
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        if _looks_like_text(text):
            return text
        raise ExtractionError("binary content or unknown text encoding")
    from charset_normalizer import from_bytes

    best = from_bytes(data[:262144]).best()
    if best is not None:
        text = data.decode(best.encoding, errors="replace")
        if _looks_like_text(text):
            return text
    if _looks_like_text(utf8):
        return utf8
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


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ud800-\udfff]")


def normalize_text(text: str) -> str:
    """Drop control characters and unify newlines; offsets are into this normalised text.

    Lone surrogates (a PDF's broken ToUnicode map yields them) go too: neither SQLite nor
    the tokenizer accepts them.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(" ", text)


_ENCRYPTED = "encrypted PDF (a password is required to open it)"


def _extract_pdf(data: bytes) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
    except PdfReadError as exc:
        raise ExtractionError(plain_error(f"corrupt PDF: {exc}")[:300]) from exc
    if reader.is_encrypted:
        try:
            ok = reader.decrypt("")
        except DependencyError as exc:
            raise ExtractionError(
                "encrypted PDF (AES): reading it needs the optional 'cryptography' package"
            ) from exc
        except Exception as exc:
            raise ExtractionError(_ENCRYPTED) from exc
        if not ok:
            raise ExtractionError(_ENCRYPTED)
    try:
        pages = list(reader.pages)
    except FileNotDecryptedError as exc:
        raise ExtractionError(_ENCRYPTED) from exc
    except Exception as exc:
        raise ExtractionError(
            plain_error(f"corrupt PDF (page tree): {type(exc).__name__}: {exc}")[:300]
        ) from exc
    parts: list[str] = []
    segments: list[Segment] = []
    failures: list[str] = []
    pos = 0
    for number, page in enumerate(pages, start=1):
        try:
            page_text = normalize_text(page.extract_text() or "")
        except FileNotDecryptedError as exc:
            raise ExtractionError(_ENCRYPTED) from exc
        except (RecursionError, MemoryError):
            raise
        except Exception as exc:  # one damaged page must not cost the rest of the document
            failures.append(plain_error(f"page {number}: {type(exc).__name__}: {exc}"))
            page_text = ""
        if page_text.strip():
            segments.append(Segment(pos, pos + len(page_text), number))
        parts.append(page_text)
        pos += len(page_text) + 2
    text = "\n\n".join(parts)
    if not segments:
        if failures:
            raise ExtractionError(f"corrupt PDF: no page could be read ({failures[0]})"[:300])
        raise ExtractionError(
            "PDF has no text layer (scanned images need OCR, which is not supported)"
        )
    return Extracted(text, segments, kind="pdf")


def _extract_docx(data: bytes) -> Extracted:
    return Extracted(normalize_text(docx_text(data)), kind="docx")


def _extract_html(data: bytes) -> Extracted:
    return Extracted(normalize_text(html_text(data)), kind="html")
