"""The real indexing process, started as the app starts it, embeds with the model's ONNX
export and never imports torch: not for phase 2, not while it watches folders afterwards.
(A first run's export, made in a child process, is tested in test_passage_encoder.)"""

from __future__ import annotations

import multiprocessing
import queue
import shutil
import threading

import pytest

from desktop_search.core.encode.query_encoder import ensure_export
from desktop_search.core.index.watcher import WatchBatch
from desktop_search.core.service import process as service_process
from desktop_search.core.service.jobs import Event, Job

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]  # two real processes


class Child:
    """``service_process.main`` in a daemonic spawned process, as ``app.index_process``
    runs it, with its events collected by a reader thread."""

    def __init__(self, data_dir) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, theirs = ctx.Pipe()
        self.process = ctx.Process(
            target=service_process.main, args=(theirs, str(data_dir), None), daemon=True
        )
        self.process.start()
        theirs.close()
        self.events: queue.Queue[Event] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                self.events.put(self.conn.recv())
            except (EOFError, OSError):
                return

    def wait_for(self, what: str, kind: str = "", timeout: float = 900) -> Event:
        while True:
            event = self.events.get(timeout=timeout)
            if event.what == what and (not kind or event.kind == kind):
                return event

    def stats_now(self, job_id: int) -> dict:
        self.conn.send(Job(job_id, "stats"))
        return self.wait_for("stats").payload

    def close(self) -> None:
        self.conn.send(("quit",))
        self.process.join(timeout=60)
        if self.process.is_alive():
            self.process.kill()


def test_phase_two_and_watching_run_without_torch_in_the_indexing_process(
    tmp_path, fixture_data, encoder
):
    assert ensure_export(encoder, tmp_path / "data") is not None  # as a first run leaves it
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("about.rst.txt", "glossary.rst.txt"):
        shutil.copy(fixture_data / "docs" / "rst" / name, docs / name)
    child = Child(tmp_path / "data")
    try:
        child.wait_for("ready")
        child.conn.send(Job(1, "add", {"folders": [str(docs)], "include": [], "exclude": []}))
        child.wait_for("finished", "sync")
        embedded = child.wait_for("finished", "embed").payload
        assert embedded.report.complete and embedded.report.passages_embedded > 0
        stats = child.stats_now(2)
        assert stats["passages_pending"] == 0
        assert stats["model_backend"] == "onnx on cpu"
        assert stats["torch_loaded"] is False
        # watching: a new file comes, phase 1 and phase 2 run again, still without torch
        new = docs / "tutorial.rst.txt"
        shutil.copy(fixture_data / "docs" / "rst" / "tutorial" / "appetite.rst.txt", new)
        child.conn.send(Job(3, "changes", WatchBatch(changed=[str(new)])))
        child.wait_for("finished", "changes")
        assert child.wait_for("finished", "embed").payload.report.passages_embedded > 0
        stats = child.stats_now(4)
        assert stats["files"] == 3 and stats["passages_pending"] == 0
        assert stats["torch_loaded"] is False
    finally:
        child.close()
