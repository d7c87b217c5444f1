"""A damaged index in the app (issue 14): one line says so, Repair runs in a child process,
reports the vectors it salvaged and opens the index again. Real SQLite file damaged on
disk (8 KB of zeros), the real model, Qt offscreen."""

from __future__ import annotations

import os
import sqlite3

import pytest

from desktop_search.app.repair.view import DAMAGED
from desktop_search.core.engine import Engine

from . import test_app, test_app_indexing
from .test_app import result_names

make_window = test_app.make_window  # the same fixture: windows on a temporary data dir
library = test_app_indexing.library

pytestmark = pytest.mark.gui


def test_a_damaged_index_says_so_and_repair_salvages_and_reopens_it(
    qtbot, make_window, library, tmp_path, encoder
):
    data = tmp_path / "data"
    with Engine(data, encoder=encoder) as engine:
        engine.index([str(library)])
        total = engine.status()["passages"]
    with open(data / "index.db", "r+b") as fh:  # 8 KB of zeros, as a failing disk leaves them
        fh.seek(4096)
        fh.write(b"\0" * 8192)

    w = make_window(data)
    messages: list[str] = []
    w.messages.message.connect(lambda _level, text, _ms: messages.append(text))
    repair = w.status.repair
    qtbot.waitUntil(lambda: repair.isVisible(), timeout=60000)
    assert w.status.currentMessage() == f"⚠ {DAMAGED}"
    assert w.status.activity.text() == "⚠ The index is damaged"
    assert not any("Traceback" in m or "DatabaseError" in m for m in messages)

    with qtbot.waitSignal(w.controller.repairer.finished, timeout=180000) as done:
        repair.click()
        assert w.progress_panel.isVisible() and "Repairing" in w.progress_panel.title.text()
    report = done.args[0]
    child = w.controller.repairer.job.process
    assert child.pid != os.getpid()  # not on the GUI thread
    qtbot.waitUntil(lambda: child.exitcode == 0, timeout=30000)
    assert report.vectors_salvaged > 0 and report.damaged_copy.exists()
    assert report.vectors_salvaged + report.sync.passages_embedded == total
    assert w.status.currentMessage() == (
        f"Index repaired: {report.vectors_salvaged:,} vectors salvaged, "
        f"{report.sync.passages_embedded:,} passages embedded again, 4 files indexed"
    )
    assert not repair.isVisible() and not w.progress_panel.isVisible()
    with sqlite3.connect(data / "index.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    # the index is open again, for searching and for indexing
    qtbot.waitUntil(lambda: w.controller.engine is not None, timeout=60000)
    w.search("replace the brake pads and change the oil")
    qtbot.waitUntil(lambda: result_names(w)[:1] == ["car.txt"], timeout=30000)
    (library / "more.txt").write_text("Prune the apple trees in late winter.", encoding="utf-8")
    qtbot.waitUntil(lambda: w.controller.stats.get("files") == 5, timeout=60000)


def test_after_a_repair_the_duplicates_panel_compares_through_the_new_engine(
    qtbot, make_window, library, tmp_path, encoder
):
    """A repair closes the reading Engine and opens a new one: an open Duplicates panel
    lets go of the old one at once and compares through the new one (the old one's
    connections are closed, so a comparison through it could only fail)."""
    from desktop_search.core.duplicates import Group, Member

    data = tmp_path / "data"
    with Engine(data, encoder=encoder) as engine:
        engine.index([str(library)])
    w = make_window(data)
    tabs = w.tabs
    tabs.setCurrentIndex(next(i for i in range(tabs.count()) if tabs.tabText(i) == "Duplicates"))
    qtbot.waitUntil(lambda: w.duplicates_tab.panel is not None, timeout=30000)
    panel = w.duplicates_tab.panel
    qtbot.waitUntil(lambda: not panel.scanning, timeout=60000)
    old = w.controller.engine
    assert panel.engine is old and panel.compare.worker.engine is old

    with qtbot.waitSignal(w.controller.repairer.finished, timeout=180000):
        assert w.controller.repairer.repair()
        assert panel.engine is None  # closed: nothing may use it while the repair runs
    qtbot.waitUntil(lambda: w.controller.engine is not None, timeout=60000)
    new = w.controller.engine
    assert new is not old and panel.engine is new

    car, garden = library / "notes" / "car.txt", library / "garden.txt"
    group = Group(0.5, [Member(str(car)), Member(str(garden))], "edited")
    panel.compare.show_pair(group, *group.members)
    qtbot.waitUntil(lambda: panel.compare.diff_shown, timeout=30000)
    left, right = panel.shown_texts()
    assert "cannot compare" not in left
    assert "brake pads" in left and "tomatoes" in right
    assert panel.compare.worker.engine is new
