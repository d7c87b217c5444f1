"""Take the README screenshots from the real app (offscreen or under Xvfb).

    python -m desktop_search.app.screenshots OUT_DIR FOLDER [FOLDER ...]

Builds a fresh index of the folders in a temporary data directory through the wizard,
and saves wizard-folders.png, wizard-estimate.png, indexing.png and results.png.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

INDEXING_QUERY = "how do I stop a loop before it is finished"
RESULTS_QUERY = "how should I cite this software in a publication"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("folders", nargs="+")
    parser.add_argument("--indexing-query", default=INDEXING_QUERY)
    parser.add_argument("--results-query", default=RESULTS_QUERY)
    parser.add_argument("--size", default="1180x760")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop

    from .main import make_app

    app = make_app([sys.argv[0]])
    import desktop_search.core.engine  # noqa: F401  (torch, before any window)
    from desktop_search.app.mainwindow.window import MainWindow

    args.out.mkdir(parents=True, exist_ok=True)
    width, height = (int(v) for v in args.size.split("x"))

    def wait(pred, timeout: float = 600) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            if pred():
                return True
            time.sleep(0.01)
        return False

    def settle(seconds: float = 0.6) -> None:
        wait(lambda: False, seconds)

    def save(widget, name: str) -> None:
        path = args.out / name
        widget.grab().save(str(path), "PNG", 9)
        print(f"saved {path} ({path.stat().st_size // 1024} KB)")

    with tempfile.TemporaryDirectory() as data:
        w = MainWindow(data_dir=data)
        w.resize(width, height)
        w.show()
        assert wait(lambda: w.wizard is not None and w.wizard.isVisible(), 300), (
            "the wizard did not open"
        )
        wizard = w.wizard
        for folder in args.folders:
            wizard.add_folder(folder)
        settle()
        save(wizard, "wizard-folders.png")
        wizard.next()
        wizard.next()
        page = wizard.estimate_page
        wait(lambda: page.estimate is not None and bool(page.estimate.speed), 300)
        settle()
        save(wizard, "wizard-estimate.png")
        wizard.accept()

        c = w.controller

        def a_third_done() -> bool:
            """A third of the files read, or (a small folder) the whole job already over."""
            p = c.last_progress
            if p is None:
                return False
            if c.job is None:
                return True
            return p.phase == "indexing" and p.files_done >= max(2, p.files_total // 3)

        wait(a_third_done)
        w.search(args.indexing_query)
        wait(lambda: bool(w.result_paths()), 120)
        wait(lambda: w.preview.loaded, 60)
        settle(2.0)
        save(w, "indexing.png")

        wait(lambda: c.job is None, 1800)
        w.search(args.results_query)
        wait(lambda: bool(w.result_paths()), 120)
        wait(lambda: w.preview.loaded, 120)  # the passage in its context (a PDF page takes a while)
        settle(3.0)  # best-sentence highlights
        save(w, "results.png")
        w.close()
        wait(lambda: c.stopped, 120)
    return 0


if __name__ == "__main__":
    sys.exit(main())
