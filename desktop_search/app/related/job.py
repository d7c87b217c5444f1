"""Related files and the topic map, read off the GUI thread on the app's one reading Engine.

One job in a thread of its own: ``related`` ranks over vectors already in memory (no
forward pass) and ``topics`` reads the map the indexing process cached, so neither waits
for a search. Each related request carries an id; the window keeps the newest in
``latest``, and a request it has moved past is skipped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TopicsOutcome:
    topics: list  # core TopicInfo, top level first
    points: list  # core MapPoint, one per file


class RelatedJob(QObject):
    related = Signal(int, object)  # request id, core Related
    failed = Signal(int, str)  # request id, message
    topicsLoaded = Signal(object)  # TopicsOutcome

    def __init__(self) -> None:
        super().__init__()
        self.engine = None
        self.latest = 0  # written by the GUI thread

    @Slot(object)
    def set_engine(self, engine) -> None:
        self.engine = engine

    @Slot(int, str, int)
    def load_related(self, req_id: int, path: str, k: int) -> None:
        if req_id != self.latest or self.engine is None:
            return
        try:
            found = self.engine.related(path, k)
        except Exception as exc:  # not indexed, not embedded yet: the pane says so
            self.failed.emit(req_id, str(exc) or type(exc).__name__)
            return
        self.related.emit(req_id, found)

    @Slot()
    def load_topics(self) -> None:
        if self.engine is None:
            return
        try:
            self.topicsLoaded.emit(TopicsOutcome(self.engine.topics(), self.engine.topic_map()))
        except Exception:
            log.exception("reading the topic map failed")
