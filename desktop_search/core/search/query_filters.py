"""Filters typed into the query (``type:pdf in:~/tax after:2024 size>1M``), taken out of it.

The search box, the CLI's query argument and the desktop launchers all speak this syntax,
and it yields the same ``Filters`` that the app's widgets and the CLI's flags set. What is
not understood never fails a search: it comes back as a one-line hint and the rest of the
query runs (the CLI makes the hint its error, the app shows it in the status bar).
Quoting keeps a word such as ``"note:draft"`` as text. A pasted paragraph (see
``query.PASTED_WORDS``) is text to trace, so nothing in it is read as a filter.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime

from .filters import Filters
from .query import PASTED_WORDS

FIELDS = ("type:", "ext:", "in:", "-in:", "after:", "before:", "date:", "size>", "size<", "topic:")
_TOKEN = re.compile(r'-?[A-Za-z]+:"[^"]*"?|-?"[^"]*"?|\S+')
_FIELD = re.compile(r"^(-?)([A-Za-z]+):(.+)$", re.S)
_SIZE = re.compile(r"^size:?(<|>)=?(\d+(?:\.\d+)?)([kmgt]?)i?b?$", re.I)
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
KNOWN = "type: in: -in: after: before: date: size> size< topic:"


@dataclass(frozen=True)
class Typed:
    """A query with its filters taken out: ``text`` goes to the searcher, ``filters`` hold
    only what was typed (merge them over the widgets' with ``Filters.merged``)."""

    text: str
    filters: Filters = field(default_factory=Filters)
    hints: tuple[str, ...] = ()


def read_query(raw: str) -> Typed:
    if len(raw.split()) > PASTED_WORDS:
        return Typed(raw)
    kept: list[str] = []
    hints: list[str] = []
    got: dict = {"types": [], "not_in": []}
    for tok in _TOKEN.findall(raw):
        hint = _take(tok, got)
        if hint is None:
            continue
        if hint:
            hints.append(hint)
        kept.append(tok)
    filters = Filters(
        folder=got.get("folder"),
        types=tuple(dict.fromkeys(got["types"])),
        after=got.get("after"),
        before=got.get("before"),
        not_in=tuple(dict.fromkeys(got["not_in"])),
        larger_than=got.get("larger_than"),
        smaller_than=got.get("smaller_than"),
        topic=got.get("topic"),
    )
    return Typed(" ".join(kept), filters, tuple(hints))


def _take(tok: str, got: dict) -> str | None:
    """Put a filter token into ``got``: None when taken, else the hint ("" for plain text)."""
    size = _SIZE.match(tok)
    if size:
        op, number, unit = size.groups()
        n = int(float(number) * _UNITS[unit.lower()])
        got["larger_than" if op == ">" else "smaller_than"] = n
        return None
    if tok.lower().startswith(("size>", "size<", "size:")):
        return f'a size is a number with k, M or G, such as size>1M, not "{tok}"'
    m = _FIELD.match(tok)
    if not m or m.group(3).startswith("//"):  # plain text, or a web address
        return ""
    negated, name, value = m.group(1), m.group(2).lower(), m.group(3).strip('"')
    if negated and name != "in":
        return f'only in: can be negated (-in:folder); quote "{tok}" to search for it'
    if not value:
        return f"{name}: needs a value"
    if name in ("type", "ext"):
        got["types"] += [v.lower().lstrip(".") for v in value.split(",") if v.strip(". ")]
        return None
    if name == "in":
        folder = os.path.abspath(os.path.expanduser(value))
        if negated:
            got["not_in"].append(folder)
        else:
            got["folder"] = folder
        return None
    if name == "topic":
        if not value.isdigit():
            return f'topic: takes a topic number (see desktop-search topics), not "{value}"'
        got["topic"] = int(value)
        return None
    if name in ("after", "before", "date"):
        span = date_span(value)
        if span is None:
            return f'{name}: takes a date such as 2024, 2024-06 or 2024-06-30, not "{value}"'
        if name in ("after", "date"):
            got["after"] = span[0]
        if name == "before":
            got["before"] = span[0]
        if name == "date":
            got["before"] = span[1]
        return None
    return f'unknown filter "{name}:"; the filters are {KNOWN} (quote "{tok}" to search for it)'


def date_span(value: str) -> tuple[float, float] | None:
    """A year, month or day as (its first second, the first second after it), local time."""
    m = _DATE.match(value)
    if not m:
        return None
    year, month, day = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    try:
        start = datetime(year, month, day)
        if m.group(3):
            end = datetime.fromordinal(start.toordinal() + 1)
        elif m.group(2):
            end = datetime(year + month // 12, month % 12 + 1, 1)
        else:
            end = datetime(year + 1, 1, 1)
    except ValueError:
        return None
    return start.timestamp(), end.timestamp()
