"""Reranking: a closer look at the best candidates before files are ranked.

A passage's single vector averages up to 128 tokens, several sentences, so a question answered by one sentence
of it is diluted by the rest. The reranker embeds the sentences of the top candidates and
scores each passage by the mean of its own cosine and its best sentence's cosine
(sentence-level max-sim with the same MiniLM, tempered by the passage as a whole: the best
sentence alone over-rewards one lucky line). It costs a forward pass over the candidates'
sentences per query, and it did not beat plain search on our benchmarks, so it is an
option (``--rerank``), not the default; its measured effect and cost are in
benchmarks/results/questions.txt.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .highlight import sentence_spans

if TYPE_CHECKING:
    from desktop_search.core.encode.encoder import Encoder

TOP = 30
"""Candidates the reranker looks at."""
MIN_CHARS = 40
"""Shorter sentences are joined to the next one: a fragment alone matches too easily."""


def sentences(text: str) -> list[str]:
    out: list[str] = []
    carry = ""
    for s, e in sentence_spans(text):
        piece = (carry + " " + text[s:e]).strip() if carry else text[s:e]
        if len(piece) < MIN_CHARS:
            carry = piece
            continue
        out.append(piece[:500])
        carry = ""
    if carry:
        if out:
            out[-1] = (out[-1] + " " + carry)[:500]
        else:
            out.append(carry)
    return out


def max_sim(
    encoder: Encoder, qvec: np.ndarray, texts: Sequence[str], cosines: Sequence[float]
) -> list[float]:
    """Each text's score: the mean of its own cosine and its best sentence's."""
    split = [sentences(t) for t in texts]
    flat = [s for ss in split for s in ss]
    if not flat:
        return list(cosines)
    sims = encoder.encode(flat) @ np.asarray(qvec, dtype=np.float32)
    out, pos = [], 0
    for ss, cos in zip(split, cosines):
        best = float(sims[pos : pos + len(ss)].max()) if ss else cos
        pos += len(ss)
        out.append((cos + best) / 2)
    return out
