"""A 20 ms QTimer in the GUI thread, and how late each beat came.

``gaps`` are the wall-clock times between beats. ``blocked`` subtracts the time the machine,
not this program, kept the GUI thread from running (Linux): the time it spent runnable but
waiting for a CPU (``/proc/thread-self/schedstat``), and the time the hypervisor took the
virtual CPU it runs on away from this machine ("steal" in ``/proc/stat``, which the thread's
own accounting counts as running). What is left is time the thread was held up by this
program (the interpreter lock, work on the GUI thread). Elsewhere ``blocked`` equals ``gaps``.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QElapsedTimer, QTimer

TICK_MS = 1000 / os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 10.0


def runqueue_wait_ms() -> float:
    """Milliseconds the calling thread has waited for a CPU since it started."""
    try:
        with open("/proc/thread-self/schedstat") as fh:
            return int(fh.read().split()[1]) / 1e6
    except (OSError, IndexError, ValueError):
        return 0.0


def stolen_ms() -> dict[int, float]:
    """Milliseconds the hypervisor has taken from each virtual CPU since boot."""
    try:
        with open("/proc/stat") as fh:
            return {
                int(f[0][3:]): int(f[8]) * TICK_MS
                for f in (line.split() for line in fh)
                if f and f[0].startswith("cpu") and f[0] != "cpu"
            }
    except (OSError, IndexError, ValueError):
        return {}


def current_cpu() -> int | None:
    """The CPU the calling thread last ran on."""
    try:
        with open("/proc/thread-self/stat") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[36])
    except (OSError, IndexError, ValueError):
        return None


class Heartbeat:
    def __init__(self, interval_ms: int = 20) -> None:
        self.gaps: list[float] = []
        self.blocked: list[float] = []
        self._clock = QElapsedTimer()
        self._timer = QTimer()
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._beat)

    def start(self) -> None:
        self.gaps.clear()
        self.blocked.clear()
        self._clock.start()
        self._last = (0.0, runqueue_wait_ms(), stolen_ms())
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _beat(self) -> None:
        now, waited, stolen = float(self._clock.elapsed()), runqueue_wait_ms(), stolen_ms()
        cpu = current_cpu()
        last_now, last_waited, last_stolen = self._last
        gap = now - last_now
        taken = stolen.get(cpu, 0.0) - last_stolen.get(cpu, 0.0) if cpu is not None else 0.0
        self.gaps.append(gap)
        self.blocked.append(max(0.0, gap - (waited - last_waited) - max(0.0, taken)))
        self._last = (now, waited, stolen)
