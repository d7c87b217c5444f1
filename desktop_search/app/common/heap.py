"""Keep Python's full garbage collections short, so that they never stall the window.

A full (generation 2) collection walks every object the collector tracks while holding
the interpreter lock, on whichever thread happens to allocate. Start-up leaves hundreds of
thousands of objects that live as long as the window (Qt, torch or onnxruntime, the
model): 250 ms at 700k objects, a stalled GUI thread. Moving them into the permanent
generation (``gc.freeze``) leaves later collections only the objects made since. Frozen
objects are never freed by the collector, which costs little: they are kept until the
app quits anyway.
"""

from __future__ import annotations

import gc


def settle_heap() -> None:
    """Before the window shows: collect once (nothing to stall yet), then freeze."""
    gc.collect()
    gc.freeze()


def freeze_loaded() -> None:
    """Once the search thread has opened the reading Engine or switched its model: it has
    loaded the model and imported what searching needs (with torch, another ~175k objects:
    sympy, dynamo), so freeze those too. No collection first: the window is up, and a full
    collection is the stall we avoid."""
    gc.freeze()
