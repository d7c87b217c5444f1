"""Background work yields to the interface: lower the calling thread's CPU priority.

Used by the app's reading threads and by the indexing process, so that a person's clicks
and keystrokes are served first.
"""

from __future__ import annotations

import os
import threading

#: How much "nicer" background threads run. Not more: a thread that holds the GIL and is
#: then starved of CPU would keep the GUI thread waiting (priority inversion).
BACKGROUND_NICE = 5


def lower_thread_priority(nice: int = BACKGROUND_NICE) -> None:
    """Linux: per-thread nice; elsewhere a no-op."""
    if not (hasattr(os, "setpriority") and hasattr(threading, "get_native_id")):
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + nice))
    except OSError:
        pass


def leave_a_core_free() -> None:
    """torch may use every core but one, so the interface always has a core to run on."""
    import torch

    torch.set_num_threads(max(1, (os.cpu_count() or 2) - 1))
