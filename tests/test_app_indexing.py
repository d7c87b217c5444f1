"""The app's indexing side (issue 14): overlapping folders in the wizard, where "Add
folder…" opens, the status bar after Resume, and a full disk. Real model, real SQLite,
real files, Qt offscreen through pytest-qt."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop_search.core.engine import Engine
from desktop_search.core.store.catalog import Store

from . import test_app
from .corpus import BREAD_TEXT, CAR_TEXT
from .test_app import TARGET_TEXT, find, wait_indexed

make_window = test_app.make_window  # the same fixture: windows on a temporary data dir
big_docs = test_app.big_docs

pytestmark = pytest.mark.gui

GARDEN = "Water the tomatoes in the evening and pinch out the side shoots every week."


@pytest.fixture
def library(tmp_path) -> Path:
    """library/ holds notes/ (three files) and one file of its own."""
    lib = tmp_path / "library"
    notes = lib / "notes"
    notes.mkdir(parents=True)
    for name, text in (("car.txt", CAR_TEXT), ("bread.md", BREAD_TEXT), ("dog.txt", TARGET_TEXT)):
        (notes / name).write_text(text, encoding="utf-8")
    (lib / "garden.txt").write_text(GARDEN, encoding="utf-8")
    return lib


def _passage_ids(data: Path) -> dict[str, list[int]]:
    with Store(data) as store:
        rows = store.conn.execute(
            "SELECT f.path, p.id FROM passages p JOIN files f ON f.id = p.file_id ORDER BY p.id"
        ).fetchall()
    out: dict[str, list[int]] = {}
    for path, pid in rows:
        out.setdefault(Path(path).name, []).append(pid)
    return out


def test_wizard_merges_a_parent_over_an_indexed_child_and_refuses_a_grandchild(
    qtbot, make_window, library, tmp_path
):
    from PySide6.QtWidgets import QLabel, QListWidget

    notes = library / "notes"
    data = tmp_path / "data"
    w = make_window(data)
    w.controller.add_folders([str(notes)])
    wait_indexed(qtbot, w, files=3)
    before = _passage_ids(data)

    wizard = w.show_folder_wizard()
    folder_list = find(wizard, QListWidget, "folderList")
    warning = find(wizard, QLabel, "folderWarning")
    assert wizard.folders() == [str(notes)]
    # a folder inside a listed one: refused, with the reason
    (notes / "old").mkdir()
    assert not wizard.add_folder(str(notes / "old"))
    assert warning.text() == f"⚠ {notes / 'old'} is already searched as part of {notes}."
    # the parent replaces the child; taken back, the child returns
    assert wizard.add_folder(str(library))
    assert wizard.folders() == [str(library)]
    assert "takes over 1 indexed folder" in folder_list.item(0).text()
    assert "What is indexed there is kept" in warning.text()
    assert wizard.remove_folder(str(library))
    assert wizard.folders() == [str(notes)]
    assert wizard.add_folder(str(library))
    w.controller.statsChanged.emit(w.controller.stats)  # a refresh keeps the child folded in
    assert wizard.folders() == [str(library)]

    wizard.next()
    wizard.next()
    page = wizard.estimate_page
    qtbot.waitUntil(lambda: page.estimate is not None, timeout=60000)
    assert (page.estimate.files, page.estimate.new_files) == (4, 1)  # nothing counted twice
    assert "1 new or changed files" in page.todo.text()
    with qtbot.waitSignal(
        w.controller.indexingFinished, timeout=90000, check_params_cb=lambda r: r.kind == "sync"
    ) as finished:
        wizard.accept()
    report = finished.args[0].report
    assert (report.files_unchanged, report.files_added) == (3, 1)
    after = _passage_ids(data)
    # only the new file waits for its vector: the child's passages kept theirs
    assert report.passages_pending == len(after["garden.txt"])
    assert {k: v for k, v in after.items() if k != "garden.txt"} == before
    qtbot.waitUntil(lambda: w.controller.stats["roots"] == [str(library)], timeout=10000)
    assert w.controller.stats["files"] == 4


def test_add_folder_opens_at_home_and_qt_writes_nothing_there(
    qtbot, make_window, library, tmp_path, monkeypatch
):
    from PySide6.QtWidgets import QFileDialog

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    w = make_window()
    wizard = w.show_folder_wizard()
    page = wizard.folders_page

    def open_dialog() -> QFileDialog:
        page.add_btn.click()
        dialog = wizard.findChild(QFileDialog, "addFolderDialog")
        qtbot.waitUntil(lambda: dialog.isVisible(), timeout=5000)
        return dialog

    dialog = open_dialog()
    assert Path(dialog.directory().absolutePath()) == home
    with qtbot.waitSignal(dialog.destroyed, timeout=5000):
        dialog.fileSelected.emit(str(library))  # what choosing the folder sends
        dialog.reject()
    assert wizard.folders() == [str(library)]
    dialog = open_dialog()  # the next one opens beside the folder just added
    assert Path(dialog.directory().absolutePath()) == library.parent
    with qtbot.waitSignal(dialog.destroyed, timeout=5000):
        dialog.reject()
    wizard.reject()
    assert list(home.rglob("*")) == []  # no ~/.config/QtProject.conf
    assert (tmp_path / "data" / "QtProject.conf").exists()


def test_resume_clears_the_paused_status_at_once(qtbot, make_window, big_docs):
    from PySide6.QtWidgets import QFrame, QPushButton

    w = make_window()
    w.controller.add_folders([str(big_docs)])
    qtbot.waitUntil(
        lambda: getattr(w.controller.last_progress, "phase", "") == "indexing", timeout=60000
    )
    button = find(find(w, QFrame, "indexProgress"), QPushButton, "pauseButton")
    with qtbot.waitSignal(w.controller.pausedChanged, timeout=30000):
        button.click()
    assert w.status.activity.text() == "Indexing paused"
    button.click()  # Resume: the status bar says so before any event is processed
    text = w.status.activity.text()
    assert "paused" not in text.lower() and " files" in text, text
    wait_indexed(qtbot, w, files=len(list(big_docs.iterdir())))


def _notes(root: Path, n: int) -> Path:
    root.mkdir(parents=True)
    for i in range(n):
        (root / f"note{i:03d}.txt").write_text(
            f"Note {i}. {GARDEN} Entry number {i} of the garden diary."
        )
    return root


def test_a_full_disk_pauses_indexing_says_so_and_resume_carries_on(
    qtbot, make_window, library, tmp_path, encoder, monkeypatch
):
    data = tmp_path / "data"
    with Engine(data, encoder=encoder) as engine:
        engine.index([str(library)])
    with sqlite3.connect(data / "index.db") as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    more = _notes(tmp_path / "more", 120)
    monkeypatch.setenv("DESKTOP_SEARCH_MAX_PAGES", str(pages + 12))  # the disk is nearly full
    w = make_window(data)
    wait_indexed(qtbot, w, files=4)
    messages: list[str] = []
    w.messages.message.connect(lambda _level, text, _ms: messages.append(text))
    w.controller.add_folders([str(more)])
    qtbot.waitUntil(lambda: w.controller.disk_full and w.controller.job is None, timeout=90000)

    panel = w.progress_panel
    done = int(panel.detail.text().split("after ")[1].split(" files")[0])
    assert 0 < done < 120
    line = f"disk full after {done} files; free space and resume"
    assert panel.detail.text() == f"Paused · {line}"
    assert messages[-1] == f"Indexing paused: {line}"
    assert w.status.activity.text() == "Indexing paused: disk full"
    assert not any("Traceback" in m or "OperationalError" in m for m in messages)
    assert panel.isVisible() and panel.pause_btn.text() == "Resume"
    assert w.controller.paused

    # space freed: a new indexing process without the limit, then Resume carries on
    monkeypatch.delenv("DESKTOP_SEARCH_MAX_PAGES")
    w.controller.process.kill()
    qtbot.waitUntil(lambda: w.controller.process.process.is_alive(), timeout=30000)
    panel.pause_btn.click()
    assert not w.controller.disk_full and "paused" not in w.status.activity.text().lower()
    wait_indexed(qtbot, w, files=124, timeout=180000)
    assert not panel.isVisible()
    with sqlite3.connect(data / "index.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_full_disk_while_embedding_pauses_and_says_so(
    qtbot, make_window, tmp_path, encoder, monkeypatch
):
    data = tmp_path / "data"
    more = _notes(tmp_path / "more", 120)
    with Engine(data, encoder=encoder) as engine:
        engine.index([str(more)], embed=False)  # phase 1 only: every vector still to come
    with sqlite3.connect(data / "index.db") as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    monkeypatch.setenv("DESKTOP_SEARCH_MAX_PAGES", str(pages + 4))
    w = make_window(data)
    qtbot.waitUntil(lambda: w.controller.disk_full and w.controller.job is None, timeout=90000)
    line = "disk full while making passages searchable by meaning; free space and resume"
    assert w.progress_panel.detail.text() == f"Paused · {line}"
    assert w.status.currentMessage() == f"⚠ Indexing paused: {line}"
    assert w.progress_panel.isVisible() and w.progress_panel.pause_btn.text() == "Resume"
    assert w.controller.process.process.is_alive()  # paused, not dead
