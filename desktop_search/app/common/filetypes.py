"""File-type groups offered in the wizard and in the search filter."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_search.core.engine import HTML_SUFFIXES, IMAGE_SUFFIXES, PLAIN_SUFFIXES


@dataclass(frozen=True)
class TypeGroup:
    key: str
    label: str
    hint: str
    suffixes: tuple[str, ...]


_TEXT = (".txt", ".text", ".md", ".markdown", ".rst", ".org", ".tex", ".log", ".srt", ".vtt")
_DATA = (
    ".json",
    ".yaml",
    ".yml",
    ".xml",
    ".toml",
    ".ini",
    ".cfg",
    ".conf",
    ".properties",
)
_CODE = tuple(sorted(PLAIN_SUFFIXES - set(_TEXT) - set(_DATA)))
#: for the file-type icons (icons.py): one list of what counts as code or data
CODE_SUFFIXES = frozenset(_CODE)
DATA_SUFFIXES = frozenset(_DATA)

_DOCUMENTS = (".pdf", ".docx", ".odt", ".rtf")
_SLIDES = (".pptx", ".odp")
_SHEETS = (".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".tsv")
_MAIL = (".eml", ".mbox")
#: for the file-type icons (icons.py)
SLIDE_SUFFIXES = frozenset(_SLIDES)
SHEET_SUFFIXES = frozenset(_SHEETS)
MAIL_SUFFIXES = frozenset(_MAIL)

GROUPS: tuple[TypeGroup, ...] = (
    TypeGroup(
        "documents",
        "Documents",
        "PDF, Word, OpenDocument and RTF (.pdf, .docx, .odt, .rtf)",
        _DOCUMENTS,
    ),  # fmt: skip
    TypeGroup("slides", "Presentations", "PowerPoint and Impress (.pptx, .odp)", _SLIDES),
    TypeGroup(
        "sheets", "Spreadsheets", "Excel, Calc, CSV (.xlsx, .xls, .ods, .csv, .tsv)", _SHEETS
    ),
    TypeGroup("books", "E-books", "EPUB books without DRM (.epub)", (".epub",)),
    TypeGroup("mail", "E-mail", "Saved messages, mbox files and Maildir folders", _MAIL),
    TypeGroup(
        "web", "Web pages", "Saved web pages and HTML (.html, .htm)", tuple(sorted(HTML_SUFFIXES))
    ),
    TypeGroup(
        "text",
        "Text and notes",
        "Plain text, Markdown, reStructuredText, Org, LaTeX, subtitles",
        _TEXT,
    ),
    TypeGroup("data", "Data and settings", "CSV, JSON, YAML, XML, INI and similar", _DATA),
    TypeGroup(
        "code", "Source code", "Python, JavaScript, C, Go, Rust, shell scripts and more", _CODE
    ),
    TypeGroup("archives", "Archives", "The files inside zip archives (.zip)", (".zip",)),
    TypeGroup(
        "images",
        "Text in images (OCR)",
        "Photos and scans (.png, .jpg, .tif), read by text recognition: seconds per picture",
        tuple(sorted(IMAGE_SUFFIXES)),
    ),
)
BY_KEY = {g.key: g for g in GROUPS}

#: the search filter's choices: (label, suffixes); () means all types
FILTER_CHOICES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("All types", ()),
    ("PDF", (".pdf",)),
    ("Word and text documents", (".docx", ".odt", ".rtf")),
    ("Presentations", BY_KEY["slides"].suffixes),
    ("Spreadsheets", BY_KEY["sheets"].suffixes),
    ("E-books", (".epub",)),
    ("E-mail", BY_KEY["mail"].suffixes),
    ("Web pages", BY_KEY["web"].suffixes),
    ("Text and notes", BY_KEY["text"].suffixes),
    ("Data and settings", BY_KEY["data"].suffixes),
    ("Source code", BY_KEY["code"].suffixes),
    ("Archives", BY_KEY["archives"].suffixes),
    ("Images", BY_KEY["images"].suffixes),
)


def suffixes_for(keys) -> list[str]:
    out: list[str] = []
    for key in keys:
        group = BY_KEY.get(key)
        if group:
            out += group.suffixes
    return out


def parse_patterns(text: str) -> list[str]:
    """'*.log, drafts/*; My Old Stuff' -> ['*.log', 'drafts/*', 'My Old Stuff'] (names may hold spaces)."""
    return [p.strip() for p in text.replace(";", ",").replace("\n", ",").split(",") if p.strip()]
