"""How many threads the model may use in this process, onnxruntime and torch alike.

A process that serves the interface (the app's indexing process, its window) leaves one
core free (``service.priority.leave_a_core_free`` says so, once, at start); phase 2's
onnxruntime sessions and any torch encoder made later take the count from here.
"""

from __future__ import annotations

import os
import sys

_leaving_a_core = False


def leave_a_core() -> None:
    """From now on the model uses every core but one; a loaded torch is told at once."""
    global _leaving_a_core
    _leaving_a_core = True
    limit_torch()


def limit_torch() -> None:
    """Tell a loaded torch the thread count, if this process leaves a core free (call it
    after anything that may have imported torch: a torch encoder, the training stack)."""
    torch = sys.modules.get("torch")
    if torch is not None and _leaving_a_core:
        torch.set_num_threads(model_threads())


def model_threads() -> int:
    """Intra-op threads for a model run in this process: every core, or all but one once
    ``leave_a_core`` has been called."""
    cores = os.cpu_count() or 1
    return max(1, cores - 1) if _leaving_a_core else cores
