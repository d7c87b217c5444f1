"""The Duplicates panel, offscreen: real index, real scans in the indexing process."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from .corpus import app_reading_side

pytestmark = pytest.mark.gui

# A hand re-wording of "Python is an interpreted language ..." (tutorial/appetite.rst.txt).
PARAPHRASE = (
    "Since Python is interpreted, you save a lot of time while developing a program: there is "
    "nothing to compile and nothing to link. You can run the interpreter interactively, so it is "
    "easy to try out language features, to write programs you will throw away, or to test "
    "functions while you build a program from the bottom up. It even makes a useful desk calculator."
)


def _paragraph(text: str, starts_with: str) -> str:
    return next(p.strip() for p in text.split("\n\n") if p.strip().startswith(starts_with))


@pytest.fixture(scope="module")
def indexed(tmp_path_factory, fixture_data: Path, encoder):
    from desktop_search.core.engine import Engine

    rst = fixture_data / "docs" / "rst" / "tutorial"
    root = tmp_path_factory.mktemp("dupgui")
    for sub in ("orig", "para", "a", "b"):
        (root / sub).mkdir()
    appetite = (rst / "appetite.rst.txt").read_text()
    original = _paragraph(appetite, "Python is an interpreted language")
    (root / "orig" / "interpreted.txt").write_text(original)
    (root / "para" / "reworded.txt").write_text(PARAPHRASE)
    shutil.copyfile(rst / "whatnow.rst.txt", root / "a" / "whatnow.txt")
    shutil.copyfile(rst / "whatnow.rst.txt", root / "b" / "whatnow-copy.txt")
    data = tmp_path_factory.mktemp("dupguidata")
    with Engine(data, encoder=encoder) as engine:
        engine.index([str(root)])
    return data, root, original


@pytest.fixture(scope="module")
def app_side(indexed, encoder):
    with app_reading_side(indexed[0], encoder) as side:
        yield side


@pytest.fixture()
def panel(qtbot, indexed, app_side):
    from desktop_search.core.duplicates.cache import IgnoreList
    from desktop_search.core.store.catalog import Store

    data, _, _ = indexed
    with Store(data) as store:
        IgnoreList(store).clear()
    from desktop_search.app.duplicates.panel import DuplicatesPanel

    engine, scans, _ = app_side
    p = DuplicatesPanel(data, engine=engine, scans=scans, autoscan=False)
    qtbot.addWidget(p)
    p.resize(1100, 700)
    p.show()
    yield p
    p.shutdown()


def scan(qtbot, panel) -> None:
    panel.scan()
    qtbot.waitUntil(lambda: not panel.scanning, timeout=60_000)
    assert panel.report is not None, panel.status.text()


def names(group) -> set[str]:
    return {Path(m.path).name for m in group.members}


def test_panel_lists_groups_and_compares_a_paraphrase(qtbot, panel, indexed) -> None:
    _, _, original = indexed
    assert panel.objectName() == "duplicatesPanel"
    scan(qtbot, panel)
    groups = panel.model.groups
    assert groups, panel.status.text()
    from desktop_search.core.duplicates import KINDS

    keys = [(KINDS.index(g.kind), -round(g.score, 4)) for g in groups]
    assert keys == sorted(keys)  # by kind, then closest first
    assert panel.model.rowCount() == len(groups)
    first = panel.model.index(0, 0)
    assert panel.model.rowCount(first) == len(groups[0].members)
    assert panel.model.data(panel.model.index(0, 1)) == "identical"  # the kind column
    # Select the paraphrase group: both texts side by side, differing words highlighted.
    row = next(i for i, g in enumerate(groups) if names(g) == {"interpreted.txt", "reworded.txt"})
    panel.tree.setCurrentIndex(panel.model.index(row, 0))
    left, right = panel.shown_texts()
    assert {" ".join(left.split()), " ".join(right.split())} == {
        " ".join(original.split()),
        PARAPHRASE,
    }
    assert (
        "background-color" in panel.left.text.toHtml()
        and "background-color" in panel.right.text.toHtml()
    )
    assert "score" in panel.compare_label.text()
    # Selecting a member row compares it with the group's first member.
    panel.tree.setCurrentIndex(panel.model.index(1, 0, panel.model.index(row, 0)))
    assert panel.right.member is groups[row].members[1]


def test_file_level_and_compare_loaded_off_the_gui_thread(qtbot, panel) -> None:
    panel.set_level("file")  # the switch starts a scan by itself
    assert panel.scanning
    qtbot.waitUntil(lambda: not panel.scanning, timeout=60_000)
    assert panel.report.level == "file"
    same = [g for g in panel.model.groups if g.kind == "identical"]
    assert [names(g) for g in same] == [{"whatnow.txt", "whatnow-copy.txt"}]
    panel.tree.setCurrentIndex(panel.model.index(panel.model.groups.index(same[0]), 0))
    qtbot.waitUntil(lambda: "Loading" not in panel.shown_texts()[0], timeout=10_000)
    left, right = panel.shown_texts()
    assert left == right and "What Now?" in left
    assert "100% of the words match" in panel.compare_label.text()


def test_slider_rescans_in_the_background(qtbot, panel) -> None:
    scan(qtbot, panel)
    first = panel.report
    panel.slider.setValue(99)
    assert not panel.scanning  # debounced: nothing starts at once
    # A new report arrives from the worker; a scan over this small index can start and end
    # between two polls of a busy machine, so wait for its result rather than its flag.
    qtbot.waitUntil(lambda: panel.report is not first and not panel.scanning, timeout=60_000)
    assert panel.report.threshold == pytest.approx(0.99)
    assert panel.threshold_label.text() == "0.99"
    assert all(g.score >= 0.99 for g in panel.report.groups)
    assert not any(names(g) == {"interpreted.txt", "reworded.txt"} for g in panel.report.groups)


def test_cancel_leaves_the_panel_usable(qtbot, panel) -> None:
    panel.scan()
    panel.cancel()
    assert not panel.scanning and "cancelled" in panel.status.text().lower()
    scan(qtbot, panel)
    assert panel.model.groups


def test_ignore_pair_is_remembered(qtbot, panel, indexed) -> None:
    data, _, _ = indexed
    scan(qtbot, panel)
    row = next(
        i
        for i, g in enumerate(panel.model.groups)
        if names(g) == {"interpreted.txt", "reworded.txt"}
    )
    panel.tree.setCurrentIndex(panel.model.index(row, 0))
    panel.ignore_btn.click()
    assert not any(names(g) == {"interpreted.txt", "reworded.txt"} for g in panel.model.groups)
    from desktop_search.core.duplicates.cache import IgnoreList
    from desktop_search.core.store.catalog import Store

    with Store(data) as store:
        assert len(IgnoreList(store).load().passage_pairs) == 1
    scan(qtbot, panel)
    assert not any(names(g) == {"interpreted.txt", "reworded.txt"} for g in panel.model.groups)


def test_export_csv_and_json(qtbot, panel, tmp_path) -> None:
    scan(qtbot, panel)
    panel.export(tmp_path / "dups.json")
    data = json.loads((tmp_path / "dups.json").read_text())
    assert data["level"] == "passage" and len(data["groups"]) == len(panel.model.groups)
    assert set(data["groups"][0]["members"][0]) == {"path", "page", "start", "end", "text"}
    panel.export(tmp_path / "dups.csv")
    lines = (tmp_path / "dups.csv").read_text().splitlines()
    assert lines[0].startswith("group,score,kind,size,path")


def test_move_to_trash_asks_naming_the_file(qtbot, panel, indexed, tmp_path, monkeypatch) -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox

    _, root, _ = indexed
    home = tmp_path / "home"
    (home / ".local" / "share").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    victim = root / "b" / "whatnow-copy.txt"
    backup = tmp_path / "backup.txt"
    shutil.copyfile(victim, backup)
    panel.set_level("file")
    qtbot.waitUntil(
        lambda: not panel.scanning and panel.report and panel.report.level == "file", timeout=60_000
    )
    seen: list[str] = []

    def answer(button_text: str) -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text() + "\n" + box.informativeText())
        next(b for b in box.buttons() if b.text() == button_text).click()

    try:
        # Cancel first: nothing happens.
        qtbot.wait(10)
        from PySide6.QtCore import QTimer

        QTimer.singleShot(50, lambda: answer("Cancel"))
        assert panel.trash(str(victim)) is False
        assert victim.exists()
        QTimer.singleShot(50, lambda: answer("Move to trash"))
        assert panel.trash(str(victim)) is True
        assert not victim.exists()
        assert all("whatnow-copy.txt" in s for s in seen) and str(victim) in seen[-1]
        assert not any("whatnow-copy.txt" in names(g) for g in panel.model.groups)
    finally:
        if not victim.exists():
            shutil.copyfile(backup, victim)


def test_diff_highlights_only_the_differing_words() -> None:
    from desktop_search.app.duplicates.model import diff_html

    a, b, ratio = diff_html(
        "The quick brown\nfox <jumps>.\n\nSame end",
        "the SLOW brown fox <jumps>.\n\nSame end",
        reflow=True,
    )
    assert a.count("<span") == 1 and ">quick</span>" in a
    assert b.count("<span") == 1 and ">SLOW</span>" in b
    assert "&lt;jumps&gt;" in a  # escaped
    assert "<br><br>Same end" in a  # paragraph breaks kept, the lone newline reflowed
    assert 0.7 < ratio < 1.0
    assert diff_html("same words", "Same  words")[2] == 1.0
