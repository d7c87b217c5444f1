"""The window's side of the indexing process (``core.service_process``): start it, talk
to it, and bring it back if it dies.

Jobs go out through ``submit``; everything the process reports comes back as an
``Event`` through the ``event`` signal, in the GUI thread. A plain Python thread waits on
the pipe (blocked in the kernel, it holds no interpreter lock). Jobs the process had not
finished when it died are sent again to the new one: indexing is committed file by file,
so a repeated sync carries on where the last one stopped.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from desktop_search.core.service import process as service_process
from desktop_search.core.service.messages import Event, Job

log = logging.getLogger(__name__)

#: More deaths than this within RESTART_WINDOW_S and the process is not started again.
MAX_RESTARTS = 3
RESTART_WINDOW_S = 60.0


class IndexProcess(QObject):
    event = Signal(object)  # core.service.Event
    died = Signal(str)  # why, in words; a new process is on its way
    gaveUp = Signal(str)  # it kept dying: indexing is off until the app restarts
    closed = Signal()  # after quit(): the process has ended

    _received = Signal(object)  # from the pipe's reader thread
    _lost = Signal()

    def __init__(self, data_dir: Path, model_path=None, parent=None) -> None:
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self.model_path = str(model_path) if model_path else None
        self.process = None
        self._conn = None
        self._next_id = 0
        self.outstanding: dict[int, Job] = {}  # sent and not yet done, in order
        self.paused = False
        self.stopping = False
        self.stopped = False
        self._deaths: list[float] = []
        self._received.connect(self._on_received)
        self._lost.connect(self._on_lost)

    # -- life -------------------------------------------------------------------------

    def start(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        ours, theirs = ctx.Pipe()
        self.process = ctx.Process(
            target=service_process.main,
            args=(theirs, str(self.data_dir), self.model_path),
            name="desktop-search-indexer",
            daemon=True,
        )
        self.process.start()
        theirs.close()
        self._conn = ours
        threading.Thread(
            target=self._read, args=(ours,), name="desktop-search-pipe", daemon=True
        ).start()
        for job in self.outstanding.values():  # after a restart: what the last one left
            self._send(job)
        if self.paused:
            self._send(("pause",))

    def restart(self) -> None:
        """Start again after ``quit`` (the index was repaired meanwhile)."""
        self.stopping = self.stopped = False
        self._deaths.clear()
        self.start()

    def _read(self, conn) -> None:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                self._lost.emit()
                return
            self._received.emit(message)

    def quit(self) -> None:
        """Ask the process to stop after its current batch; ``closed`` follows."""
        self.stopping = True
        if self.stopped:  # it ended already (it could not open the index): say so again
            self.closed.emit()
            return
        if self.process is None or not self.process.is_alive():
            self._finish()
            return
        self._send(("quit",))

    def kill(self) -> None:
        """End the process at once (tests use this to prove the window survives it)."""
        if self.process is not None and self.process.is_alive():
            self.process.kill()

    def _finish(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        if self.process is not None:
            self.process.join(timeout=10)
            if self.process.is_alive():
                self.process.kill()
        if self._conn is not None:
            self._conn.close()
        self.closed.emit()

    # -- requests -----------------------------------------------------------------------

    def submit(self, kind: str, args=None) -> int:
        self._next_id += 1
        job = Job(self._next_id, kind, args)
        self.outstanding[job.id] = job
        self._send(job)
        return job.id

    def pause(self) -> None:
        self.paused = True
        self._send(("pause",))

    def resume(self) -> None:
        self.paused = False
        self._send(("resume",))

    def cancel(self, lane: str = "index") -> None:
        self._send(("cancel", lane))

    def prioritize(self, paths: list[str]) -> None:
        """Embed these files next (the person opened them)."""
        self._send(("prioritize", list(paths)))

    def _send(self, message) -> None:
        if self._conn is None or self.stopped:
            return
        try:
            self._conn.send(message)
        except (OSError, ValueError):
            pass  # the process is gone; _on_lost sends the job again to the next one

    # -- from the reader thread, in the GUI thread -------------------------------------------

    def _on_received(self, event: Event) -> None:
        if event.what == "done":
            self.outstanding.pop(event.job, None)
        elif event.what == "closed":
            self._finish()
            return
        elif event.what == "failed":
            self.stopping = True  # it cannot open the index: starting it again would not help
        self.event.emit(event)

    def _on_lost(self) -> None:
        if self.stopping:
            self._finish()
            return
        self.process.join(timeout=5)
        code = self.process.exitcode
        now = time.monotonic()
        self._deaths = [t for t in self._deaths if now - t < RESTART_WINDOW_S] + [now]
        why = f"the indexing process stopped unexpectedly (exit code {code})"
        log.error(why)
        if len(self._deaths) > MAX_RESTARTS:
            self.stopped = True
            self.gaveUp.emit(f"{why}, again; indexing is off until Desktop Search is restarted")
            return
        self.died.emit(why)
        self.start()
