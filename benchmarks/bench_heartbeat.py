"""How long can the GUI thread stall while files are indexed? A 20 ms heartbeat QTimer.

Two ways of indexing the same HTML pages and PDF pages, in the same run:
  thread   the Engine's sync on a Python thread inside the GUI process (the app until
           indexing moved out: extraction and chunking share the interpreter lock)
  process  the app's indexing process (``IndexProcess`` + ``SyncJob``), as the app does now

Optionally with a process spinning ``while True: pass`` beside it (``--busy``).
Prints the heartbeat gaps (max, p99), the same minus the GUI thread's wait for a CPU
(``held``), and the worst held-up time relative to the thread run.

    python benchmarks/bench_heartbeat.py --data ../shared/data --html 40 --pdf-pages 12 --busy
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.heartbeat import Heartbeat  # noqa: E402


def corpus(data: Path, dst: Path, html: int, pdf_pages: int) -> Path:
    from pypdf import PdfReader, PdfWriter

    dst.mkdir(parents=True)
    for page in sorted((data / "docs" / "html").glob("node*.html"))[:html]:
        shutil.copy(page, dst / page.name)
    for name in ("R-FAQ.pdf", "R-intro.pdf"):
        writer = PdfWriter()
        for page in PdfReader(data / "docs" / "pdf" / name).pages[:pdf_pages]:
            writer.add_page(page)
        with open(dst / name, "wb") as fh:
            writer.write(fh)
    return dst


def heartbeat(app, start, done) -> Heartbeat:
    """A 20 ms QTimer in this (the GUI) thread from ``start()`` until ``done()``."""
    beat = Heartbeat()
    start()
    beat.start()
    while not done():
        app.processEvents()
        time.sleep(0.001)
    beat.stop()
    return beat


def run_thread(app, root: Path, data_dir: Path, encoder) -> tuple[Heartbeat, float]:
    from desktop_search.core.engine import Engine

    engine = Engine(data_dir, encoder=encoder, embed_batch=8)
    finished = threading.Event()

    def work() -> None:
        engine.index([str(root)])
        finished.set()

    t0 = time.perf_counter()
    gaps = heartbeat(app, lambda: threading.Thread(target=work).start(), finished.is_set)
    seconds = time.perf_counter() - t0
    engine.close()
    return gaps, seconds


def run_process(app, root: Path, data_dir: Path) -> tuple[Heartbeat, float]:
    from desktop_search.app.indexing.process import IndexProcess
    from desktop_search.app.indexing.sync_job import SyncJob

    process = IndexProcess(data_dir)
    results: list = []
    job = SyncJob(process)
    job.result.connect(results.append)
    ready: list = []
    process.event.connect(lambda e: e.what == "stats" and ready.append(e))
    process.start()
    while not ready:  # its start-up (imports, opening the index) is not indexing time
        app.processEvents()
        time.sleep(0.01)
    t0 = time.perf_counter()
    gaps = heartbeat(app, lambda: job.add([str(root)]), lambda: bool(results))
    seconds = time.perf_counter() - t0
    process.quit()
    while not process.stopped:
        app.processEvents()
        time.sleep(0.01)
    return gaps, seconds


def main() -> None:
    shared = os.environ.get(
        "DESKTOP_SEARCH_SHARED", str(Path(__file__).resolve().parents[2] / "shared")
    )
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path(shared) / "data")
    ap.add_argument("--html", type=int, default=40, help="gnuplot HTML pages")
    ap.add_argument("--pdf-pages", type=int, default=12, help="pages of each of two R manuals")
    ap.add_argument("--busy", action="store_true", help="a busy-looping process beside it")
    args = ap.parse_args()

    from PySide6.QtWidgets import QApplication

    from desktop_search.core.encode.encoder import Encoder

    app = QApplication.instance() or QApplication(sys.argv[:1])
    encoder = Encoder()
    encoder.encode(["warm up"])
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if args.busy else None
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = corpus(args.data, Path(tmp) / "docs", args.html, args.pdf_pages)
            files = len(list(root.iterdir()))
            for mode in ("thread", "process"):
                data_dir = Path(tmp) / f"data-{mode}"
                if mode == "thread":
                    beat, secs = run_thread(app, root, data_dir, encoder)
                else:
                    beat, secs = run_process(app, root, data_dir)
                gaps, held = sorted(beat.gaps), sorted(beat.blocked)
                p99 = int(len(gaps) * 0.99)
                rows.append((mode, files, secs, gaps[-1], gaps[p99], held[-1], held[p99]))
    finally:
        if busy is not None:
            busy.kill()
            busy.wait()
    base = rows[0][5]
    print(f"busy process beside: {'yes' if args.busy else 'no'}; cpus: {os.cpu_count()}")
    print("gap: wall time between beats; held: gap minus the GUI thread's wait for a CPU")
    head = ("mode", "files", "seconds", "max gap", "p99 gap", "max held", "p99 held", "held/thr")
    print("{:8} {:>5} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}".format(*head))
    for mode, files, secs, gap, gap99, held, held99 in rows:
        print(
            f"{mode:8} {files:5d} {secs:8.1f} {gap:8.0f} {gap99:8.0f} {held:8.0f} {held99:8.0f}"
            f" {held / base:8.2f}"
        )


if __name__ == "__main__":
    main()
