"""Length-sorted batches, shared by the torch encoder and the ONNX runner.

Both tokenize once and batch by exact token length, longest first: batches pad almost
nothing, and the first batch shows the worst-case memory at once.
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
) -> np.ndarray:
    """``forward`` over the token ids in length-sorted batches; rows in input order."""
    out = np.empty((len(ids), dim), dtype=np.float32)
    order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
    for start in range(0, len(ids), batch_size):
        idx = order[start : start + batch_size]
        out[idx] = forward([ids[i] for i in idx])
        if progress:
            progress(len(idx))
    return out
