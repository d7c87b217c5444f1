"""What passes between the window and the indexing process: plain picklable messages.

To the child: ``Job`` (queued, run in order), and the controls ``("pause",)``,
``("resume",)``, ``("cancel", lane)``, ``("prioritize", [paths])`` (files the person
opened: embed them next) and ``("quit",)``, which act at once, also in the middle of a
job. From the child: ``Event``; a job that ends with a ``finished`` event carries a
``JobResult``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

INDEX_KINDS = ("sync", "add", "forget", "drop", "changes", "adapt", "adapt_plan", "stats")
LANES = {"duplicates": "scan", "preview": "preview"}  # every other kind: "index"
#: Jobs whose end the window learns from a ``finished`` event carrying a JobResult.
ENDED_BY_RESULT = ("sync", "add", "changes", "forget", "adapt")


@dataclass(frozen=True)
class Job:
    id: int
    kind: str  # one of INDEX_KINDS or LANES
    args: object = None

    @property
    def lane(self) -> str:
        return LANES.get(self.kind, "index")


@dataclass(frozen=True)
class Event:
    """what: ready, started, progress, file, error, finished, done, paused, stats, speed,
    diskfull (the payload: files done, None in phase 2; the process has paused itself).

    ``done`` ends every job, whatever happened, so the app knows which jobs to send again
    if the process dies. ``job`` is 0 for events that belong to no job.
    """

    what: str
    job: int = 0
    kind: str = ""
    payload: object = None


@dataclass
class JobResult:
    kind: str  # "sync", "changes", "forget", "adapt", "ocr", "embed"
    report: object | None = None  # SyncReport (OcrReport for "ocr", EmbedReport for "embed")
    cancelled: bool = False
    roots: list[str] = field(default_factory=list)
    seconds: float = 0.0
    model: str = ""  # "adapt": the folder of the model now active (empty: none)


class ObservedEvent(threading.Event):
    """A threading.Event that calls ``on_seen`` the first time a poller finds it set.

    The indexer polls ``pause.is_set()`` between batches; this tells the window when the
    pause has actually taken hold ("Pausing…" becomes "Paused").
    """

    def __init__(self, on_seen) -> None:
        super().__init__()
        self._on_seen = on_seen
        self._reported = False

    def set(self) -> None:
        self._reported = False
        super().set()

    def clear(self) -> None:
        super().clear()
        self._reported = False

    def is_set(self) -> bool:
        value = super().is_set()
        if value and not self._reported:
            self._reported = True
            self._on_seen()
        return value
