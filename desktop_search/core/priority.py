"""Background work yields to the interface.

The indexing process runs niced as a whole (``os.nice`` in ``service.main``); it shares no
interpreter lock with the window, so lowering its priority cannot stall the window the
way a niced thread holding the GIL would. torch in either process leaves a core free.
"""

from __future__ import annotations

import os


def leave_a_core_free() -> None:
    """torch may use every core but one, so the interface always has a core to run on."""
    import torch

    torch.set_num_threads(max(1, (os.cpu_count() or 2) - 1))
