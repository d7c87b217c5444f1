"""Length-sorted batches, shared by the torch encoder and the ONNX runner.

Both tokenize once and batch by exact token length, longest first: batches pad almost
nothing, and the first batch shows the worst-case memory at once. A token budget caps
rows times width, so a batch of short texts may hold more rows than one of long texts.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def by_length(
    ids: list[list[int]],
    dim: int,
    batch_size: int,
    forward: Callable[[list[list[int]]], np.ndarray],
    progress: Callable[[int], None] | None = None,
    token_budget: int | None = None,
) -> np.ndarray:
    """``forward`` over the token ids in length-sorted batches of at most ``batch_size``
    rows (and ``token_budget`` padded tokens, if given); rows in input order."""
    out = np.empty((len(ids), dim), dtype=np.float32)
    order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
    start = 0
    while start < len(order):
        rows = batch_size
        if token_budget:
            rows = max(1, min(rows, token_budget // max(1, len(ids[order[start]]))))
        idx = order[start : start + rows]
        out[idx] = forward([ids[i] for i in idx])
        if progress:
            progress(len(idx))
        start += len(idx)
    return out
