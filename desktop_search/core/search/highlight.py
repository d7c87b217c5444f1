"""Where to draw the user's eye in a passage: query terms, or the best-matching sentence."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")
_local = threading.local()


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The English Snowball stem, close to FTS5's porter: 'rotating' marks 'rotated'."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return stemmer.stemWord(word.lower())


def stems_in(text: str) -> set[str]:
    return {stem(w) for w in _WORD.findall(text)}


def term_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Spans of the words in ``text`` that share a stem with one of ``terms``."""
    stems = {stem(t) for t in terms}
    if not stems:
        return []
    return [(m.start(), m.end()) for m in _WORD.finditer(text) if stem(m.group(0)) in stems]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in _SENTENCE.finditer(text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e - s >= 3:
            spans.append((s, e))
    return spans or [(0, len(text))]


def snippet_window(text: str, spans: list[tuple[int, int]], width: int = 240) -> tuple[int, int]:
    """A window of about ``width`` characters around the first highlight."""
    if len(text) <= width:
        return 0, len(text)
    center = spans[0][0] if spans else 0
    start = max(0, center - width // 3)
    end = min(len(text), start + width)
    start = max(0, end - width)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 30 else start
    if end < len(text):
        space = text.rfind(" ", end - 30, end)
        end = space if space > 0 else end
    return start, end


def render(text: str, spans: list[tuple[int, int]], open_: str = "[", close: str = "]") -> str:
    out, pos = [], 0
    for s, e in sorted(spans):
        if s < pos:
            continue
        out += [text[pos:s], open_, text[s:e], close]
        pos = e
    out.append(text[pos:])
    return "".join(out)
