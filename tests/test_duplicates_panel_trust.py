"""The Duplicates panel's kinds, columns, keyboard and clean-up safeguards (offscreen, real
index of hand-written texts, real scans in the indexing process)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .corpus import app_reading_side
from .dup_texts import ORIGINAL, PARAPHRASE, UNRELATED, edited

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def indexed(tmp_path_factory, encoder):
    from desktop_search.core.engine import Engine

    root = tmp_path_factory.mktemp("dupkinds")
    for rel, text in {
        "a/guide.txt": ORIGINAL,
        "b/guide-copy.txt": ORIGINAL,
        "b/guide-edited.txt": edited(ORIGINAL),
        "c/guide-reworded.txt": PARAPHRASE,
        "c/library.txt": UNRELATED,
    }.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    data = tmp_path_factory.mktemp("dupkindsdata")
    with Engine(data, encoder=encoder) as engine:
        engine.index([str(root)])
    return data, root


@pytest.fixture(scope="module")
def app_side(indexed, encoder):
    with app_reading_side(indexed[0], encoder) as side:
        yield side


@pytest.fixture()
def panel(qtbot, indexed, app_side):
    from desktop_search.app.duplicates.panel import DuplicatesPanel

    data, _ = indexed
    engine, scans, _ = app_side
    p = DuplicatesPanel(data, engine=engine, scans=scans, autoscan=False)
    qtbot.addWidget(p)
    p.resize(1160, 680)  # the tab's size in the default 1180x760 window
    p.show()
    p.set_level("file")
    qtbot.waitUntil(lambda: not p.scanning and p.report is not None, timeout=60_000)
    yield p
    p.shutdown()


def group_index(panel, kind: str):
    row = next(i for i, g in enumerate(panel.model.groups) if g.kind == kind)
    return panel.model.index(row, 0)


def test_groups_show_their_kind_in_columns_that_fit(panel) -> None:
    kinds = [g.kind for g in panel.model.groups]
    assert kinds[:2] == ["identical", "edited"] and "paraphrase" in kinds
    header = panel.tree.header()
    width = panel.tree.viewport().width()
    assert header.sectionViewportPosition(2) + header.sectionSize(2) <= width
    fm = panel.tree.fontMetrics()
    for row in range(panel.model.rowCount()):
        for col in (1, 2):
            text = panel.model.index(row, col).data()
            assert fm.horizontalAdvance(text) + 12 <= header.sectionSize(col), (text, col)
    assert panel.model.index(0, 1).data() == "identical"
    assert panel.model.index(1, 1).data() == "edited copy"


def test_trash_is_offered_at_once_only_for_identical_and_edited(qtbot, panel) -> None:
    panel.tree.setCurrentIndex(group_index(panel, "identical"))
    assert panel.left.trash_btn.isEnabled() and panel.right.trash_btn.isEnabled()
    panel.tree.setCurrentIndex(group_index(panel, "paraphrase"))
    # Before the word diff arrives the paraphrase cannot be trashed; after, it can.
    assert not panel.right.trash_btn.isEnabled()
    assert "compare" in panel.right.trash_btn.toolTip()
    qtbot.waitUntil(lambda: panel.right.trash_btn.isEnabled(), timeout=20_000)
    assert "Loading" not in panel.shown_texts()[1]


def test_rules_that_keep_a_group_from_being_emptied() -> None:
    from desktop_search.app.duplicates.model import trash_allowed
    from desktop_search.core.duplicates import Group, Member

    one_file = Group(0.9, [Member("/x/a.txt", start=0), Member("/x/a.txt", start=900)], "edited")
    assert trash_allowed(one_file, one_file.members[0], True) == (
        False,
        "every member of this group is in this file",
    )
    inside = Group(
        1.0, [Member("/x/chapter.txt"), Member("/x/book.txt")], "edited", {"contained": True}
    )
    assert trash_allowed(inside, inside.members[0], False)[0]  # the chapter is in the book
    assert not trash_allowed(inside, inside.members[1], True)[0]  # the book holds more
    para = Group(0.8, [Member("/x/a.txt"), Member("/y/b.txt")], "paraphrase")
    assert not trash_allowed(para, para.members[1], False)[0]
    assert trash_allowed(para, para.members[1], True)[0]


def test_trash_names_the_kept_file_and_the_file_leaves_the_index(
    qtbot, panel, indexed, app_side, tmp_path, monkeypatch
) -> None:
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop_search.core.store.catalog import Store

    data, root = indexed
    home = tmp_path / "home"
    (home / ".local" / "share").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    panel.tree.setCurrentIndex(group_index(panel, "identical"))
    _, kept, victim = panel.compare.pair
    seen: list[str] = []

    def answer(button_text: str) -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text() + "\n" + box.informativeText())
        next(b for b in box.buttons() if b.text() == button_text).click()

    # From the keyboard: Delete on the list asks about the right-hand file; cancel first.
    panel.tree.setFocus()
    QTimer.singleShot(50, lambda: answer("Cancel"))
    qtbot.keyClick(panel.tree, Qt.Key.Key_Delete)
    assert Path(victim.path).exists()
    QTimer.singleShot(50, lambda: answer("Move to trash"))
    assert panel.trash(victim.path) is True
    assert not Path(victim.path).exists()
    name_kept = Path(kept.path).name
    assert all(Path(victim.path).name in s and f"Kept: “{name_kept}”" in s for s in seen)
    assert len(seen) == 2

    def gone() -> bool:
        with Store(data) as store:
            return store.file(victim.path) is None

    qtbot.waitUntil(gone, timeout=10_000)
    # The group is gone from the list, and a rescan does not bring the file back.
    assert not any(m.path == victim.path for g in panel.model.groups for m in g.members)
    panel.scan()
    qtbot.waitUntil(lambda: not panel.scanning, timeout=60_000)
    assert not any(m.path == victim.path for g in panel.model.groups for m in g.members)
    Path(victim.path).write_text(ORIGINAL)  # for the other tests' index: re-synced below
    from desktop_search.app.indexing.sync_job import SyncJob

    sync = SyncJob(app_side[2])
    with qtbot.waitSignal(sync.result, timeout=60_000):
        sync.run()


def test_keyboard_moves_through_groups_and_into_the_comparison(qtbot, panel) -> None:
    from PySide6.QtCore import Qt

    panel.tree.setFocus()
    panel.tree.setCurrentIndex(panel.model.index(0, 0))
    first = panel.compare_label.text()
    qtbot.keyClick(panel.tree, Qt.Key.Key_Down)  # into the first group's members or the next
    qtbot.keyClick(panel.tree, Qt.Key.Key_End)
    assert panel.tree.currentIndex().row() == panel.model.rowCount() - 1
    assert panel.compare_label.text() != first
    assert panel.tree.nextInFocusChain() is not None
    order = []
    w = panel.tree
    for _ in range(4):
        w = w.nextInFocusChain()
        order.append(w)
    assert panel.left.text in order
