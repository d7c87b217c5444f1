"""Split extracted text into overlapping passages that fit the encoder.

Pure functions over strings and token counts. Passages end at paragraph or sentence
boundaries where they can, never exceed the model's token limit (nothing is silently
truncated), and keep their character offsets into the extracted text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from .extract import Extracted, Segment


class TokenCounter(Protocol):
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


@dataclass(frozen=True)
class ChunkConfig:
    max_tokens: int = 200  # target passage size, below the model limit
    overlap_tokens: int = 32  # carried over from the previous passage (whole sentences)
    hard_limit: int = 254  # the model's max_seq_length minus [CLS] and [SEP]
    max_chars: int = 2000  # bounds a passage of unknown words (one [UNK] per 100 chars)
    min_fill: float = 0.6  # end early at a paragraph/sentence only once this full


# A boundary after each unit: 3 paragraph, 2 sentence, 1 line, 0 inside a line.
_BOUNDARY = re.compile(r"\n[ \t]*\n\s*|(?<=[.!?;:])[\"')\]]*\s+|\n")
_MAX_UNIT_CHARS = 600


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    strength: int


def split_units(text: str, start: int, end: int) -> list[_Unit]:
    """Sentence-like units of text[start:end]; long runs are cut at spaces, then hard."""
    units: list[_Unit] = []
    pos = start
    for m in _BOUNDARY.finditer(text, start, end):
        if m.end() <= pos:
            continue
        sep = m.group(0)
        strength = 3 if sep.count("\n") >= 2 else (1 if sep == "\n" else 2)
        units.extend(_cut_long(text, pos, m.end(), strength))
        pos = m.end()
    if pos < end:
        units.extend(_cut_long(text, pos, end, 3))
    return [u for u in units if text[u.start : u.end].strip()]


def _cut_long(text: str, start: int, end: int, strength: int) -> list[_Unit]:
    if end - start <= _MAX_UNIT_CHARS:
        return [_Unit(start, end, strength)]
    out = []
    pos = start
    while end - pos > _MAX_UNIT_CHARS:
        cut = text.rfind(" ", pos + _MAX_UNIT_CHARS // 2, pos + _MAX_UNIT_CHARS)
        cut = cut + 1 if cut > pos else pos + _MAX_UNIT_CHARS
        out.append(_Unit(pos, cut, 0))
        pos = cut
    out.append(_Unit(pos, end, strength))
    return out


def chunk_extracted(doc: Extracted, tokens: TokenCounter, cfg: ChunkConfig | None = None) -> list[Chunk]:
    cfg = cfg or ChunkConfig()
    chunks: list[Chunk] = []
    for seg in doc.segments:
        chunks.extend(chunk_segment(doc.text, seg, tokens, cfg))
    return chunks


def chunk_segment(text: str, seg: Segment, tokens: TokenCounter, cfg: ChunkConfig) -> list[Chunk]:
    units = split_units(text, seg.start, seg.end)
    if not units:
        return []
    counts = tokens.count([text[u.start : u.end] for u in units])
    units, counts = _split_oversized(text, units, counts, tokens, cfg)
    spans = _pack(units, counts, cfg)
    chunks = [_make_chunk(text, s, e, seg.page) for s, e in spans]
    chunks = [c for c in chunks if c is not None]
    return _enforce_hard_limit(text, chunks, tokens, cfg)


def _split_oversized(text, units, counts, tokens: TokenCounter, cfg: ChunkConfig):
    """A unit longer than a passage (a huge sentence or code line) is cut at token boundaries."""
    out_u: list[_Unit] = []
    out_c: list[int] = []
    for unit, n in zip(units, counts):
        if n <= cfg.max_tokens:
            out_u.append(unit)
            out_c.append(n)
            continue
        offs = tokens.offsets(text[unit.start : unit.end])
        step = cfg.max_tokens
        for i in range(0, len(offs), step):
            window = offs[i : i + step]
            s = unit.start + window[0][0] if i else unit.start
            e = unit.start + offs[i + step][0] if i + step < len(offs) else unit.end
            if e > s:
                out_u.append(_Unit(s, e, unit.strength if e == unit.end else 0))
                out_c.append(len(window))
    return out_u, out_c


def _pack(units: list[_Unit], counts: list[int], cfg: ChunkConfig) -> list[tuple[int, int]]:
    """Greedy packing with a preference for ending on strong boundaries, plus sentence overlap."""
    spans: list[tuple[int, int]] = []
    i = 0
    n = len(units)
    while i < n:
        total = 0
        j = i
        while j < n:
            size = units[j].end - units[i].start
            if j > i and (total + counts[j] > cfg.max_tokens or size > cfg.max_chars):
                break
            total += counts[j]
            j += 1
        end = j  # exclusive
        if end < n:
            # Back off to the strongest boundary that still leaves the passage min_fill full.
            best, best_strength, run = end, -1, 0
            for k in range(i, end):
                run += counts[k]
                if run >= cfg.min_fill * cfg.max_tokens and units[k].strength >= best_strength:
                    best, best_strength = k + 1, units[k].strength
            if best_strength >= 2:
                end = best
        spans.append((units[i].start, units[end - 1].end))
        if end >= n:
            break
        # Start the next passage a few whole units back, within the overlap budget.
        back, carried = end, 0
        while back - 1 > i and carried + counts[back - 1] <= cfg.overlap_tokens:
            back -= 1
            carried += counts[back]
        i = back
    return spans


def _make_chunk(text: str, start: int, end: int, page: int | None) -> Chunk | None:
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip())
    trail = len(piece) - len(piece.rstrip())
    start, end = start + lead, end - trail
    if end <= start:
        return None
    return Chunk(text[start:end], start, end, page)


def _enforce_hard_limit(text: str, chunks: list[Chunk], tokens: TokenCounter, cfg: ChunkConfig) -> list[Chunk]:
    """Re-count whole passages (joins can tokenize differently) and halve any that overflow."""
    out: list[Chunk] = []
    counts = tokens.count([c.text for c in chunks])
    for chunk, n in zip(chunks, counts):
        if n <= cfg.hard_limit:
            out.append(chunk)
            continue
        offs = tokens.offsets(chunk.text)
        for i in range(0, len(offs), cfg.hard_limit):
            s = chunk.start + (offs[i][0] if i else 0)
            e = chunk.start + offs[i + cfg.hard_limit][0] if i + cfg.hard_limit < len(offs) else chunk.end
            piece = _make_chunk(text, s, e, chunk.page)
            if piece:
                out.append(piece)
    return out


class HFTokenCounter:
    """Adapter from a Hugging Face fast tokenizer to the chunker's TokenCounter."""

    def __init__(self, tokenizer) -> None:
        self._tok = tokenizer

    def count(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        enc = self._tok(list(texts), add_special_tokens=False, truncation=False, verbose=False)
        return [len(ids) for ids in enc["input_ids"]]

    def offsets(self, text: str) -> list[tuple[int, int]]:
        enc = self._tok(text, add_special_tokens=False, truncation=False, return_offsets_mapping=True, verbose=False)
        return [tuple(o) for o in enc["offset_mapping"]]
