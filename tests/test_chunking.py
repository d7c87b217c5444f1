"""Token-aware passages: the model's own tokenizer, real documents, overlap and boundaries."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence

import pytest

from desktop_search.core.encode.token_counter import HFTokenCounter
from desktop_search.core.extract.dispatch import Extracted, Segment, extract_file
from desktop_search.core.index.chunking import Chunk, ChunkConfig, chunk_extracted

RST_SAMPLE = [
    "library/colorsys.rst.txt",
    "library/functools.rst.txt",
    "library/json.rst.txt",
    "tutorial/controlflow.rst.txt",
    "howto/logging.rst.txt",
    "glossary.rst.txt",
]
MODEL_LIMIT = 256  # all-MiniLM-L6-v2's max_seq_length, [CLS] and [SEP] included


def model_tokens(tokenizer, texts: Sequence[str]) -> list[int]:
    """What the encoder will see: special tokens included, nothing truncated."""
    enc = tokenizer(list(texts), add_special_tokens=True, truncation=False, verbose=False)
    return [len(ids) for ids in enc["input_ids"]]


class WordCounter:
    """One token per whitespace-separated word: a simple, additive TokenCounter."""

    additive = True

    def count(self, texts: Sequence[str]) -> list[int]:
        return [len(t.split()) for t in texts]

    def offsets(self, text: str) -> list[tuple[int, int]]:
        return [m.span() for m in re.finditer(r"\S+", text)]


def check_chunks(doc: Extracted, chunks: list[Chunk], cfg: ChunkConfig) -> None:
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text
        assert c.text and c.text == c.text.strip()
        assert len(c.text) <= cfg.max_chars
        seg = next(s for s in doc.segments if s.start <= c.start and c.end <= s.end)
        assert c.page == seg.page


def assert_covered(doc: Extracted, chunks: list[Chunk]) -> None:
    """Every non-blank character of the document is in some passage."""
    pos = 0
    for c in sorted(chunks, key=lambda c: c.start):
        assert not doc.text[pos : c.start].strip(), doc.text[pos : c.start][:80]
        pos = max(pos, c.end)
    assert not doc.text[pos:].strip()


# -- the real tokenizer on real documents ---------------------------------------------------


def test_counter_is_not_capped_by_the_tokenizer_json_truncation(tokenizer, counter):
    # The model's tokenizer.json truncates and pads to 128; counts must not be capped by it.
    long_text = "word " * 500
    assert counter.count([long_text, "two words"]) == [500, 2]
    assert len(counter.offsets(long_text)) == 500
    assert counter.additive
    # The caller's tokenizer is left as it was.
    assert model_tokens(tokenizer, ["hello there"]) == [4]


def test_real_rst_chunks_fit_the_model_and_end_at_boundaries(fixture_data, tokenizer, counter):
    cfg = ChunkConfig()
    ends = total = 0
    for rel in RST_SAMPLE:
        doc = extract_file(fixture_data / "docs" / "rst" / rel)
        chunks = chunk_extracted(doc, counter, cfg)
        assert len(chunks) > 1, rel
        check_chunks(doc, chunks, cfg)
        counts = model_tokens(tokenizer, [c.text for c in chunks])
        assert max(counts) <= MODEL_LIMIT, rel  # nothing silently truncated by the encoder
        assert max(counts) <= cfg.max_tokens + 2  # the unit sums are exact for this tokenizer
        assert_covered(doc, chunks)
        # Consecutive passages overlap.
        assert sum(b.start < a.end for a, b in zip(chunks, chunks[1:])) >= 0.5 * (
            len(chunks) - 1
        ), rel
        for c in chunks:
            total += 1
            after = doc.text[c.end : c.end + 3]
            sentence = re.search(r"[.!?:;][\"')\]]*$", c.text) is not None
            paragraph = (
                c.end == len(doc.text.rstrip()) or re.match(r"[ \t]*\n[ \t]*\n", after) is not None
            )
            ends += sentence or paragraph
    assert ends / total >= 0.85, ends / total


def test_real_pdf_chunks_know_their_page(fixture_data, tokenizer, counter):
    from pypdf import PdfReader

    path = fixture_data / "docs" / "pdf" / "R-FAQ-excerpt.pdf"
    doc = extract_file(path)
    cfg = ChunkConfig()
    chunks = chunk_extracted(doc, counter, cfg)
    check_chunks(doc, chunks, cfg)
    assert max(model_tokens(tokenizer, [c.text for c in chunks])) <= MODEL_LIMIT
    assert {c.page for c in chunks} == {1, 2, 3}
    reader = PdfReader(path)
    for c in chunks:
        words = c.text.split()[:6]
        assert " ".join(words) in " ".join(reader.pages[c.page - 1].extract_text().split())


def test_real_html_chunks(fixture_data, tokenizer, counter):
    cfg = ChunkConfig()
    for name in ("node100.html", "node318.html", "index.html"):
        doc = extract_file(fixture_data / "docs" / "html" / name)
        chunks = chunk_extracted(doc, counter, cfg)
        assert chunks
        check_chunks(doc, chunks, cfg)
        assert max(model_tokens(tokenizer, [c.text for c in chunks])) <= MODEL_LIMIT


def test_dense_text_without_spaces_is_cut_to_fit(tokenizer, counter):
    # Punctuation-heavy runs (minified code, base64) have far more tokens than characters
    # suggest: the oversized units are cut at word starts and still fit the model.
    minified = "".join(f"a{i}=f(b[{i}],c.d{i});" for i in range(400))
    cjk = "自然語言處理是人工智慧的一個分支" * 60
    doc = Extracted(f"{minified}\n\n{cjk}\n\nEnd of file.")
    cfg = ChunkConfig()
    chunks = chunk_extracted(doc, counter, cfg)
    check_chunks(doc, chunks, cfg)
    counts = model_tokens(tokenizer, [c.text for c in chunks])
    assert max(counts) <= MODEL_LIMIT
    assert_covered(doc, chunks)  # nothing lost


@pytest.mark.slow
def test_five_megabyte_line_bounded_memory_and_passages(tmp_path):
    """One 5 MB line with no spaces (a DNA sequence): run in a fresh process to measure memory."""
    script = r"""
import json, os, random, sys, threading, time
from transformers import AutoTokenizer
from desktop_search.core.index.chunking import ChunkConfig, chunk_extracted
from desktop_search.core.encode.encoder import default_model_path
from desktop_search.core.extract.dispatch import extract_file
from desktop_search.core.encode.token_counter import HFTokenCounter

def rss_mb():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

path = sys.argv[1]
rng = random.Random(7)
with open(path, "wb") as fh:
    fh.write(rng.randbytes(5 * 1024 * 1024).translate(bytes(b"ACGT"[i % 4] for i in range(256))))
tok = AutoTokenizer.from_pretrained(str(default_model_path()), local_files_only=True)
counter = HFTokenCounter(tok)
doc = extract_file(path)
base = peak = rss_mb()
done = threading.Event()
def watch():
    global peak
    while not done.is_set():
        peak = max(peak, rss_mb())
        time.sleep(0.005)
watcher = threading.Thread(target=watch)
watcher.start()
t0 = time.perf_counter()
chunks = chunk_extracted(doc, counter, ChunkConfig())
seconds = time.perf_counter() - t0
done.set()
watcher.join()
counts = counter.count([c.text for c in chunks])
print(json.dumps({
    "n": len(chunks), "max_chars": max(len(c.text) for c in chunks), "max_tokens": max(counts),
    "offsets_ok": all(doc.text[c.start:c.end] == c.text for c in chunks),
    "covered": sum(c.end - c.start for c in chunks) >= len(doc.text),
    "grew_mb": peak - base, "text_len": len(doc.text), "seconds": seconds,
}))
"""
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "genome.txt")],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "TOKENIZERS_PARALLELISM": "false"},
    )
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    cfg = ChunkConfig()
    assert report["text_len"] == 5 * 1024 * 1024
    assert report["offsets_ok"] and report["covered"]
    assert report["max_chars"] <= cfg.max_chars
    assert report["max_tokens"] <= cfg.hard_limit
    assert report["n"] >= 5 * 1024 * 1024 // cfg.max_chars
    # Peak memory of chunking grows by a bounded amount, not with tokens of the whole text
    # held at once (the 5 MB text itself is already loaded before the measurement).
    assert report["grew_mb"] < 150, report


# -- pure packing behaviour (word counter) ----------------------------------------------------


def sentences(n: int, words: int = 5) -> str:
    return " ".join(f"Sentence {i} has " + " ".join(["word"] * (words - 3)) + "." for i in range(n))


def test_overlap_between_consecutive_chunks():
    doc = Extracted(sentences(60))
    cfg = ChunkConfig(max_tokens=40, overlap_tokens=10, hard_limit=50, max_chars=2000)
    chunks = chunk_extracted(doc, WordCounter(), cfg)
    check_chunks(doc, chunks, cfg)
    assert len(chunks) > 5
    for a, b in zip(chunks, chunks[1:]):
        assert b.start < a.end, "consecutive passages must share text"
        shared = doc.text[b.start : a.end]
        assert 5 <= len(shared.split()) <= 10  # whole sentences, within the overlap budget
        assert shared.rstrip().endswith(".")  # the overlap is made of whole sentences
        assert b.end > a.end  # and each passage brings new text
    assert all(len(c.text.split()) <= 40 for c in chunks)


def test_no_overlap_when_disabled():
    doc = Extracted(sentences(40))
    cfg = ChunkConfig(max_tokens=40, overlap_tokens=0, hard_limit=50)
    chunks = chunk_extracted(doc, WordCounter(), cfg)
    assert all(b.start >= a.end for a, b in zip(chunks, chunks[1:]))


def test_prefers_paragraph_end_once_min_fill_is_reached():
    # Paragraph 1: 26 words, paragraph 2: 30 words; the budget is 40.
    para1 = sentences(5) + " One more line here."  # 25 + 4 words, ends a paragraph at 29
    para2 = sentences(6)
    doc = Extracted(f"{para1}\n\n{para2}")
    cfg = ChunkConfig(max_tokens=40, overlap_tokens=0, hard_limit=50, min_fill=0.6)
    first = chunk_extracted(doc, WordCounter(), cfg)[0]
    assert first.text == para1  # 29 words >= 0.6 * 40: stop at the paragraph end

    # Same text, but a min_fill that the first paragraph does not reach: fill up greedily,
    # ending at a sentence instead.
    cfg = ChunkConfig(max_tokens=40, overlap_tokens=0, hard_limit=50, min_fill=0.9)
    first = chunk_extracted(doc, WordCounter(), cfg)[0]
    assert first.text.startswith(para1) and len(first.text) > len(para1)
    assert first.text.endswith(".") and len(first.text.split()) <= 40


def test_prefers_sentence_end_over_line_end():
    # Lines wrapped mid-sentence (like rst): a chunk should still end with a sentence.
    text = "\n".join(
        f"Line {i} of a wrapped paragraph" + (" ends here." if i % 3 == 2 else " and goes on")
        for i in range(60)
    )
    doc = Extracted(text)
    cfg = ChunkConfig(max_tokens=40, overlap_tokens=0, hard_limit=50, min_fill=0.5)
    chunks = chunk_extracted(doc, WordCounter(), cfg)
    assert all(c.text.endswith(".") for c in chunks[:-1])


def test_chunks_never_cross_segments():
    text = "Page one text. " * 30 + "\n\n" + "Page two text. " * 30
    mid = text.index("\n\n")
    doc = Extracted(text, [Segment(0, mid, 1), Segment(mid + 2, len(text), 2)])
    cfg = ChunkConfig(max_tokens=25, overlap_tokens=6, hard_limit=30)
    chunks = chunk_extracted(doc, WordCounter(), cfg)
    check_chunks(doc, chunks, cfg)
    assert {c.page for c in chunks} == {1, 2}
    assert all("two" not in c.text for c in chunks if c.page == 1)


def test_max_chars_bounds_passages_of_few_tokens():
    # Very long "words" count one token each: max_chars is what keeps passages small.
    doc = Extracted(" ".join(["x" * 90] * 200))
    cfg = ChunkConfig(max_tokens=200, overlap_tokens=32, hard_limit=254, max_chars=500)
    chunks = chunk_extracted(doc, WordCounter(), cfg)
    check_chunks(doc, chunks, cfg)
    assert len(chunks) >= 200 * 91 // 500
    assert_covered(doc, chunks)


def test_empty_and_blank_documents():
    cfg = ChunkConfig()
    assert chunk_extracted(Extracted(""), WordCounter(), cfg) == []
    assert chunk_extracted(Extracted(" \n\n\t \n"), WordCounter(), cfg) == []


class SuperAdditiveCounter:
    """A counter whose count of a joined text exceeds the sum of its parts, and says so."""

    additive = False

    def count(self, texts: Sequence[str]) -> list[int]:
        return [len(t.split()) + len(t.split()) ** 2 // 30 for t in texts]

    def offsets(self, text: str) -> list[tuple[int, int]]:
        spans = [m.span() for m in re.finditer(r"\S+", text)]
        extra = len(spans) ** 2 // 30  # pretend some words take two tokens
        return spans + [spans[-1]] * extra if spans else spans


def test_hard_limit_holds_when_unit_sums_underestimate():
    doc = Extracted(sentences(200))
    cfg = ChunkConfig(max_tokens=40, overlap_tokens=8, hard_limit=44)
    tokens = SuperAdditiveCounter()
    chunks = chunk_extracted(doc, tokens, cfg)
    check_chunks(doc, chunks, cfg)
    assert max(tokens.count([c.text for c in chunks])) <= cfg.hard_limit
    assert "".join(c.text for c in chunks).count("Sentence") >= 200


def test_slow_tokenizer_fallback(tokenizer):
    """A tokenizer without a Rust backend goes through transformers' own call."""

    class Wrapped:  # exposes only the tokenizer's __call__, like a slow tokenizer
        def __call__(self, *args, **kwargs):
            return tokenizer(*args, **kwargs)

    counter = HFTokenCounter(Wrapped())
    assert counter.encode_batch is None and not counter.additive
    doc = Extracted(sentences(80, words=8))
    cfg = ChunkConfig(max_tokens=60, overlap_tokens=10, hard_limit=64)
    chunks = chunk_extracted(doc, counter, cfg)
    check_chunks(doc, chunks, cfg)
    assert max(model_tokens(tokenizer, [c.text for c in chunks])) <= cfg.hard_limit + 2
