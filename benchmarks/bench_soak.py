"""Soak: a scripted person uses the real app for a set time; does anything keep growing?

The window (Qt offscreen, its real indexing process) indexes a folder of a few hundred real
documents copied from ../shared/data/docs, and watches it. Then, timed, in a loop the person types queries letter by
letter, scrolls, hovers and selects results (which opens the preview), switches modes and
filters, opens the Duplicates tab and runs a scan, and adds a file to the folder and deletes
another. Once a minute the window's process reports its RSS, Python objects, references to
None, open descriptors and threads, and the indexing process's RSS and descriptors.

The window runs in a child process, so a crash (PySide6 6.12.0 on Python 3.11 aborts with
"none_dealloc", issue 23) is seen and reported. Exit status 1 when the window dies or a
figure keeps growing after the warm-up.

    python benchmarks/bench_soak.py [--minutes 10] [--files 200] [--out results/soak.txt]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import SHARED, table

DOCS = SHARED / "docs"
QUERIES = [
    "how do I plot a surface with contour lines",
    "read a csv file into a data frame",
    "logging to a file with rotation",
    "convert colours between colour systems",
    "install packages from a local folder",
    "regular expression to match a word",
    "set the axis range of a graph",
    "parse json from a string",
]
WARMUP_MIN = 5.0
# After the warm-up: RSS may grow by under 10%; the rest stay flat within these margins.
LIMITS = {
    "rss_mb": ("ratio", 0.10),
    "objects": ("ratio", 0.05),
    "none_refs": ("ratio", 0.05),  # in both directions: a leak of None shows as a fall
    "fds": ("abs", 5),
    "threads": ("abs", 2),
    "ix_rss_mb": ("ratio", 0.10),
    "ix_fds": ("abs", 5),
}


def proc_status(pid: int) -> tuple[float, int, int]:
    """(RSS in MB, open descriptors, OS threads) of a process."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    rss = int(fields["VmRSS"].split()[0]) / 1024
    return rss, len(os.listdir(f"/proc/{pid}/fd")), int(fields["Threads"])


def library(dest: Path, files: int, seed: int = 7) -> tuple[Path, list[Path]]:
    """A watched folder of ``files`` real documents (a PDF, gnuplot HTML pages and Python
    docs, the short ones: indexing on a shared CPU is not what this measures), and a
    reserve to add from later."""
    rng = random.Random(seed)
    small = 12_000
    rst = sorted(p for p in (DOCS / "rst").rglob("*.rst.txt") if p.stat().st_size < small)
    html = sorted(p for p in (DOCS / "html").glob("*.html") if p.stat().st_size < small)
    rng.shuffle(rst)
    rng.shuffle(html)
    n_rst = files // 4
    chosen = [DOCS / "pdf" / "R-data.pdf", *rst[:n_rst], *html[: files - n_rst - 1]]
    root = dest / "docs"
    for src in chosen:
        sub = root / src.parent.name
        sub.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, sub / src.name.replace(".rst.txt", ".rst"))
    reserve = rst[n_rst : n_rst + 20] + html[files : files + 20]
    return root, reserve


# -- the person (child process) -------------------------------------------------------


class Person:
    def __init__(self, app, window, root: Path, reserve: list[Path], seed: int = 11) -> None:
        self.app, self.w, self.root, self.reserve = app, window, root, reserve
        self.rng = random.Random(seed)
        self.added: list[Path] = []
        self.rounds = 0

    def idle(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.01)

    def type_query(self, text: str) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        box = self.w.search_box
        box.setFocus()
        box.selectAll()
        QTest.keyClick(box, Qt.Key.Key_Backspace)
        for ch in text:
            QTest.keyClicks(box, ch)
            self.idle(self.rng.uniform(0.05, 0.18))
        self.idle(1.5)

    def browse(self) -> None:
        from PySide6.QtCore import QPoint, QPointF, Qt
        from PySide6.QtGui import QWheelEvent
        from PySide6.QtTest import QTest

        view, model = self.w.results_view, self.w.model
        vp = view.viewport()
        for step in range(12):  # the mouse wheel, down then up
            delta = -120 if step < 6 else 120
            pos = QPointF(vp.width() / 2, vp.height() / 2)
            event = QWheelEvent(
                pos,
                vp.mapToGlobal(pos),
                QPoint(),
                QPoint(0, delta),
                Qt.MouseButton.NoButton,
                Qt.KeyboardModifier.NoModifier,
                Qt.ScrollPhase.NoScrollPhase,
                False,
            )
            self.app.sendEvent(vp, event)
            self.idle(0.05)
        rows = [model.index(r, 0) for r in range(model.rowCount())]
        for index in rows[:10]:  # hover row by row, then pick one: the preview opens
            rect = view.visualRect(index)
            if rect.isValid():
                QTest.mouseMove(vp, rect.center())
                self.idle(0.08)
        if rows:
            pick = rows[self.rng.randrange(min(len(rows), 10))]
            view.scrollTo(pick)
            rect = view.visualRect(pick)
            if rect.isValid():
                QTest.mouseClick(vp, Qt.MouseButton.LeftButton, pos=rect.center())
                view.expand(pick)
                self.idle(1.0)

    def switch(self) -> None:
        w = self.w
        w.mode_selector.setCurrentIndex(self.rounds % w.mode_selector.count())
        self.idle(1.0)
        for combo in (w.type_filter, w.date_filter):
            if combo.count() > 1:
                combo.setCurrentIndex(self.rng.randrange(combo.count()))
                self.idle(0.8)
                combo.setCurrentIndex(0)
                self.idle(0.8)

    def duplicates(self) -> None:
        tabs = self.w.tabs
        tabs.setCurrentIndex(1)
        self.idle(1.0)
        panel = self.w.duplicates_tab.panel
        if panel is not None:
            panel.scan()
            end = time.monotonic() + 60
            while panel.cancel_btn.isEnabled() and time.monotonic() < end:
                self.idle(0.2)
        self.idle(1.0)
        tabs.setCurrentIndex(0)
        self.idle(0.5)

    def edit_folder(self) -> None:
        """One new file in the watched folder, and one added earlier deleted."""
        src = self.reserve[self.rounds % len(self.reserve)]
        dst = self.root / "added" / f"{self.rounds}-{src.name.replace('.rst.txt', '.rst')}"
        dst.parent.mkdir(exist_ok=True)
        shutil.copy(src, dst)
        self.added.append(dst)
        if len(self.added) > 3:
            self.added.pop(0).unlink()

    def round(self) -> None:
        self.type_query(QUERIES[self.rounds % len(QUERIES)])
        self.browse()
        if self.rounds % 2 == 0:
            self.switch()
        if self.rounds % 5 == 4:
            self.duplicates()
        self.edit_folder()
        self.rounds += 1


def sample(window, started: float, rounds: int) -> dict:
    rss, fds, threads = proc_status(os.getpid())
    proc = window.controller.process.process
    ix_rss, ix_fds, _ = proc_status(proc.pid) if proc and proc.is_alive() else (0.0, 0, 0)
    return {
        "minute": round((time.monotonic() - started) / 60, 1),
        "rounds": rounds,
        "rss_mb": round(rss, 1),
        "objects": len(gc.get_objects()) + gc.get_freeze_count(),
        "none_refs": sys.getrefcount(None),
        "fds": fds,
        "threads": threads,
        "py_threads": threading.active_count(),
        "ix_rss_mb": round(ix_rss, 1),
        "ix_fds": ix_fds,
        "files": int(window.controller.stats.get("files", 0)),
    }


def indexed(window, files: int) -> bool:
    """Both phases of the first indexing done."""
    stats = window.controller.stats
    return (
        window.controller.job is None
        and stats.get("files", 0) >= files - 5  # a file or two may fail to read
        and stats.get("passages_pending", 1) == 0
    )


def child(minutes: float, files: int) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from desktop_search.app.main import make_app
    from desktop_search.app.mainwindow.window import MainWindow

    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        root, reserve = library(Path(tmp), files)
        app = make_app([sys.argv[0]])
        w = MainWindow(data_dir=Path(tmp) / "data", open_wizard=False)
        w.resize(1100, 800)
        w.show()
        person = Person(app, w, root, reserve)
        person.idle(2.0)
        w.controller.add_folders([str(root)], [], [])
        t0 = time.monotonic()
        while not indexed(w, files):  # the person starts on an indexed library
            person.idle(1.0)
        print(json.dumps({"indexing_s": round(time.monotonic() - t0)}), flush=True)
        started = time.monotonic()
        next_sample = started
        while True:
            now = time.monotonic()
            if now >= next_sample:
                print(json.dumps(sample(w, started, person.rounds)), flush=True)
                next_sample += 60
                if now - started >= minutes * 60:
                    break
            person.round()
        w.close()
        person.idle(5.0)


# -- the judge (parent process) -------------------------------------------------------


def growing(rows: list[dict], warmup: float) -> list[str]:
    """The figures that, after the warm-up, moved past their margin (the second half's mean
    against the first sample) or rose at every sample (RSS has only its margin)."""
    after = [r for r in rows if r["minute"] >= warmup]
    if len(after) < 3:
        return ["too few samples after the warm-up to judge"]
    bad = []
    for key, (kind, limit) in LIMITS.items():
        series = [r[key] for r in after]
        start, tail = series[0], series[len(series) // 2 :]
        end = sum(tail) / len(tail)
        moved = (end - start) / start if kind == "ratio" and start else end - start
        too_far = abs(moved) > limit if key == "none_refs" else moved > limit
        rising = not key.endswith("rss_mb") and all(y > x for x, y in zip(series, series[1:]))
        if too_far or rising:
            bad.append(f"{key}: {start} -> {series[-1]}" + (" (rose at every sample)" * rising))
    return bad


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--child", action="store_true")
    args = ap.parse_args()
    if args.child:
        child(args.minutes, args.files)
        return
    argv = [sys.executable, __file__, "--child", "--minutes", str(args.minutes)]
    rows = []
    # Stopped early, the window and its indexing process go too (one process group).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryFile("w+") as err:  # Qt's offscreen chatter; shown if it dies
        proc = subprocess.Popen(
            [*argv, "--files", str(args.files)],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            bufsize=1,
            start_new_session=True,
        )
        indexing_s = None
        try:
            for line in proc.stdout:
                if not line.startswith("{"):
                    continue
                record = json.loads(line)
                if "indexing_s" in record:
                    indexing_s = record["indexing_s"]
                else:
                    rows.append(record)
                print(" ".join(f"{k}={v}" for k, v in record.items()), flush=True)
            rc = proc.wait()
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        if rc != 0:
            err.seek(0)
            print("".join(err.readlines()[-20:]), file=sys.stderr)
    warmup = min(WARMUP_MIN, args.minutes / 2)
    bad = growing(rows, warmup)
    heads = list(rows[0]) if rows else []
    lines = [
        f"soak: {args.minutes:g} min on {args.files} files (indexed first, in {indexing_s} s), "
        f"warm-up {warmup:g} min, "
        f"Python {sys.version.split()[0]}, PySide6 {pyside_version()}",
        table([[r[k] for k in heads] for r in rows], heads) if rows else "(no samples)",
        f"window exit status: {rc}",
        "growing after warm-up: " + (", ".join(bad) if bad else "none"),
    ]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    sys.exit(1 if rc != 0 or bad or not rows else 0)


def pyside_version() -> str:
    from importlib.metadata import version

    return version("PySide6-Essentials")


if __name__ == "__main__":
    main()
