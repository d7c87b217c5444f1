"""What a person typed, taken apart once: words to rank, "quoted phrases" and -excluded
words. Filters typed into the query (``type:pdf``, ``topic:N``) are taken out before, by
``query_filters.read_query``.

Search boxes have taught people two operators: quotes keep words together and a leading
minus leaves a word out. Everything else is free text: the semantic leg embeds it as
written (minus the operators), the keyword leg ranks its content words. Question words
("how do I ...") and other function words are dropped from the keyword leg: they match
nearly every passage and would only add noise to bm25.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Lucene's English stop words (what bm25s uses) plus the words of a question ("how do I",
# "what should we"). A longer list (NLTK's) also drops "above", "between", "same", "off",
# words that matter in a technical question, and scored lower on our question benchmark.
STOP_WORDS = frozenset(
    """
    a an and are as at be but by for if in into is it no not of on or such that the their
    then there these they this to was will with
    how do does did i me my we our you your what why when where which who can could should
    would
    """.split()  # noqa: SIM905 (a word list reads best as text)
)

_TOKEN = re.compile(r'-?"[^"]*"?|\S+')
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Query:
    """A parsed query. ``text`` is what the encoder sees."""

    raw: str
    text: str
    terms: tuple[str, ...]  # lower-cased content words, in order, no duplicates
    phrases: tuple[tuple[str, ...], ...]  # each a run of lower-cased words
    excluded: tuple[str, ...]  # words (or phrases joined by spaces) that must not appear
    pasted: bool = False  # longer than ``PASTED_WORDS``: text to trace, not typed words

    @property
    def empty(self) -> bool:
        return not self.text and not self.terms and not self.phrases


def clean_text(text: str) -> str:
    """Text the tokenizer and SQLite accept: no lone surrogates, no control characters."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    return "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\t\n" else ch for ch in text
    )


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def content_words(text: str) -> list[str]:
    """Lower-cased words worth matching: no function words, no single letters."""
    return [w for w in words(text) if w not in STOP_WORDS and (len(w) > 1 or w.isdigit())]


PASTED_WORDS = 24
"""A query longer than this is pasted text (to find where it came from), not typed: its
quotes and hyphens are part of the text, so they are not read as operators. A typed query
with operators is a few words; a pasted paragraph that quotes a phrase from elsewhere
would otherwise find nothing."""


def parse(raw: str) -> Query:
    raw = clean_text(raw).strip()
    free: list[str] = []
    phrases: list[tuple[str, ...]] = []
    excluded: list[str] = []
    pasted = len(raw.split()) > PASTED_WORDS
    if pasted:
        free.append(" ".join(raw.split()))
    for tok in [] if pasted else _TOKEN.findall(raw):
        negate = tok.startswith("-") and len(tok) > 1
        body = tok[1:] if negate else tok
        quoted = body.startswith('"')
        ws = tuple(words(body))
        if not ws:
            continue
        if negate:
            excluded.append(" ".join(ws))
        elif quoted and len(ws) > 1:
            phrases.append(ws)
            free.append(" ".join(ws))
        else:
            free.append(body.strip('"'))
    text = " ".join(free).strip()
    terms = list(dict.fromkeys(content_words(text)))
    if not terms:  # a query made only of function words ("to be or not to be")
        terms = list(dict.fromkeys(words(text)))
    return Query(raw, text, tuple(terms), tuple(phrases), tuple(dict.fromkeys(excluded)), pasted)
