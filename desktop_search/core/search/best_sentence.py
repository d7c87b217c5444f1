"""The sentence of a result closest to the query, highlighted so the snippet centres on it.

A passage is up to 128 tokens, several sentences; the one that answers a paraphrased
question need not hold any of its words. One batched forward pass over short sentences is
worth it for the results a person looks at: the CLI marks its printed results (not
``--json``), the app marks copies after showing them, and only the first ten files.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from .highlight import sentence_spans

if TYPE_CHECKING:
    from desktop_search.core.encode.encoder import Encoder


class _Hit(Protocol):
    text: str
    highlights: list[tuple[int, int]]


class _Result(Protocol):
    passages: Sequence[_Hit]


def mark_best_sentences(
    encoder: Encoder,
    query: str,
    results: Sequence[_Result],
    qvec: np.ndarray | None = None,
    max_files: int = 10,
) -> None:
    """Highlight, in each file's best passage, the sentence closest to the query, among
    those holding a highlighted query word if any do (the snippet must keep the word a
    person typed in view)."""
    targets = [r.passages[0] for r in results[:max_files] if r.passages]
    spans = [sentence_spans(p.text) for p in targets]
    flat = [p.text[s:e][:400] for p, sp in zip(targets, spans) for s, e in sp]
    if not flat:
        return
    if qvec is None:
        qvec = encoder.encode([query])
    sims = encoder.encode(flat) @ qvec[0]
    pos = 0
    for hit, sp in zip(targets, spans):
        here = sims[pos : pos + len(sp)]
        pos += len(sp)
        worded = [n for n, s in enumerate(sp) if any(_inside(h, s) for h in hit.highlights)]
        best = max(worded or range(len(sp)), key=lambda n: here[n])
        if len(sp) > 1 or not hit.highlights:
            hit.highlights = [sp[best], *[h for h in hit.highlights if not _inside(h, sp[best])]]


def _inside(inner: tuple[int, int], outer: tuple[int, int]) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1]
