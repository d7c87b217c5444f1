"""Property tests: extraction of arbitrary bytes and chunking of arbitrary text never misbehave.

extract_bytes may only raise ExtractionError, whatever it is fed; the chunker may raise
nothing, and its passages always index back into the text, within every configured bound.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_search.core.extract.dispatch import Extracted, ExtractionError, Segment, extract_bytes
from desktop_search.core.index.chunking import ChunkConfig, chunk_extracted

from .test_extract import text_pdf

FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class WordCounter:
    additive = True

    def count(self, texts: Sequence[str]) -> list[int]:
        return [len(t.split()) for t in texts]

    def offsets(self, text: str) -> list[tuple[int, int]]:
        return [m.span() for m in re.finditer(r"\S+", text)]


class CharCounter:
    """One token per non-blank character, re-counted (not additive)."""

    def count(self, texts: Sequence[str]) -> list[int]:
        return [sum(not ch.isspace() for ch in t) for t in texts]

    def offsets(self, text: str) -> list[tuple[int, int]]:
        return [(i, i + 1) for i, ch in enumerate(text) if not ch.isspace()]


def _valid_docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("The committee approved the new budget on Monday.")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "item", "cost"
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


SEEDS = {
    "pdf": text_pdf(["A page about rivers and lakes.", None, "Another page (about seas)."]),
    "docx": _valid_docx(),
    "html": b"<html><head><title>T</title><style>x{}</style></head><body><p>Hello <b>there</b>.</p>"
    b"<pre>code\n  block</pre><script>var a;</script><table><tr><td>1</td></tr></table></body></html>",
    "text": "Caf\u00e9 na\u00efve \u2014 r\u00e9sum\u00e9.\nSecond line.\n".encode("utf-16"),
}


def _check_extracted(doc: Extracted) -> None:
    assert isinstance(doc.text, str)
    last = 0
    for seg in doc.segments:
        assert last <= seg.start <= seg.end <= len(doc.text)
        last = seg.end


def _extract_or_error(data: bytes, kind: str) -> Extracted | None:
    try:
        doc = extract_bytes(data, kind)
    except ExtractionError as exc:
        assert str(exc)
        return None
    _check_extracted(doc)
    return doc


@pytest.mark.parametrize("kind", ["text", "html", "pdf", "docx"])
@FUZZ
@given(data=st.binary(max_size=3000))
def test_random_bytes_only_raise_extraction_error(kind, data):
    _extract_or_error(data, kind)


@st.composite
def mutated(draw, seed: bytes) -> bytes:
    """A real file with bytes flipped, inserted, cut out or the tail truncated."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=40))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 200))]
        else:
            del data[at:]
    return bytes(data)


@pytest.mark.parametrize("kind", ["text", "html", "pdf", "docx"])
@FUZZ
@given(data=st.data())
def test_damaged_real_files_only_raise_extraction_error(kind, data):
    _extract_or_error(data.draw(mutated(SEEDS[kind])), kind)


_FORMATS = Path(__file__).resolve().parent / "fixtures" / "formats"
_FORMAT_SEEDS = {  # the readers that run in this process (RTF and sheets run in a child)
    "odt": "lighthouse.odt",
    "odp": "bees.odp",
    "pptx": "volcanoes.pptx",
    "epub": "harbour.epub",
    "email": "pottery.eml",
    "mbox": "archive.mbox",
    "csv": "training.csv",
}


@pytest.mark.parametrize("kind", list(_FORMAT_SEEDS))
@settings(FUZZ, max_examples=60)
@given(data=st.data())
def test_damaged_files_of_the_new_formats_only_raise_extraction_error(kind, data):
    seed = (_FORMATS / _FORMAT_SEEDS[kind]).read_bytes()
    _extract_or_error(data.draw(mutated(seed)), kind)


# -- chunking ----------------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "word",
        "Word.",
        "end!",
        "why?",
        " ",
        "  ",
        "\n",
        "\n\n",
        "\n \n",
        "\t",
        ".",
        ";",
        ":",
        "\u00a0",
        "\u2028",
        "\x1c",
        "é",
        "中文",
        "\ufffd",
        "(x)",
        '"q."',
        "x" * 150,
        "ab" * 400,
        "a.b," * 60,
    ]
)
TEXTS = st.one_of(
    st.text(max_size=2500),
    st.lists(_PIECES, max_size=400).map("".join),
    st.lists(st.one_of(_PIECES, st.text(max_size=12)), max_size=300).map("".join),
)
CONFIGS = st.builds(
    lambda tokens, overlap, extra, chars, fill: ChunkConfig(
        max_tokens=tokens,
        overlap_tokens=overlap,
        hard_limit=tokens + extra,
        max_chars=chars,
        min_fill=fill,
    ),
    st.integers(1, 60),
    st.integers(0, 70),
    st.integers(0, 20),
    st.integers(8, 900),
    st.floats(0.0, 1.0),
)


@st.composite
def documents(draw) -> Extracted:
    text = draw(TEXTS)
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=4)))
    if not cuts:
        return Extracted(text)
    bounds = [0, *cuts, len(text)]
    segments = [Segment(a, b, page) for page, (a, b) in enumerate(zip(bounds, bounds[1:]), start=1)]
    return Extracted(text, segments)


def _check_chunks(doc: Extracted, chunks, cfg: ChunkConfig, tokens) -> None:
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text
        assert c.text.strip() and c.text == c.text.strip()
        assert len(c.text) <= cfg.max_chars
        assert any(s.start <= c.start and c.end <= s.end and s.page == c.page for s in doc.segments)
    if chunks:
        assert max(tokens.count([c.text for c in chunks])) <= cfg.hard_limit
    # Nothing is lost: every non-blank character is in some passage.
    for seg in doc.segments:
        pos = seg.start
        for c in sorted(
            (
                c
                for c in chunks
                if seg.start <= c.start < seg.end or c.start == seg.start == seg.end
            ),
            key=lambda c: c.start,
        ):
            assert not doc.text[pos : c.start].strip()
            pos = max(pos, c.end)
        assert not doc.text[pos : seg.end].strip()


@settings(FUZZ, max_examples=200)
@given(doc=documents(), cfg=CONFIGS)
def test_chunker_with_word_counter(doc, cfg):
    tokens = WordCounter()
    _check_chunks(doc, chunk_extracted(doc, tokens, cfg), cfg, tokens)


@settings(FUZZ, max_examples=100)
@given(doc=documents(), cfg=CONFIGS)
def test_chunker_with_non_additive_counter(doc, cfg):
    tokens = CharCounter()
    _check_chunks(doc, chunk_extracted(doc, tokens, cfg), cfg, tokens)


@settings(FUZZ, max_examples=120)
@given(doc=documents(), small=st.booleans())
def test_chunker_with_the_model_tokenizer(tokenizer, counter, doc, small):
    cfg = (
        ChunkConfig(max_tokens=24, overlap_tokens=6, hard_limit=30, max_chars=400)
        if small
        else ChunkConfig()
    )
    chunks = chunk_extracted(doc, counter, cfg)

    class Independent:  # counts through transformers' own call, not the chunker's backend copy
        def count(self, texts):
            enc = tokenizer(list(texts), add_special_tokens=False, truncation=False, verbose=False)
            return [len(ids) for ids in enc["input_ids"]]

    _check_chunks(doc, chunks, cfg, Independent())


@settings(FUZZ, max_examples=100)
@given(
    data=st.one_of(
        st.binary(max_size=2000), TEXTS.map(lambda t: t.encode("utf-8", "surrogatepass"))
    )
)
def test_extract_then_chunk_pipeline(counter, data):
    doc = _extract_or_error(data, "text")
    if doc is None:
        return
    cfg = ChunkConfig()
    for c in chunk_extracted(doc, counter, cfg):
        assert doc.text[c.start : c.end] == c.text and len(c.text) <= cfg.max_chars
