"""What a sync tells as it runs (``Progress``, per file ``FileCallback``) and when it ends
(``SyncReport``).

Both phases report through these (phase 1 by file, phase 2 by passage), and so do adapting
and model switching; they travel to the window through the indexing process's pipe, so
they are plain picklable dataclasses with no reference back into the core.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

FileCallback = Callable[[str, str, "str | None"], None]


@dataclass
class Progress:
    """phase: "scanning", "indexing" (phase 1, by file), "embedding" (phase 2, by passage),
    "saving", "done"."""

    phase: str
    files_done: int = 0
    files_total: int = 0
    passages_embedded: int = 0
    passages_per_s: float = 0.0
    eta_s: float | None = None
    current: str = ""
    passages_total: int = 0


@dataclass
class SyncReport:
    files_added: int = 0
    files_updated: int = 0
    files_removed: int = 0
    files_unchanged: int = 0
    files_failed: int = 0
    files_for_ocr: int = 0  # scans and images left to the OCR stage
    passages_embedded: int = 0
    passages_pending: int = 0  # without a vector when the run ended
    errors: list[dict] = field(default_factory=list)
    cancelled: bool = False

    def as_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "cancelled"}

    def files_done(self) -> int:
        """Files whose new state this run has committed (what a disk-full message counts)."""
        return self.files_added + self.files_updated + self.files_failed

    def merge(self, other: SyncReport) -> None:
        for key in (
            "files_added",
            "files_updated",
            "files_removed",
            "files_unchanged",
            "files_failed",
            "files_for_ocr",
            "passages_embedded",
        ):
            setattr(self, key, getattr(self, key) + getattr(other, key))
        self.errors += other.errors
        self.cancelled = self.cancelled or other.cancelled
