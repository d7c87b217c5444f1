"""Take the README screenshots of the Related pane and the Topics tab from the real app, on
an index already built (offscreen or under Xvfb).

    python -m desktop_search.app.related.screenshots OUT_DIR DATA_DIR

Saves related.png (a search, its first result previewed, the files related to it) and
topics.png (the map and the topic list).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

QUERY = "draw points with random jitter so that they do not overlap"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--query", default=QUERY)
    parser.add_argument("--size", default="1400x800")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop

    from desktop_search.app.main import make_app

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

    def save(widget, name: str) -> None:
        path = args.out / name
        widget.grab().save(str(path), "PNG", 9)
        print(f"saved {path} ({path.stat().st_size // 1024} KB)")

    w = MainWindow(data_dir=args.data_dir, open_wizard=False)
    w.resize(width, height)
    w.show()
    c = w.controller
    wait(lambda: c.is_ready and c.job is None, 600)
    view = w.related_view
    w.search(args.query)
    wait(lambda: bool(w.result_paths()), 120)
    w.results_view.setCurrentIndex(w.model.index(0, 0))
    wait(lambda: bool(view.pane.paths()) and w.preview.loaded, 120)
    wait(lambda: False, 3.0)  # best-sentence highlights
    save(w, "related.png")
    w.tabs.setCurrentWidget(view.topics)
    wait(lambda: bool(view.topics.map.dots), 120)
    wait(lambda: False, 1.0)
    save(w, "topics.png")
    w.close()
    wait(lambda: c.stopped, 120)
    return 0


if __name__ == "__main__":
    sys.exit(main())
