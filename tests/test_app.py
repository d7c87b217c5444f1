"""The desktop app, driven offscreen with pytest-qt: real model, real files, real watcher.

Folders are tiny (a few paragraphs cut from the Python docs in tests/fixtures plus one file
written here as a paraphrase target), so the whole module runs in about a minute or two.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui

QUERY = "how often should a young dog be taken outside to pee"
TARGET = "puppy-training.txt"
TARGET_TEXT = (
    "House training\n\nPuppies have small bladders. Let the little one out into the garden every two "
    "hours, and straight after it wakes up, eats or plays. Praise it warmly each time it relieves "
    "itself on the lawn, and never scold it for accidents indoors.\n"
)
RST_SOURCES = [
    "tutorial/appetite.rst.txt",
    "tutorial/interactive.rst.txt",
    "tutorial/whatnow.rst.txt",
    "about.rst.txt",
]
BIG_SOURCES = [
    "tutorial/controlflow.rst.txt",
    "tutorial/classes.rst.txt",
    "tutorial/datastructures.rst.txt",
    "tutorial/errors.rst.txt",
    "tutorial/inputoutput.rst.txt",
    "tutorial/modules.rst.txt",
]


def excerpt(text: str, chars: int = 1500) -> str:
    cut = text[:chars]
    return cut[: cut.rfind("\n\n")] if "\n\n" in cut else cut


@pytest.fixture
def docs(tmp_path, fixture_data) -> Path:
    """Five short real text files, one of them the paraphrase target."""
    root = tmp_path / "docs"
    root.mkdir()
    src = fixture_data / "docs" / "rst"
    for rel in RST_SOURCES:
        (root / Path(rel).name).write_text(
            excerpt((src / rel).read_text(encoding="utf-8")), encoding="utf-8"
        )
    (root / TARGET).write_text(TARGET_TEXT, encoding="utf-8")
    return root


@pytest.fixture
def big_docs(tmp_path, fixture_data, monkeypatch) -> Path:
    """About 48 one-passage files, read slowly (as from a slow disk): long enough to pause,
    cancel or quit in the middle of phase 1, which needs no encoder and is fast."""
    monkeypatch.setenv("DESKTOP_SEARCH_SLOWPOINT", "read:0.2")
    root = tmp_path / "big"
    root.mkdir()
    src = fixture_data / "docs" / "rst"
    n = 0
    for rel in BIG_SOURCES:
        text = (src / rel).read_text(encoding="utf-8")
        paras = [p.strip() for p in text.split("\n\n") if len(p.strip()) > 200]
        for para in paras[:8]:
            (root / f"{n:02d}-{Path(rel).name}").write_text(para[:900], encoding="utf-8")
            n += 1
    assert n >= 30
    return root


@pytest.fixture
def make_window(qtbot, tmp_path, encoder):
    """Build MainWindows on a temporary data dir; close them cleanly afterwards."""
    from desktop_search.app import MainWindow
    from desktop_search.app.main import apply_style

    windows = []

    def make(data_dir: Path | None = None, *, open_wizard: bool = False):
        from PySide6.QtWidgets import QApplication

        apply_style(QApplication.instance())
        w = MainWindow(
            data_dir=data_dir or tmp_path / "data",
            encoder=encoder,
            open_wizard=open_wizard,
            watch_quiet_s=0.3,
        )
        # pytest-qt closes and deletes registered widgets before fixture teardown: stop the
        # workers first (a QThread must not be destroyed while it runs)
        qtbot.addWidget(w, before_close_func=lambda w: close_window(qtbot, w))
        w.show()
        windows.append(w)
        qtbot.waitUntil(lambda: w.controller.is_ready, timeout=60000)
        return w

    yield make
    for w in windows:
        close_window(qtbot, w)  # normally done already, by pytest-qt's before_close_func


def close_window(qtbot, w) -> None:
    if not w.controller.stopped:
        w.close()
        qtbot.waitUntil(lambda: w.controller.stopped, timeout=60000)


def wait_indexed(qtbot, w, files: int, timeout: int = 90000) -> None:
    """Both phases done: every file searchable by its words and by meaning."""
    qtbot.waitUntil(
        lambda: (
            w.controller.job is None
            and w.controller.stats.get("files") == files
            and w.controller.stats.get("passages_pending") == 0
        ),
        timeout=timeout,
    )


def result_names(w) -> list[str]:
    return [Path(p).name for p in w.result_paths()]


def find(w, cls, name):
    child = w.findChild(cls, name)
    assert child is not None, name
    return child


# -- the first run: wizard, indexing, search by paraphrase, preview, problems, removal ---------


def test_first_run_wizard_indexes_and_paraphrase_search_finds_the_file(
    qtbot, make_window, docs, monkeypatch
):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import (
        QComboBox,
        QLineEdit,
        QListWidget,
        QMessageBox,
        QTreeView,
        QTreeWidget,
        QWizard,
    )

    (docs / "empty.txt").write_bytes(b"")  # a file that cannot be indexed: shows up in Problems
    for f in docs.iterdir():  # all from 2000: a "past year" filter leaves nothing
        os.utime(f, (946684800, 946684800))
    w = make_window(open_wizard=True)
    qtbot.waitUntil(
        lambda: (
            w.findChild(QWizard, "folderWizard") is not None
            and w.findChild(QWizard, "folderWizard").isVisible()
        ),
        timeout=10000,
    )
    assert w.empty.state == "no_folders"
    wizard = w.findChild(QWizard, "folderWizard")
    folder_list = find(wizard, QListWidget, "folderList")
    assert folder_list.count() == 0
    assert wizard.add_folder(str(docs))
    assert not wizard.add_folder(str(docs))  # twice: refused, with a message
    assert folder_list.count() == 1
    wizard.next()
    assert wizard.currentPage() is wizard.types_page
    wizard.next()
    page = wizard.estimate_page
    qtbot.waitUntil(lambda: page.estimate is not None and bool(page.estimate.speed), timeout=60000)
    assert page.estimate.files == 6 and page.estimate.new_files == 6
    assert "on this computer" in page.time.text()
    wizard.accept()

    wait_indexed(qtbot, w, files=5)
    assert w.controller.stats["roots"] == [str(docs)]
    assert "watching 1 folder · 5 files" in w.status.summary.text()

    box = find(w, QLineEdit, "searchBox")
    qtbot.keyClicks(box, QUERY)  # debounced: searches once typing pauses
    view = find(w, QTreeView, "resultsView")
    qtbot.waitUntil(lambda: result_names(w)[:1] == [TARGET], timeout=20000)
    assert view.model().rowCount() >= 1
    assert w.stack.currentWidget() is view
    # the preview shows the passage in context, highlighted
    preview = w.findChild(type(w.preview), "previewPane")
    qtbot.waitUntil(lambda: "every two" in preview.text(), timeout=10000)
    assert preview.path == str(docs / TARGET)
    # keyboard: Down from the search box moves into the results, Escape comes back
    w.activateWindow()
    qtbot.waitUntil(lambda: w.isActiveWindow(), timeout=5000)
    box.setFocus()
    qtbot.waitUntil(lambda: box.hasFocus(), timeout=5000)
    qtbot.keyClick(box, Qt.Key.Key_Down)
    assert view.hasFocus() and view.currentIndex().row() == 0
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert box.hasFocus()
    # modes: Semantic still finds it; Keyword needs the words
    modes = find(w, QComboBox, "modeSelector")
    modes.setCurrentIndex(1)
    assert w.mode == "semantic"
    qtbot.waitUntil(lambda: result_names(w)[:1] == [TARGET], timeout=20000)
    modes.setCurrentIndex(2)
    w.search("zebra xylophone quasar")
    qtbot.waitUntil(
        lambda: w.empty.state == "no_results" and w.stack.currentWidget() is w.empty, timeout=20000
    )
    modes.setCurrentIndex(0)
    # made-up words: no confident bars, and the window says there are no good matches
    w.search("zxqvbnm flurbish")
    qtbot.waitUntil(lambda: "No good matches" in w.banner.text(), timeout=20000)
    assert w.banner.isVisible() and all(r.weak for r in w.model.results())
    w.search(QUERY)
    qtbot.waitUntil(lambda: result_names(w)[:1] == [TARGET], timeout=20000)
    assert not w.banner.isVisible() and not w.model.results()[0].weak
    # reranking is a setting; it keeps the paraphrase first
    w.rerank_action.setChecked(True)
    assert w.settings.rerank
    qtbot.waitUntil(lambda: result_names(w)[:1] == [TARGET], timeout=30000)
    w.rerank_action.setChecked(False)
    # a type filter that excludes the target
    w.search(QUERY)
    qtbot.waitUntil(lambda: result_names(w)[:1] == [TARGET], timeout=20000)
    # the Type filter offers only the types indexed, with their counts
    qtbot.waitUntil(lambda: w.type_filter.count() == 2, timeout=20000)
    assert w.type_filter.itemText(1) == "Text and notes (5)"
    w.date_filter.setCurrentIndex(4)  # past year
    qtbot.waitUntil(lambda: w.empty.state == "no_results", timeout=20000)
    assert w.empty.button.isVisible() and w.empty.button.text() == "Clear filters"
    w.empty.button.click()
    qtbot.waitUntil(lambda: result_names(w)[:1] == [TARGET], timeout=20000)

    # the empty file is listed in the non-modal Problems list
    qtbot.waitUntil(
        lambda: any(p.endswith("empty.txt") for p, _ in w.controller.problems()), timeout=10000
    )
    w.show_problems()
    problems = find(w, QTreeWidget, "problemsList")
    assert problems.topLevelItemCount() == 1 and "empty" in problems.topLevelItem(0).text(1)
    assert not w.problems_dialog.isModal()
    w.problems_dialog.close()

    # settings remember the folders and the mode
    assert w.settings.folders == [str(docs)]

    # "Manage folders…" reopens the wizard; removing the folder asks first, then drops it
    w.manage_action.trigger()
    wizard = w.findChild(QWizard, "folderWizard")
    qtbot.waitUntil(lambda: wizard.isVisible(), timeout=5000)
    assert find(wizard, QListWidget, "folderList").count() == 1
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    assert not wizard.remove_folder(str(docs))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert wizard.remove_folder(str(docs))
    qtbot.waitUntil(
        lambda: w.controller.stats.get("roots") == [] and w.controller.stats.get("passages") == 0,
        timeout=20000,
    )
    wizard.reject()
    w.search(QUERY)
    qtbot.waitUntil(
        lambda: w.empty.state in ("no_results", "no_folders") and not w.result_paths(),
        timeout=20000,
    )


# -- live watching ---------------------------------------------------------------------------


def test_created_file_becomes_searchable_and_deleted_one_disappears(qtbot, make_window, docs):
    w = make_window()
    w.controller.add_folders([str(docs)])
    wait_indexed(qtbot, w, files=5)
    qtbot.waitUntil(lambda: w.controller.watching == [str(docs)], timeout=10000)

    query = "recipe for baking sourdough bread at home"
    w.search(query)
    qtbot.waitUntil(lambda: w.controller.is_ready and w.model.query == query, timeout=20000)
    assert "bread.txt" not in result_names(w)

    new = docs / "bread.txt"
    new.write_text(
        "Mix flour, water, salt and a spoon of starter. Let the dough rise overnight, shape the "
        "loaf in the morning and bake it in a hot oven for forty minutes.",
        encoding="utf-8",
    )
    t0 = time.monotonic()
    qtbot.waitUntil(lambda: result_names(w)[:1] == ["bread.txt"], timeout=20000)
    assert time.monotonic() - t0 < 15  # "within seconds"
    assert w.controller.stats["files"] == 6

    new.unlink()
    qtbot.waitUntil(lambda: "bread.txt" not in result_names(w), timeout=20000)
    qtbot.waitUntil(
        lambda: w.controller.stats["files"] == 5 and w.controller.queued == 0, timeout=10000
    )

    # a rename keeps the file searchable under its new name
    (docs / TARGET).rename(docs / "renamed.txt")
    w.search(QUERY)
    qtbot.waitUntil(lambda: result_names(w)[:1] == ["renamed.txt"], timeout=20000)


# -- pause, resume, cancel ---------------------------------------------------------------------


def _start_big(qtbot, w, big_docs):
    w.controller.add_folders([str(big_docs)])
    qtbot.waitUntil(
        lambda: (
            w.controller.job == "sync"
            and w.controller.last_progress is not None
            and w.controller.last_progress.phase == "indexing"
        ),
        timeout=60000,
    )
    assert w.progress_panel.isVisible()


def test_pause_resume_and_cancel(qtbot, make_window, big_docs):
    from PySide6.QtWidgets import QFrame, QPushButton

    w = make_window()
    total = len(list(big_docs.iterdir()))
    _start_big(qtbot, w, big_docs)
    panel = find(w, QFrame, "indexProgress")
    pause = find(panel, QPushButton, "pauseButton")
    assert "files" in panel.detail.text() and "of" in panel.detail.text()
    assert "files" in w.status.activity.text()

    pause.click()
    with qtbot.waitSignal(w.controller.pausedChanged, timeout=30000) as blocker:
        pass
    assert blocker.args == [True]
    assert pause.text() == "Resume"
    done = w.controller.last_progress.files_done
    qtbot.wait(1500)
    assert w.controller.last_progress.files_done == done  # nothing moves while paused
    assert w.controller.job == "sync"

    pause.click()  # resume
    assert pause.text() == "Pause"
    qtbot.waitUntil(
        lambda: w.controller.last_progress.files_done > done or w.controller.job is None,
        timeout=30000,
    )

    with qtbot.waitSignal(w.controller.indexingFinished, timeout=30000) as finished:
        find(panel, QPushButton, "cancelButton").click()
    assert finished.args[0].cancelled
    indexed = w.controller.stats["files"]
    assert 0 < indexed < total
    assert not panel.isVisible()
    assert "stopped" in w.status.currentMessage()


# -- quit during indexing, restart: it resumes -------------------------------------------------


def test_quit_while_indexing_then_restart_resumes(qtbot, make_window, big_docs, tmp_path):
    data = tmp_path / "data"
    total = len(list(big_docs.iterdir()))
    w = make_window(data)
    _start_big(qtbot, w, big_docs)
    qtbot.waitUntil(lambda: w.controller.last_progress.files_done >= 4, timeout=60000)
    t0 = time.monotonic()
    close_window(qtbot, w)
    assert time.monotonic() - t0 < 20  # stops after the current batch
    assert not w.isVisible()

    from desktop_search.core.store.catalog import Store

    with Store(data) as store:
        first = store.counts()["files"]
        assert store.roots()[0]["path"] == str(big_docs)
    assert 0 < first < total

    w2 = make_window(data)  # every start syncs all roots in the background
    with qtbot.waitSignal(
        w2.controller.indexingFinished, timeout=90000, check_params_cb=lambda r: r.kind == "sync"
    ) as blocker:
        pass
    report = blocker.args[0].report
    assert report.files_unchanged == first  # the work done before quitting is not redone
    assert report.files_added == total - first
    assert w2.controller.stats["files"] == total


# -- responsiveness ----------------------------------------------------------------------------


def test_gui_thread_never_blocks_while_indexing_and_searching(qtbot, make_window, big_docs):
    from .heartbeat import Heartbeat

    w = make_window()
    beat = Heartbeat()
    try:
        w.controller.add_folders([str(big_docs)])
        qtbot.waitUntil(lambda: w.controller.job == "sync", timeout=30000)
        beat.start()
        # search while indexing: it answers over what is indexed so far, and says so
        w.search("catching exceptions with try and except")
        qtbot.waitUntil(
            lambda: w.controller.job is None or bool(w.result_paths() and w.banner.isVisible()),
            timeout=60000,
        )
        if w.controller.job is not None:
            assert "indexed so far" in w.banner.text()
        qtbot.waitUntil(lambda: w.controller.job is None, timeout=120000)
    finally:
        beat.stop()
    assert len(beat.gaps) > 50
    worst = max(beat.blocked)
    assert worst <= 100, f"GUI thread held up for {worst:.0f} ms (20 ms heartbeat)"


def test_the_window_finds_the_blas_libraries_before_its_threads_start(
    qtbot, make_window, monkeypatch
):
    """Related files and topics limit BLAS to one thread. Finding BLAS walks every loaded
    library under the loader's lock, taking the interpreter lock once per library: from the
    related pane's thread it held the GUI thread up 70-145 ms. The window does it first."""
    from desktop_search.core import blas

    monkeypatch.setattr(blas, "_controller", None)
    w = make_window()
    assert blas._controller is not None
    assert blas.find_blas() is blas._controller  # found once: later calls walk nothing
    assert w.controller.is_ready


def test_what_is_alive_when_the_reading_engine_opens_is_kept_out_of_full_collections(
    qtbot, make_window
):
    """The window freezes its start-up objects, and again whenever the reading Engine has
    opened (in the search thread, after the window; with torch its first use imports
    ~175k more objects): a full garbage collection in any thread then no longer walks them
    while holding the GIL. Frozen objects are not listed by ``gc.get_objects``."""
    import gc

    w = make_window()
    assert gc.get_freeze_count() > 50_000
    loaded = [object() for _ in range(3)]  # alive before the Engine (re)opens
    assert any(o is loaded for o in gc.get_objects())
    c = w.controller
    c.close_engine()
    with qtbot.waitSignal(c.engineChanged, timeout=30000, check_params_cb=bool):
        c.readers.open_engine()
    assert c.engine is not None
    assert all(o is not loaded for o in gc.get_objects())


# -- odds and ends ----------------------------------------------------------------------------


def test_object_names_duplicates_hook_and_settings(qtbot, make_window, tmp_path):
    import importlib.util

    from PySide6.QtWidgets import QComboBox, QFrame, QLineEdit, QTreeView, QTreeWidget, QWidget

    data = tmp_path / "data"
    w = make_window(data)
    for cls, name in (
        (QLineEdit, "searchBox"),
        (QComboBox, "modeSelector"),
        (QTreeView, "resultsView"),
        (QWidget, "previewPane"),
        (QFrame, "indexProgress"),
        (QTreeWidget, "problemsList"),
    ):
        find(w, cls, name)
    assert w.empty.state == "no_folders"
    has_dups = importlib.util.find_spec("desktop_search.app.duplicates.panel") is not None
    labels = [w.tabs.tabText(i) for i in range(w.tabs.count())]
    assert ("Duplicates" in labels) == has_dups
    w.mode_selector.setCurrentIndex(2)
    w.resize(700, 500)  # the offscreen screen is 800x600
    close_window(qtbot, w)
    w2 = make_window(data)
    assert w2.mode == "keyword"
    assert (w2.size().width(), w2.size().height()) == (700, 500)


def test_run_opens_the_window_and_quits_cleanly(qtbot, tmp_path):
    """`desktop-search gui` / no arguments: run() shows the main window, Quit ends the event loop.
    (The window's query encoder loads nothing until the first search.)"""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_search.app import main as app_main
    from desktop_search.app.mainwindow.window import MainWindow

    seen = {}

    def drive():
        wins = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        ]
        if not wins or not wins[0].controller.is_ready:
            QTimer.singleShot(50, drive)
            return
        w = wins[0]
        seen["title"] = w.windowTitle()
        seen["data_dir"] = w.data_dir
        if w.wizard is not None:
            w.wizard.reject()
        w.close()

    QTimer.singleShot(0, drive)
    assert app_main.run(data_dir=str(tmp_path / "gui-data")) == 0
    assert seen == {"title": "Desktop Search", "data_dir": tmp_path / "gui-data"}
