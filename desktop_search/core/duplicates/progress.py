"""Progress of a scan as words: the phase, a count, and the time left (for CLI and panel)."""

from __future__ import annotations

import time
from collections.abc import Callable

PHASES = {
    "loading vectors": "Loading vectors",
    "comparing": "Comparing passages",
    "judging pairs": "Judging pairs",
    "comparing files": "Comparing files",
    "grouping": "Grouping",
}


def eta_words(seconds: float) -> str:
    if seconds < 1:
        return "under a second left"
    if seconds < 90:
        return f"about {round(seconds)} s left"
    return f"about {round(seconds / 60)} min left"


class ProgressText:
    """Turns the scan's ``(done, total, phase)`` reports into one line of text.

    The time left is the phase's own rate so far (each phase runs at its own speed), shown
    once a phase has run half a second, so the first noisy batches do not promise too much.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.phase: str | None = None
        self.started = 0.0

    def __call__(self, done: int, total: int, phase: str) -> str:
        now = self.clock()
        if phase != self.phase:
            self.phase, self.started = phase, now
        name = PHASES.get(phase, phase.capitalize())
        if total <= 0 or phase in ("loading vectors", "grouping"):
            return f"{name}…"
        text = f"{name}: {done:,} of {total:,}"
        elapsed = now - self.started
        if 0 < done < total and elapsed >= 0.5:
            text += f" · {eta_words(elapsed / done * (total - done))}"
        return text
