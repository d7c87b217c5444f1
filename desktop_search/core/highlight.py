"""Where to draw the user's eye in a passage: query terms, or the best-matching sentence."""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "could",
        "do",
        "does",
        "did",
        "for",
        "from",
        "has",
        "have",
        "how",
        "i",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "should",
        "so",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
    ]
)


def query_terms(query: str) -> list[str]:
    return [t for t in (w.lower() for w in _WORD.findall(query)) if t not in _STOP and len(t) > 1]


def _stem(word: str) -> str:
    """A crude prefix stem so 'indexing' marks 'indexed' the way FTS5's porter match does."""
    return word[: max(4, len(word) - 3)] if len(word) > 5 else word


def term_spans(text: str, query: str) -> list[tuple[int, int]]:
    stems = {_stem(t) for t in query_terms(query)}
    if not stems:
        return []
    return [
        (m.start(), m.end())
        for m in _WORD.finditer(text)
        if _stem(m.group(0).lower()) in stems
        or any(m.group(0).lower().startswith(s) for s in stems if len(s) >= 4)
    ]


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
