"""Text extraction: bytes in, plain text plus its spans (pages, slides, sheets...) out.

Every failure becomes an ``ExtractionError`` with a message a user can act on, so the
indexer can record it against the file and carry on with the rest. Plain text and PDF
are read here; every other format has a module of its own (``docx``, ``html``, ``odf``,
``pptx``, ``epub``, ``sheet``, ``rtf``, ``mail``, ``archive``; ``ocr`` for scans), and
``kind_of`` picks it by file name.
"""

from __future__ import annotations

import io
import logging
import os
import stat
from pathlib import Path

from desktop_search.core.errors import ExtractionError
from desktop_search.core.sanitize import plain_error

from .archive import zip_text
from .docx import docx_text
from .epub import epub_text
from .extracted import Budget, Extracted, Segment, decode_text, normalize_text
from .html import html_text
from .mail import mail_text
from .maildir import is_maildir_message
from .ocr import IMAGE_SUFFIXES, NeedsOcr, check_image
from .odf import odf_text
from .pptx import pptx_text
from .rtf import rtf_text
from .sheet import delimited_text, workbook_text

PLAIN_SUFFIXES = frozenset(
    [
        ".txt",
        ".text",
        ".md",
        ".markdown",
        ".rst",
        ".org",
        ".tex",
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
FORMAT_KINDS = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".odt": "odt",
    ".odp": "odp",
    ".pptx": "pptx",
    ".epub": "epub",
    ".rtf": "rtf",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".ods": "ods",
    ".csv": "csv",
    ".tsv": "tsv",
    ".eml": "email",
    ".mbox": "mbox",
    ".zip": "zip",
}
"""The formats with a reader of their own, by suffix (a Maildir message has none: see
``scan.is_maildir_message``)."""
SUPPORTED_SUFFIXES = PLAIN_SUFFIXES | HTML_SUFFIXES | frozenset(FORMAT_KINDS)
MAX_NESTING = 1
"""How deep containers open: a message's attachments are read, and a container attached
to one (an archive, a forwarded message) shows its own text but not its members."""

# pypdf reports damaged PDFs through logging; without a handler Python would print those
# warnings on the terminal. The engine's log file takes them (``setup_file_logging``).
logging.getLogger("pypdf").addHandler(logging.NullHandler())

# A file larger than this is not read at all (the index's default size limit, and the most a
# preview or Adapt reads): it is held whole while its parts are read, and one file's
# extraction stays under 300 MB.
MAX_FILE_BYTES = 64 * 1024 * 1024
# Files read whole as text need less: decoded, a text takes up to 4 bytes a character, and
# is copied as it is normalised (a 40 MB text with one emoji in it peaked at 212 MB). An
# mbox, split into messages, keeps the file limit: its text is capped by
# ``extracted.MAX_TEXT_CHARS``.
MAX_TEXT_FILE_BYTES = 48 * 1024 * 1024
_TEXT_KINDS = frozenset({"text", "html", "csv", "tsv", "rtf", "email"})


def max_bytes(kind: str) -> int:
    """The largest file of this kind that is read."""
    return MAX_TEXT_FILE_BYTES if kind in _TEXT_KINDS else MAX_FILE_BYTES


#: pypdf reads about 20 pages a second here (the R manuals, both cores busy): 300 s is some
#: 6,000 pages, a long book, more than any other kind of file needs.
PDF_SECONDS = 300.0
#: pypdf keeps about 60 KB a page it has read (an 8.4 MB, 1,080-page PDF of the R manuals
#: peaked at 100 MB): past this many pages one PDF could take more than 300 MB.
MAX_PDF_PAGES = 3_000


def kind_of(path: str | Path) -> str | None:
    """The extractor that handles this file name, or None when the type is not indexed."""
    suffix = Path(path).suffix.lower()
    if suffix in FORMAT_KINDS:
        return FORMAT_KINDS[suffix]
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in PLAIN_SUFFIXES:
        return "text"
    if suffix in IMAGE_SUFFIXES:  # indexed only where the folder's types include images
        return "image"
    if is_maildir_message(path):
        return "email"
    return None


def type_suffix(path: str | Path) -> str:
    """The suffix a file's type goes by in counts and filters: its own, or ".eml" for a
    Maildir message (which has none)."""
    suffix = Path(path).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES and is_maildir_message(path):
        return ".eml"
    return suffix


def extract_file(path: str | Path) -> Extracted:
    path = Path(path)
    kind = kind_of(path) or "text"
    limit = max_bytes(kind)
    try:
        with open(path, "rb") as fh:
            info = os.fstat(fh.fileno())
            if stat.S_ISDIR(info.st_mode):
                raise ExtractionError("is a directory, not a file")
            if not stat.S_ISREG(info.st_mode):
                # A FIFO or device would block or never end; only regular files are read.
                raise ExtractionError("not a regular file (a pipe, socket or device)")
            if info.st_size > limit:
                raise ExtractionError(
                    f"file is too large to index ({info.st_size // 2**20} MB; "
                    f"the limit is {limit // 2**20} MB)"
                )
            data = fh.read(limit + 1)
    except FileNotFoundError as exc:
        raise ExtractionError("file disappeared before it could be read") from exc
    except PermissionError as exc:
        raise ExtractionError("permission denied: the file cannot be read") from exc
    except IsADirectoryError as exc:
        raise ExtractionError("is a directory, not a file") from exc
    except OSError as exc:
        raise ExtractionError(f"cannot read file: {exc.strerror or exc}") from exc
    if len(data) > limit:  # it grew while we read it
        raise ExtractionError(f"file is too large to index (over {limit // 2**20} MB)")
    return extract_bytes(data, kind)


def extract_bytes(data: bytes, kind: str, depth: int = 0) -> Extracted:
    """Pure entry point (used by the fuzz tests): never raises anything but ExtractionError.

    ``depth`` is how many containers (messages, archives) hold this file: past
    ``MAX_NESTING`` a container's members are not opened."""
    if not data:
        raise ExtractionError("empty file (0 bytes)")
    try:
        if kind == "pdf":
            return _extract_pdf(data)
        if kind == "docx":
            return _extract_docx(data)
        if kind == "html":
            return _extract_html(data)
        if kind == "image":
            check_image(data)
            raise NeedsOcr("an image: its text is read by OCR")
        if kind in ("odt", "odp"):
            return odf_text(data, kind)
        if kind == "pptx":
            return pptx_text(data)
        if kind == "epub":
            return epub_text(data)
        if kind in ("xlsx", "xls", "ods"):
            return workbook_text(data, kind)
        if kind in ("csv", "tsv"):
            return delimited_text(normalize_text(decode_text(data)), tab=kind == "tsv")
        if kind == "rtf":
            return Extracted(normalize_text(rtf_text(data)), kind="rtf")
        if kind in ("email", "mbox"):
            reader = _attachment_reader(depth + 1) if depth < MAX_NESTING else None
            return mail_text(data, kind == "mbox", reader)
        if kind == "zip":
            return zip_text(data, _member_reader(depth + 1) if depth < MAX_NESTING else None)
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


def _attachment_reader(depth: int):
    """Reads a container's member (an e-mail attachment) by its name, to text or to a line
    that says why not; never raises (one bad attachment must not cost the message)."""

    def read(data: bytes, name: str) -> str:
        kind = kind_of(name)
        if kind is None:
            return "(not read: a type that is not indexed)"
        try:
            return extract_bytes(data, kind, depth).text
        except ExtractionError as exc:
            return f"(not read: {exc})"

    return read


def _member_reader(depth: int):
    """Reads an archive's member by its name; None for a type the index does not read
    (images too: OCR reads files, not members)."""

    def read(data: bytes, name: str) -> Extracted | None:
        kind = kind_of(name)
        if kind is None or kind == "image":
            return None
        return extract_bytes(data, kind, depth)

    return read


_ENCRYPTED = "encrypted PDF (a password is required to open it)"


def _extract_pdf(data: bytes, max_seconds: float = PDF_SECONDS) -> Extracted:
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
    if len(pages) > MAX_PDF_PAGES:
        raise ExtractionError(f"the PDF has more than {MAX_PDF_PAGES:,} pages")
    parts: list[str] = []
    segments: list[Segment] = []
    failures: list[str] = []
    pos = 0
    budget = Budget("PDF", max_seconds)
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
        budget.take(page_text)
        if page_text.strip():
            segments.append(Segment(pos, pos + len(page_text), number))
        parts.append(page_text)
        pos += len(page_text) + 2
    text = "\n\n".join(parts)
    if not segments:
        if failures:
            raise ExtractionError(f"corrupt PDF: no page could be read ({failures[0]})"[:300])
        raise NeedsOcr("PDF has no text layer: its pages are read by OCR")
    return Extracted(text, segments, kind="pdf")


def _extract_docx(data: bytes) -> Extracted:
    return Extracted(normalize_text(docx_text(data)), kind="docx")


def _extract_html(data: bytes) -> Extracted:
    return Extracted(normalize_text(html_text(data)), kind="html")
