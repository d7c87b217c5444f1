"""The wizard's estimate, off the GUI thread: how many files, and how long indexing takes.

Walking folders and timing the encoder both read through the app's one Engine; the scan
comes first (``progress``), the measured speed after (``result``).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal, Slot

from desktop_search.core.engine import Estimate

log = logging.getLogger(__name__)


class EstimateJob(QObject):
    progress = Signal(int, object)  # request id, Estimate (speed None until measured)
    result = Signal(int, float)  # request id, passages per second
    error = Signal(int, str)

    def __init__(self) -> None:
        super().__init__()
        self.engine = None
        self.latest = 0  # written by the GUI thread
        self._speed: float | None = None

    @Slot(object)
    def set_engine(self, engine) -> None:
        self.engine = engine

    @Slot(int, object, object, object, object)
    def estimate(self, req_id: int, folders, include, exclude, known_speed) -> None:
        if req_id != self.latest:
            return
        try:
            if self.engine is not None:
                est = self.engine.estimate(list(folders), include, exclude)
            else:
                est = Estimate(list(folders))
        except Exception as exc:
            log.exception("estimate failed")
            self.error.emit(req_id, str(exc))
            est = Estimate(list(folders), errors=[("", str(exc))])
        est.speed = self._speed or known_speed
        self.progress.emit(req_id, est)
        if est.speed is None and self.engine is not None and req_id == self.latest:
            try:
                self._speed = self.engine.measure_speed()
            except Exception as exc:
                log.exception("measuring encoder speed failed")
                self.error.emit(req_id, str(exc))
                return
            self.result.emit(req_id, self._speed)
