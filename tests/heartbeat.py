"""A 20 ms QTimer in the GUI thread, and how late each beat came.

``gaps`` are the wall-clock times between beats. ``blocked`` subtracts the time the GUI
thread spent runnable but waiting for a CPU (Linux ``/proc/thread-self/schedstat``): what
is left is time the thread was held up by this program (the interpreter lock, work on the
GUI thread), not by other programs on a busy machine. Elsewhere ``blocked`` equals ``gaps``.
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QTimer


def runqueue_wait_ms() -> float:
    """Milliseconds the calling thread has waited for a CPU since it started."""
    try:
        with open("/proc/thread-self/schedstat") as fh:
            return int(fh.read().split()[1]) / 1e6
    except (OSError, IndexError, ValueError):
        return 0.0


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
        self._last = (0.0, runqueue_wait_ms())
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _beat(self) -> None:
        now, waited = float(self._clock.elapsed()), runqueue_wait_ms()
        gap = now - self._last[0]
        self.gaps.append(gap)
        self.blocked.append(max(0.0, gap - (waited - self._last[1])))
        self._last = (now, waited)
