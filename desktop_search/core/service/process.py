"""The indexing process: one writing Engine, driven through a pipe.

The app runs ``main`` in a child process (multiprocessing, spawn), as Recoll runs
``recollindex``: extraction, chunking, the indexer's bookkeeping, re-embedding and
duplicate scans then never share an interpreter lock with the window. The window keeps
a read-only Engine of its own for searching. The jobs and messages are ``service``'s;
this module is the process around them: the pipe, the lanes and their threads.

Each of the three lanes runs on its own thread, so that a long sync never holds up a
duplicate scan or a preview. In those two only the newest queued request runs: the older
ones are stale. The index lane runs the OCR stage, then phase 2, whenever it has nothing queued.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from multiprocessing.connection import Connection

from desktop_search.core.engine.api import Engine
from desktop_search.core.errors import DesktopSearchError, IndexBusyError

from .jobs import Service
from .messages import Event, Job
from .priority import leave_a_core_free

log = logging.getLogger(__name__)

#: Phase 2 batch size in passages: smaller than the core's default so that progress,
#: pause, cancel and a waiting job get their turn within a second or two.
EMBED_BATCH = 8
#: The whole process runs this much nicer than the window's (as the indexing threads did
#: before they moved here: more would slow indexing a lot on a busy machine).
PROCESS_NICE = 5


def _reader(conn: Connection, service: Service, lanes: dict[str, queue.Queue]) -> None:
    """Controls act at once; jobs wait in their lane. A closed pipe means quit."""
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            message = ("quit",)
        if isinstance(message, Job):
            lanes[message.lane].put(message)
            continue
        service.control(message)
        if message[0] == "quit":
            for lane in lanes.values():
                lane.put(None)
            return


def _newest_only(service: Service, jobs: queue.Queue) -> None:
    """A lane where a newer request makes the queued older ones stale."""
    while True:
        job = jobs.get()
        while job is not None and not jobs.empty():
            stale, job = job, jobs.get()
            service.skip(stale)
        if job is None or service.stopping:
            return
        service.run(job)


def main(conn: Connection, data_dir: str, model_path: str | None = None) -> None:
    """The child process: open the writing Engine, then serve jobs until told to quit."""
    lock = threading.Lock()

    def send(event: Event) -> None:
        with lock:
            try:
                conn.send(event)
            except (OSError, ValueError):  # the window has gone; nothing left to tell
                pass

    try:
        os.nice(PROCESS_NICE)
    except OSError:
        pass
    leave_a_core_free()
    try:
        try:
            engine = Engine(data_dir, model_path=model_path, embed_batch=EMBED_BATCH)
            why = ""
        except IndexBusyError as exc:
            engine = Engine(data_dir, model_path=model_path, writer=False)
            why = str(exc)
    except Exception as exc:
        log.exception("the indexing process cannot open the index")
        send(Event("failed", payload=str(exc) or type(exc).__name__))
        conn.close()
        return
    service = Service(engine, send)
    send(Event("ready", payload={"writable": engine.writable, "why": why}))
    try:
        service.send_stats()
    except DesktopSearchError as exc:  # a damaged index, found on its first full read
        send(Event("failed", payload=str(exc)))
        engine.close()
        conn.close()
        return
    lanes = {"index": queue.Queue(), "scan": queue.Queue(), "preview": queue.Queue()}
    threading.Thread(target=_reader, args=(conn, service, lanes), daemon=True).start()
    others = [
        threading.Thread(target=_newest_only, args=(service, lanes[lane]), daemon=True)
        for lane in ("scan", "preview")
    ]
    for thread in others:
        thread.start()
    index_lane = lanes["index"]
    try:
        while True:
            if index_lane.empty():
                service.ocr(lambda: not index_lane.empty())
            if index_lane.empty():
                service.embed(lambda: not index_lane.empty())
            job = index_lane.get()
            if job is None or service.stopping:
                break
            service.run(job)
    finally:
        for thread in others:
            thread.join(timeout=30)
        engine.close()
        send(Event("closed"))
        conn.close()
