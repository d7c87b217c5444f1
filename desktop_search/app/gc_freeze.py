"""Keep Python's full garbage collections short, so that they never stall the window.

A full (generation 2) collection walks every object the collector tracks while holding
the interpreter lock, whichever thread triggered it. Once torch or onnxruntime, Qt and
the model are loaded, that is hundreds of thousands of objects that live as long as the
app: in our GUI test a full collection then took 100-250 ms, enough to freeze the window
mid-search. Moving what is alive once the reading Engine is open into the permanent
generation (``gc.freeze``) leaves later collections only the objects made since, the way
long-running Python servers do it. Objects frozen here are never freed by the collector,
which costs little: they are the app's imports and model, kept until it quits anyway.
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> int:
    """Move every object tracked now out of the collector's sight; returns how many are
    frozen in all."""
    gc.freeze()
    return gc.get_freeze_count()
