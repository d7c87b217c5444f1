"""Background work yields to the interface.

The indexing process runs niced as a whole (``os.nice`` in ``process.main``); it
shares no interpreter lock with the window, so lowering its priority cannot stall the
window the way a niced thread holding the GIL would. torch in either process leaves a
core free.
"""

from __future__ import annotations

import os
import sys


def leave_a_core_free(*, load_torch: bool = True) -> None:
    """torch may use every core but one, so the interface always has a core to run on.

    With ``load_torch=False`` only a torch that is already loaded is told: the window's
    reading side runs the ONNX export and must not load torch just to limit it.
    """
    if load_torch:
        import torch
    else:
        torch = sys.modules.get("torch")
        if torch is None:
            return
    torch.set_num_threads(max(1, (os.cpu_count() or 2) - 1))
