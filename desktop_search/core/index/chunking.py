"""Split extracted text into overlapping passages that fit the encoder.

Pure functions over strings and token counts. Passages end at paragraph or sentence
boundaries where they can, never exceed the model's token limit (nothing is silently
truncated), and keep their character offsets into the extracted text.

Cost: the text is cut into sentence-like units and every unit is tokenized once, in
batched calls of bounded size (about 256 K characters each, so a huge file never holds all
its tokens at once). Passage sizes are sums of unit counts. For a counter that declares
``additive`` (its tokenizer splits words at whitespace and ASCII punctuation, as BERT's
WordPiece does) the sum is exact, so only passages that join units inside a word are
tokenized again; for any other counter every passage is re-counted before it is kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import astuple, dataclass
from typing import NamedTuple, Protocol

from desktop_search.core.extract.dispatch import Extracted, Segment


class TokenCounter(Protocol):
    """Counts tokens of the model's tokenizer.

    Optional extras the chunker uses when present: ``additive = True`` (the count of two
    texts joined at whitespace or after ASCII punctuation is the sum of their counts), and
    ``encode_batch(texts)`` returning objects with ``len()``, ``.offsets`` and ``.word_ids``
    (``tokenizers.Encoding``), which spares a second pass over oversized units.
    """

    def count(self, texts: Sequence[str]) -> list[int]:
        """Tokens per text, without special tokens."""

    def offsets(self, text: str) -> list[tuple[int, int]]:
        """Character span of each token of ``text``."""


@dataclass(frozen=True)
class Chunk:
    text: str
    start: int
    end: int
    page: int | None = None
    span: str | None = None  # the segment's span kind and label (see ``extract.Segment``)
    label: str | None = None


@dataclass(frozen=True)
class ChunkConfig:
    """How passages are cut. The defaults fill all-MiniLM-L6-v2's 256-token window and
    repeat little: on text that no setting was tuned on (BEIR SciFact, and hold-out
    manuals and argument paragraphs measured by issue 25's author), 128-token passages
    overlapping by half embedded 1.3-2x the tokens of a naive pipeline of 150-word windows
    and still ranked the right file lower. Passages near the model's limit cost about the
    anchor's encoder work (1.01-1.05 tokens per corpus token against 1.47-2.04 with the
    half overlap; benchmarks/bench_quality.py --tokens), so phase 2 does 30-50% less work;
    a snippet still highlights the best sentence of a long passage (``best_sentence``)."""

    max_tokens: int = 250  # target passage size, within the model limit
    overlap_tokens: int = 16  # carried over from the previous passage (whole sentences)
    hard_limit: int = 254  # the model's max_seq_length minus [CLS] and [SEP]
    max_chars: int = 2000  # bounds a passage of unknown words (one [UNK] per 100 chars)
    min_fill: float = 0.6  # end early at a paragraph/sentence only once this full

    def __post_init__(self) -> None:
        if self.hard_limit < 1 or self.max_tokens < 1:
            raise ValueError("max_tokens and hard_limit must be positive")
        if self.max_chars < 8:
            raise ValueError("max_chars must be at least 8")


CUT_REVISION = 2
"""Raised when the passages of the same text and config change: the text extracted from
files (2: HTML page furniture dropped, see ``extract_html``) or the way it is packed."""


def signature(cfg: ChunkConfig) -> str:
    """The config as the index remembers it: passages cut otherwise are cut again."""
    return ",".join(str(v) for v in (f"r{CUT_REVISION}", *astuple(cfg)))


def _target(cfg: ChunkConfig) -> int:
    """The passage size aimed at: max_tokens, but never above the hard limit."""
    return min(cfg.max_tokens, cfg.hard_limit)


# A boundary after each unit: 3 paragraph, 2 sentence, 1 line, 0 inside a line. Every
# boundary follows whitespace or sentence punctuation, so it is also a word boundary.
_BOUNDARY = re.compile(r"(?P<para>\n[ \t]*\n\s*)|(?P<sent>(?<=[.!?;:])[\"')\]]*\s+)|\n")
# Where a run too long for one unit may be cut cleanly: after the last space in the window,
# else after the last ASCII punctuation mark (a word boundary for tokenizers that split
# punctuation off, which is what ``additive`` promises). Else the cut falls inside a word.
_LAST_SPACE = re.compile(r"(?s:.*)[ \t\n\r]")
_LAST_PUNCT = re.compile(r"(?s:.*)[!-/:-@\[-`{-~]")
_MAX_UNIT_CHARS = 600
_BATCH_CHARS = 1 << 18  # text per tokenizer call: bounds the memory of its results


class _Unit(NamedTuple):
    start: int
    end: int
    strength: int
    clean_end: bool = True  # ends at a word boundary, so its tokens do not merge with the next
    exact: bool = True  # its token count is the count of its own text


def split_units(text: str, start: int, end: int, max_chars: int = _MAX_UNIT_CHARS) -> list[_Unit]:
    """Sentence-like units of text[start:end]; long runs are cut at spaces, then hard."""
    limit = max(2, min(max_chars, _MAX_UNIT_CHARS))
    units: list[_Unit] = []
    append = units.append
    pos = start
    for m in _BOUNDARY.finditer(text, start, end):
        stop = m.end()
        if stop <= pos:
            continue
        kind = m.lastgroup
        if kind == "para":
            strength = 3
        elif kind == "sent":
            strength = 3 if m.group(0).count("\n") >= 2 else 2
        else:
            strength = 1
        if stop - pos <= limit:
            append(_Unit(pos, stop, strength))
        else:
            _cut_long(text, pos, stop, strength, limit, units)
        pos = stop
    if pos < end:
        _cut_long(text, pos, end, 3, limit, units)
    return [u for u in units if not text[u.start : u.end].isspace()]


def _cut_long(text: str, start: int, end: int, strength: int, limit: int, out: list[_Unit]) -> None:
    pos = start
    while end - pos > limit:
        lo, hi = pos + limit // 2, pos + limit
        m = _LAST_SPACE.match(text, lo, hi) or _LAST_PUNCT.match(text, lo, hi)
        if m:
            out.append(_Unit(pos, m.end(), 0))
            pos = m.end()
        else:  # no space or punctuation: cut inside a word, and tell the packer so
            out.append(_Unit(pos, hi, 0, clean_end=False))
            pos = hi
    out.append(_Unit(pos, end, strength))


def chunk_extracted(
    doc: Extracted, tokens: TokenCounter, cfg: ChunkConfig | None = None
) -> list[Chunk]:
    """All passages of a document, page by page.

    Every unit is tokenized once, in batched calls of bounded size; only passages whose
    unit sum may be off are tokenized again.
    """
    cfg = cfg or ChunkConfig()
    text = doc.text
    additive = bool(getattr(tokens, "additive", False))
    per_seg = [split_units(text, seg.start, seg.end, cfg.max_chars) for seg in doc.segments]
    flat = [u for units in per_seg for u in units]
    if not flat:
        return []
    all_counts, oversized = _measure(text, flat, tokens, _target(cfg))
    chunks: list[Chunk] = []
    unsure: list[bool] = []
    at = 0
    for seg, units in zip(doc.segments, per_seg):
        first, at = at, at + len(units)
        counts = all_counts[first:at]
        if any(first <= k < at for k in oversized):
            units, counts = _replace(units, counts, oversized, first)
        for i, end in _pack(units, counts, cfg):
            chunk = _make_chunk(text, units[i].start, units[end - 1].end, seg)
            if chunk is None:
                continue
            chunks.append(chunk)
            unsure.append(
                not additive
                or any(not units[k].exact for k in range(i, end))
                or any(not units[k].clean_end for k in range(i, end - 1))
            )
    return _enforce_hard_limit(text, chunks, unsure, tokens, cfg)


def _replace(units, counts, oversized: dict, first: int):
    out_u: list[_Unit] = []
    out_c: list[int] = []
    for k, (unit, n) in enumerate(zip(units, counts), start=first):
        pieces = oversized.get(k)
        if pieces is None:
            out_u.append(unit)
            out_c.append(n)
        else:
            out_u.extend(u for u, _ in pieces)
            out_c.extend(c for _, c in pieces)
    return out_u, out_c


def _batches(lengths: Sequence[int]):
    """Index ranges whose summed length stays near _BATCH_CHARS."""
    start = size = 0
    for k, n in enumerate(lengths):
        if k > start and size + n > _BATCH_CHARS:
            yield start, k
            start, size = k, 0
        size += n
    if start < len(lengths):
        yield start, len(lengths)


def _measure(text: str, units: list[_Unit], tokens: TokenCounter, max_tokens: int):
    """Token count per unit, plus the pieces of each unit over max_tokens (cut at words)."""
    encode = getattr(tokens, "encode_batch", None)
    counts: list[int] = []
    oversized: dict[int, list[tuple[_Unit, int]]] = {}
    for a, b in _batches([u.end - u.start for u in units]):
        texts = [text[u.start : u.end] for u in units[a:b]]
        encs = encode(texts) if encode is not None else None
        part = [len(e) for e in encs] if encs is not None else tokens.count(texts)
        counts.extend(part)
        for k, n in enumerate(part):
            if n <= max_tokens:
                continue
            if encs is not None:
                offs, words = encs[k].offsets, encs[k].word_ids
                starts = [(offs[t][0], t == 0 or words[t] != words[t - 1]) for t in range(n)]
            else:
                starts = [(s, t == 0) for t, (s, _) in enumerate(tokens.offsets(texts[k]))]
            oversized[a + k] = _cut_tokens(units[a + k], starts, max_tokens)
        del encs
    return counts, oversized


def _cut_tokens(
    unit: _Unit, starts: list[tuple[int, bool]], max_tokens: int
) -> list[tuple[_Unit, int]]:
    """Cut an oversized unit into pieces of at most max_tokens tokens, at word starts if any.

    ``starts`` holds each token's char offset (within the unit) and whether it begins a word.
    A piece cut at word starts on both sides keeps an exact count; one cut inside a word is
    marked inexact, and the passage holding it is counted again.
    """
    n = len(starts)
    cuts: list[tuple[int, bool]] = []  # (token index, at a word start)
    a = 0
    while n - a > max_tokens:
        b = a + max_tokens
        w = next((t for t in range(b, a, -1) if starts[t][1]), None)
        cut, clean = (w, True) if w is not None else (b, False)
        cuts.append((cut, clean))
        a = cut
    pieces: list[tuple[_Unit, int]] = []
    prev_tok, prev_char, prev_clean = 0, unit.start, True
    for cut, clean in cuts:
        char = unit.start + starts[cut][0]
        if char <= prev_char or char >= unit.end:  # tokens sharing an offset: merge the pieces
            continue
        pieces.append(
            (_Unit(prev_char, char, 0, clean_end=clean, exact=prev_clean and clean), cut - prev_tok)
        )
        prev_tok, prev_char, prev_clean = cut, char, clean
    last = _Unit(prev_char, unit.end, unit.strength, clean_end=unit.clean_end, exact=prev_clean)
    pieces.append((last, n - prev_tok))
    if any(c > max_tokens for _, c in pieces):
        pieces = [(u._replace(exact=False), c) for u, c in pieces]
    return pieces


def _pack(units: list[_Unit], counts: list[int], cfg: ChunkConfig) -> list[tuple[int, int]]:
    """Greedy packing with a preference for ending on strong boundaries, plus sentence overlap.

    Returns [start, end) ranges of unit indexes. Each passage keeps within max_tokens (by
    the unit counts) and max_chars, ends at the strongest boundary found once min_fill full,
    and the next passage repeats the previous one's last whole units, up to overlap_tokens,
    but always adds at least one new unit.
    """
    spans: list[tuple[int, int]] = []
    limit = _target(cfg)
    overlap = max(0, min(cfg.overlap_tokens, limit - 1))
    overlap_chars = cfg.max_chars * overlap // limit
    fill = cfg.min_fill * limit
    i = 0
    n = len(units)
    while i < n:
        total = 0
        j = i
        while j < n:
            size = units[j].end - units[i].start
            if j > i and (total + counts[j] > limit or size > cfg.max_chars):
                break
            total += counts[j]
            j += 1
        end = j  # exclusive
        if end < n:
            # Back off to the strongest boundary (the latest among equals) that still leaves
            # the passage min_fill full, when it is stronger than where greedy packing stopped.
            best, best_strength, run = end, -1, 0
            for k in range(i, end):
                run += counts[k]
                if run >= fill and units[k].strength >= best_strength:
                    best, best_strength = k + 1, units[k].strength
            if best_strength > units[end - 1].strength:
                end = best
        spans.append((i, end))
        if end >= n:
            break
        # Start the next passage a few whole units back, within the overlap budget and
        # leaving room for the first new unit.
        budget = min(overlap, limit - counts[end])
        back, carried = end, 0
        while (
            back - 1 > i
            and carried + counts[back - 1] <= budget
            and units[end].end - units[back - 1].start <= cfg.max_chars
            and units[end - 1].end - units[back - 1].start <= overlap_chars
        ):
            back -= 1
            carried += counts[back]
        i = back
    return spans


def _make_chunk(text: str, start: int, end: int, within: Segment | Chunk) -> Chunk | None:
    """The stripped text between ``start`` and ``end``, in the span of ``within``."""
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip())
    trail = len(piece) - len(piece.rstrip())
    start, end = start + lead, end - trail
    if end <= start:
        return None
    return Chunk(text[start:end], start, end, within.page, within.span, within.label)


def _enforce_hard_limit(
    text: str, chunks: list[Chunk], unsure: list[bool], tokens: TokenCounter, cfg: ChunkConfig
) -> list[Chunk]:
    """Re-count the passages whose unit sum may be off, and split any that overflow.

    A split piece is counted again until it fits, so the guarantee does not rest on token
    offsets re-tokenizing the same way.
    """
    check = [k for k, flag in enumerate(unsure) if flag]
    if not check:
        return chunks
    counts: dict[int, int] = {}
    for a, b in _batches([len(chunks[k].text) for k in check]):
        part = check[a:b]
        counts.update(zip(part, tokens.count([chunks[k].text for k in part])))
    out: list[Chunk] = []
    for k, chunk in enumerate(chunks):
        if counts.get(k, 0) <= cfg.hard_limit:
            out.append(chunk)
        else:
            out.extend(_fit(text, chunk, tokens, cfg))
    return out


def _fit(text: str, chunk: Chunk, tokens: TokenCounter, cfg: ChunkConfig) -> list[Chunk]:
    out: list[Chunk] = []
    todo = [chunk]
    while todo:
        piece = todo.pop()
        if len(piece.text) <= 1 or tokens.count([piece.text])[0] <= cfg.hard_limit:
            out.append(piece)
            continue
        offs = tokens.offsets(piece.text)
        step = _target(cfg)
        cuts = [s for s, _ in offs[step::step] if 0 < s < len(piece.text)]
        if not cuts:
            inner = sorted({s for s, _ in offs if 0 < s < len(piece.text)})
            cuts = [inner[len(inner) // 2]] if inner else [len(piece.text) // 2]
        bounds = [0, *sorted(set(cuts)), len(piece.text)]
        parts = [
            _make_chunk(text, piece.start + a, piece.start + b, piece)
            for a, b in zip(bounds, bounds[1:])
        ]
        todo.extend(reversed([p for p in parts if p is not None]))
    return out
