"""How long can the GUI thread stall while files are indexed? A 20 ms heartbeat QTimer.

Two ways of indexing the same HTML pages and PDF pages, in the same run:
  thread   the Engine's sync on a Python thread inside the GUI process (the app until
           indexing moved out: extraction and chunking share the interpreter lock)
  process  the app's indexing process (``IndexProcess`` + ``SyncJob``), as the app does now

Optionally with a process spinning ``while True: pass`` beside it (``--busy``).
Prints the heartbeat gaps (max, p99, median) and the max gap relative to the thread run.

    python benchmarks/bench_heartbeat.py --data ../shared/data --html 40 --pdf-pages 12 --busy
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


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


def heartbeat(app, start, done) -> list[float]:
    """Gaps (ms) of a 20 ms QTimer in this (the GUI) thread from ``start()`` until ``done()``."""
    from PySide6.QtCore import QElapsedTimer, QTimer

    gaps: list[float] = []
    clock = QElapsedTimer()
    last = [0]

    def beat() -> None:
        now = clock.elapsed()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(beat)
    start()
    clock.start()
    timer.start()
    while not done():
        app.processEvents()
        time.sleep(0.001)
    timer.stop()
    return gaps


def run_thread(app, root: Path, data_dir: Path, encoder) -> tuple[list[float], float]:
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


def run_process(app, root: Path, data_dir: Path) -> tuple[list[float], float]:
    from desktop_search.app.index_process import IndexProcess
    from desktop_search.app.sync_job import SyncJob

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

    from desktop_search.core.encoder import Encoder

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
                    gaps, secs = run_thread(app, root, data_dir, encoder)
                else:
                    gaps, secs = run_process(app, root, data_dir)
                gaps = sorted(gaps)
                rows.append(
                    (
                        mode,
                        files,
                        secs,
                        gaps[-1],
                        gaps[int(len(gaps) * 0.99)],
                        statistics.median(gaps),
                    )
                )
    finally:
        if busy is not None:
            busy.kill()
            busy.wait()
    base = rows[0][3]
    print(f"busy process beside: {'yes' if args.busy else 'no'}; cpus: {os.cpu_count()}")
    print(
        f"{'mode':8} {'files':>5} {'seconds':>8} {'max gap ms':>10} {'p99 ms':>7} {'median':>7} {'max/thread':>10}"
    )
    for mode, files, secs, worst, p99, med in rows:
        print(
            f"{mode:8} {files:5d} {secs:8.1f} {worst:10.0f} {p99:7.0f} {med:7.0f} {worst / base:10.2f}"
        )


if __name__ == "__main__":
    main()
