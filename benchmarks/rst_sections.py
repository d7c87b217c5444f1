"""Sections of the Python docs (reStructuredText): heading -> section body pairs."""

from __future__ import annotations

import re
from pathlib import Path

_UNDERLINE = re.compile(r"^([=\-~^*#\"'`+])\1{2,}\s*$")
GENERIC = {
    "examples",
    "example",
    "notes",
    "see also",
    "overview",
    "introduction",
    "summary",
    "reference",
    "functions",
    "classes",
    "constants",
    "module contents",
    "exceptions",
    "usage",
    "footnotes",
}


def sections(text: str) -> list[tuple[str, str]]:
    lines = text.splitlines()
    heads = []
    for i in range(1, len(lines)):
        title = lines[i - 1].strip()
        if (
            _UNDERLINE.match(lines[i])
            and title
            and len(lines[i].strip()) >= len(title)
            and not _UNDERLINE.match(lines[i - 1])
        ):
            heads.append((i - 1, title))
    out = []
    for n, (line, title) in enumerate(heads):
        end = heads[n + 1][0] if n + 1 < len(heads) else len(lines)
        body = "\n".join(lines[line + 2 : end]).strip()
        out.append((title, body))
    return out


def usable_sections(
    root: Path, max_sections: int, min_body: int = 300
) -> list[tuple[str, str, str]]:
    """(source file, heading, body) with specific, unique headings and real bodies."""
    seen: dict[str, int] = {}
    found = []
    for path in sorted(root.rglob("*.rst.txt")):
        for title, body in sections(path.read_text(encoding="utf-8", errors="replace")):
            clean = re.sub(r"[:`*]+", "", title).strip()
            key = clean.lower()
            seen[key] = seen.get(key, 0) + 1
            if len(body) >= min_body and len(clean.split()) >= 2 and key not in GENERIC:
                found.append((str(path.relative_to(root)), clean, body[:3000]))
    unique = [s for s in found if seen[s[1].lower()] == 1]
    stride = max(1, len(unique) // max_sections)  # spread over the whole manual
    return unique[::stride][:max_sections]
