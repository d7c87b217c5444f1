"""File-type groups offered in the wizard and in the search filter."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_search.core.engine import HTML_SUFFIXES, PLAIN_SUFFIXES


@dataclass(frozen=True)
class TypeGroup:
    key: str
    label: str
    hint: str
    suffixes: tuple[str, ...]


_TEXT = (".txt", ".text", ".md", ".markdown", ".rst", ".org", ".tex", ".log", ".srt", ".vtt")
_DATA = (
    ".csv",
    ".tsv",
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

GROUPS: tuple[TypeGroup, ...] = (
    TypeGroup("documents", "Documents", "PDF and Word (.pdf, .docx)", (".pdf", ".docx")),
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
)
BY_KEY = {g.key: g for g in GROUPS}

#: the search filter's choices: (label, suffixes); () means all types
FILTER_CHOICES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("All types", ()),
    ("PDF", (".pdf",)),
    ("Word", (".docx",)),
    ("Web pages", BY_KEY["web"].suffixes),
    ("Text and notes", BY_KEY["text"].suffixes),
    ("Data and settings", BY_KEY["data"].suffixes),
    ("Source code", BY_KEY["code"].suffixes),
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
