"""Background work yields to the interface.

The indexing process runs niced as a whole (``os.nice`` in ``process.main``); it
shares no interpreter lock with the window, so lowering its priority cannot stall the
window the way a niced thread holding the GIL would. The model in either process, torch
or onnxruntime, leaves a core free (``encode.threads``).
"""

from __future__ import annotations

from desktop_search.core.encode.threads import leave_a_core


def leave_a_core_free() -> None:
    """The model may use every core but one, so the interface always has a core to run on.

    onnxruntime sessions made from now on take one core fewer; torch is told now if it
    is loaded, and when it loads later (``encode.threads.limit_torch``). No process loads
    torch just to limit it: indexing, repair and the window's reading side run the export.
    """
    leave_a_core()
