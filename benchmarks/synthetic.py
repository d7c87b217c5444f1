"""Large indexes for latency benchmarks: real text, synthetic unit vectors.

The text goes through the real ``Store`` (SQLite + FTS5), so bm25 sees real vocabulary and
real word frequencies; the vectors are random unit vectors, since running the encoder over
100k-1M passages would take hours here, and HNSW's cost does not depend on what the
vectors mean. The HNSW index is built by the real ``VectorSet`` from the stored vectors.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

SUFFIXES = (".txt", ".pdf", ".md", ".html")  # a quarter of the synthetic files each
FOLDERS = 10  # files are spread over /synthetic/d0 .. d9
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+|\n\s*\n")


def sentences(shared: Path, log: Callable[[str], None] = print) -> list[str]:
    """Every sentence of the shared real data (docs/rst, html, pdf, stsb), in reading order.

    Sentences of one document stay together, so a window of them is on one topic.
    """
    from desktop_search.core.extract.dispatch import ExtractionError, extract_file

    out: list[str] = []
    docs = shared / "docs"
    for kind in ("rst", "html", "pdf"):
        before = len(out)
        for path in sorted((docs / kind).rglob("*")):
            if not path.is_file():
                continue
            try:
                text = (
                    path.read_text(encoding="utf-8", errors="replace")
                    if kind == "rst"
                    else extract_file(path).text
                )
            except ExtractionError:
                continue
            out += split(text)
        log(f"  {kind}: {len(out) - before} sentences")
    for name in ("sts-train.csv", "sts-dev.csv"):
        path = shared / "stsb" / name
        if path.exists():
            with open(path, encoding="utf-8", errors="replace", newline="") as fh:
                for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                    out += [s for s in row[5:7] if len(s) >= 20]
    log(f"  {len(out)} sentences in all")
    return out


def split(text: str) -> list[str]:
    parts = (" ".join(s.split()) for s in _SENTENCE_END.split(text))
    return [s[:400] for s in parts if len(s) >= 20]


def varied_passages(pool: list[str], per_file: int, seed: int = 0) -> Iterator[list[str]]:
    """Files of ``per_file`` passages, endlessly, all different.

    A file reads on from a random place in the pool: each passage is the next 3-8
    sentences, with one or two sentences from elsewhere mixed in at random places (as
    notes, quotes and boilerplate are), cut at about 900 characters.
    """
    rng = np.random.default_rng(seed)
    n = len(pool)
    while True:
        pos = int(rng.integers(n))
        passages = []
        for _ in range(per_file):
            take = int(rng.integers(3, 9))
            parts = [pool[(pos + j) % n] for j in range(take)]
            pos += take
            for _ in range(int(rng.integers(1, 3))):
                parts.insert(int(rng.integers(len(parts) + 1)), pool[int(rng.integers(n))])
            text = " ".join(parts)
            passages.append(text[: text.rfind(" ", 0, 900)] if len(text) > 900 else text)
        yield passages


def build(
    data_dir: Path,
    model_id: str,
    dim: int,
    files: Iterator[list[str]],
    n: int,
    *,
    log: Callable[[str], None] = print,
) -> None:
    """Index ``n`` passages from ``files`` (lists of passage texts) into ``data_dir``.

    One ``save_file`` transaction per file and one for its vectors, as the indexer's two
    phases commit, then the HNSW index built and saved by ``VectorSet`` from the stored
    vectors (no re-embedding).
    """
    from desktop_search.core.index.reading import text_hash
    from desktop_search.core.store.catalog import NewPassage, Store
    from desktop_search.core.store.vector_index import VectorSet

    rng = np.random.default_rng(0)
    store = Store(data_dir)
    done, f = 0, 0
    while done < n:
        texts = next(files)[: n - done]
        mat = rng.standard_normal((len(texts), dim), dtype=np.float32)
        mat /= np.linalg.norm(mat, axis=1, keepdims=True)
        passages, vecs = [], {}
        for j, text in enumerate(texts):
            h = text_hash(text)
            passages.append(NewPassage(j, text, 0, len(text), None, h))
            vecs[h] = mat[j]
        store.save_file(
            path=f"/synthetic/d{f % FOLDERS}/f{f:06d}{SUFFIXES[f % len(SUFFIXES)]}",
            root_id=None,
            size=sum(len(t) for t in texts),
            mtime_ns=1,
            content_hash=str(f),
            kind="text",
            passages=passages,
        )
        with store.write():
            store.put_vectors(model_id, vecs)
        done += len(texts)
        f += 1
        if f % 5000 == 0:
            log(f"  {done} passages stored")
    log("  building HNSW from the stored vectors")
    vs = VectorSet(data_dir, model_id, dim)
    vs.open(store)
    vs.save()
    store.close()


def cycled(texts: list[str], per_file: int) -> Iterator[list[str]]:
    """Files of numbered copies of ``texts``, in order (bench_query's 100k index)."""
    i = 0
    while True:
        yield [f"{texts[(i + j) % len(texts)]} [{i + j}]" for j in range(per_file)]
        i += per_file
