"""Split extracted text into overlapping passages that fit the encoder.

Pure functions over strings and token counts. Passages end at paragraph or sentence
boundaries where they can, never exceed the model's token limit (nothing is silently
truncated), and keep their character offsets into the extracted text.

Cost: the text is cut into sentence-like units and every unit is tokenized once, in one
batch call per document. Passage sizes are sums of unit counts. That sum is exact for a
tokenizer that splits words at whitespace and punctuation (BERT's WordPiece, for one), so
only passages that join units in the middle of a word are tokenized again; for any other
tokenizer every passage is re-counted.
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

    def __post_init__(self) -> None:
        if not 1 <= self.max_tokens <= self.hard_limit:
            raise ValueError("need 1 <= max_tokens <= hard_limit")
        if not 0 <= self.overlap_tokens < self.max_tokens:
            raise ValueError("need 0 <= overlap_tokens < max_tokens")
        if self.max_chars < 8:
            raise ValueError("max_chars is too small")
        if not 0.0 <= self.min_fill <= 1.0:
            raise ValueError("min_fill must be within [0, 1]")


# A boundary after each unit: 3 paragraph, 2 sentence, 1 line, 0 inside a line. Every
# boundary follows whitespace or sentence punctuation, so it is also a word boundary.
_BOUNDARY = re.compile(r"(?P<para>\n[ \t]*\n\s*)|(?P<sent>(?<=[.!?;:])[\"')\]]*\s+)|\n")
_MAX_UNIT_CHARS = 600


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    strength: int
    clean_end: bool = True  # ends at a word boundary, so its tokens do not merge with the next
    exact: bool = True  # its token count is the count of its own text


def split_units(text: str, start: int, end: int, max_chars: int = _MAX_UNIT_CHARS) -> list[_Unit]:
    """Sentence-like units of text[start:end]; long runs are cut at spaces, then hard."""
    limit = max(1, min(max_chars, _MAX_UNIT_CHARS))
    units: list[_Unit] = []
    pos = start
    for m in _BOUNDARY.finditer(text, start, end):
        if m.end() <= pos:
            continue
        sep = m.group(0)
        if m.group("para") is not None or sep.count("\n") >= 2:
            strength = 3
        elif m.group("sent") is not None:
            strength = 2
        else:
            strength = 1
        _cut_long(text, pos, m.end(), strength, limit, units)
        pos = m.end()
    if pos < end:
        _cut_long(text, pos, end, 3, limit, units)
    return [u for u in units if not text[u.start : u.end].isspace()]


def _cut_long(text: str, start: int, end: int, strength: int, limit: int, out: list[_Unit]) -> None:
    pos = start
    while end - pos > limit:
        cut = text.rfind(" ", pos + limit // 2, pos + limit)
        if cut > pos:
            out.append(_Unit(pos, cut + 1, 0))
            pos = cut + 1
        else:  # no space: cut inside a word, and tell the packer that the join is unclean
            out.append(_Unit(pos, pos + limit, 0, clean_end=False))
            pos += limit
    out.append(_Unit(pos, end, strength))


def chunk_extracted(doc: Extracted, tokens: TokenCounter, cfg: ChunkConfig | None = None) -> list[Chunk]:
    """All passages of a document, page by page; every unit is tokenized in one batch."""
    cfg = cfg or ChunkConfig()
    text = doc.text
    per_seg = [(seg, split_units(text, seg.start, seg.end, cfg.max_chars)) for seg in doc.segments]
    flat = [u for _, units in per_seg for u in units]
    if not flat:
        return []
    all_counts = tokens.count([text[u.start : u.end] for u in flat])
    additive = bool(getattr(tokens, "additive", False))
    chunks: list[Chunk] = []
    at = 0
    for seg, units in per_seg:
        counts = all_counts[at : at + len(units)]
        at += len(units)
        if units:
            chunks.extend(_chunk_units(text, seg, units, counts, tokens, cfg, additive))
    return chunks


def chunk_segment(text: str, seg: Segment, tokens: TokenCounter, cfg: ChunkConfig) -> list[Chunk]:
    return chunk_extracted(Extracted(text, [seg]), tokens, cfg)


def _chunk_units(text, seg: Segment, units, counts, tokens: TokenCounter, cfg: ChunkConfig, additive: bool):
    units, counts = _split_oversized(text, units, counts, tokens, cfg)
    chunks: list[Chunk] = []
    unsure: list[bool] = []
    for i, end in _pack(units, counts, cfg):
        chunk = _make_chunk(text, units[i].start, units[end - 1].end, seg.page)
        if chunk is None:
            continue
        chunks.append(chunk)
        unsure.append(
            not additive
            or any(not units[k].exact for k in range(i, end))
            or any(not units[k].clean_end for k in range(i, end - 1))
        )
    return _enforce_hard_limit(text, chunks, unsure, tokens, cfg)


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
        pieces: list[tuple[int, int, int]] = []
        for i in range(0, len(offs), step):
            s = unit.start + offs[i][0] if i else unit.start
            e = unit.start + offs[i + step][0] if i + step < len(offs) else unit.end
            if e > s:
                pieces.append((s, e, min(step, len(offs) - i)))
        if not pieces:
            pieces = [(unit.start, unit.end, n)]
        for s, e, c in pieces:
            last = e == unit.end
            out_u.append(
                _Unit(s, e, unit.strength if last else 0, clean_end=unit.clean_end if last else False, exact=False)
            )
            out_c.append(c)
    return out_u, out_c


def _pack(units: list[_Unit], counts: list[int], cfg: ChunkConfig) -> list[tuple[int, int]]:
    """Greedy packing with a preference for ending on strong boundaries, plus sentence overlap.

    Returns [start, end) ranges of unit indexes. Each passage keeps within max_tokens (by
    the unit counts) and max_chars, ends at the strongest boundary found once min_fill full,
    and the next passage repeats the previous one's last whole units, up to overlap_tokens,
    but always adds at least one new unit.
    """
    spans: list[tuple[int, int]] = []
    overlap_chars = cfg.max_chars * cfg.overlap_tokens // cfg.max_tokens
    fill = cfg.min_fill * cfg.max_tokens
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
        budget = min(cfg.overlap_tokens, cfg.max_tokens - counts[end])
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


def _make_chunk(text: str, start: int, end: int, page: int | None) -> Chunk | None:
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip())
    trail = len(piece) - len(piece.rstrip())
    start, end = start + lead, end - trail
    if end <= start:
        return None
    return Chunk(text[start:end], start, end, page)


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
    counts = dict(zip(check, tokens.count([chunks[k].text for k in check])))
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
        if tokens.count([piece.text])[0] <= cfg.hard_limit:
            out.append(piece)
            continue
        offs = tokens.offsets(piece.text)
        cuts = [s for s, _ in offs[cfg.max_tokens :: cfg.max_tokens] if 0 < s < len(piece.text)]
        if not cuts:
            inner = sorted({s for s, _ in offs if 0 < s < len(piece.text)})
            cuts = [inner[len(inner) // 2]] if inner else [len(piece.text) // 2]
        bounds = [0, *sorted(set(cuts)), len(piece.text)]
        parts = [
            _make_chunk(text, piece.start + a, piece.start + b, piece.page) for a, b in zip(bounds, bounds[1:])
        ]
        todo.extend(reversed([p for p in parts if p is not None]))
    return out


def _is_word_split(tokenizer) -> bool:
    """True when the backend splits words at whitespace and punctuation (sums are exact)."""
    try:
        from tokenizers import pre_tokenizers

        pre = tokenizer.pre_tokenizer
        return isinstance(pre, pre_tokenizers.BertPreTokenizer)
    except Exception:  # pragma: no cover - an unusual tokenizer: fall back to re-counting
        return False


class HFTokenCounter:
    """Adapter from a Hugging Face tokenizer to the chunker's TokenCounter.

    With a fast tokenizer it works on a private copy of the Rust backend with truncation
    and padding switched off (the model's tokenizer.json pads and truncates to 128), so
    counts are never capped, calls skip the transformers wrapper, and the counter is safe
    to use beside the encoder's own tokenizer.
    """

    def __init__(self, tokenizer) -> None:
        self._tok = tokenizer
        self._backend = None
        backend = getattr(tokenizer, "backend_tokenizer", None)
        if backend is not None:
            from tokenizers import Tokenizer

            copy = Tokenizer.from_str(backend.to_str())
            copy.no_truncation()
            copy.no_padding()
            self._backend = copy
        self.additive = self._backend is not None and _is_word_split(self._backend)

    def count(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        if self._backend is not None:
            return [len(e.ids) for e in self._backend.encode_batch(list(texts), add_special_tokens=False)]
        enc = self._tok(list(texts), add_special_tokens=False, truncation=False, verbose=False)
        return [len(ids) for ids in enc["input_ids"]]

    def offsets(self, text: str) -> list[tuple[int, int]]:
        if self._backend is not None:
            return [tuple(o) for o in self._backend.encode(text, add_special_tokens=False).offsets]
        enc = self._tok(text, add_special_tokens=False, truncation=False, return_offsets_mapping=True, verbose=False)
        return [tuple(o) for o in enc["offset_mapping"]]
