"""The Qt binding must not take references from ``None``: PySide6-Essentials 6.12.0 on Python
3.11 hands back ``None`` without a reference from every call that returns nothing or an empty
QVariant, and the window aborts with "none_dealloc" once the count reaches zero (issue 23).
None is immortal on Python 3.12 and later, where these checks pass on any binding."""

from __future__ import annotations

import sys

import pytest

from .corpus import build_corpus, indexed_engine

pytestmark = pytest.mark.gui

ROUNDS = 300


def none_refs_lost(step, rounds: int = ROUNDS) -> int:
    """How many references ``None`` lost over ``rounds`` calls of ``step`` (after one warm-up)."""
    step()
    before = sys.getrefcount(None)
    for _ in range(rounds):
        step()
    return before - sys.getrefcount(None)


def test_the_binding_keeps_none_alive_across_the_calls_the_app_makes(qtbot):
    """Calls that return nothing, and reads of empty values: the binding as installed."""
    from PySide6.QtCore import QAbstractListModel, QObject, Qt
    from PySide6.QtGui import QColor, QPainter, QPixmap
    from PySide6.QtWidgets import QComboBox, QListWidget, QListWidgetItem, QWidget

    class Rows(QAbstractListModel):
        def rowCount(self, parent=None) -> int:
            return 1

        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            return "row" if role == Qt.ItemDataRole.DisplayRole else None

    widget = QWidget()
    qtbot.addWidget(widget)
    rows = Rows()
    combo = QComboBox()
    qtbot.addWidget(combo)
    combo.addItem("any")
    items = QListWidget()
    qtbot.addWidget(items)
    item = QListWidgetItem("folder", items)
    pixmap = QPixmap(8, 8)
    painter = QPainter(pixmap)
    try:
        lost = {
            "QWidget.update()": none_refs_lost(widget.update),
            "QPainter.setPen()": none_refs_lost(lambda: painter.setPen(QColor("red"))),
            "QModelIndex.data(empty role)": none_refs_lost(
                lambda: rows.index(0).data(Qt.ItemDataRole.UserRole)
            ),
            "QListWidgetItem.data(empty role)": none_refs_lost(
                lambda: item.data(Qt.ItemDataRole.UserRole)
            ),
            "QComboBox.currentData() of None": none_refs_lost(combo.currentData),
            "QObject.property(missing)": none_refs_lost(lambda: QObject().property("missing")),
        }
    finally:
        painter.end()
    assert {k: v for k, v in lost.items() if v > ROUNDS // 10} == {}, (
        "this PySide6 takes references from None (see the pin in pyproject.toml)"
    )


@pytest.fixture(scope="module")
def results(tmp_path_factory, fixture_data, encoder):
    """Real results over a mixed folder: a PDF with pages, text files without, and files with
    further matching passages (child rows, which have no icon)."""
    base = tmp_path_factory.mktemp("refcounts")
    root = build_corpus(fixture_data, base / "docs")
    engine, _ = indexed_engine(root, base / "data", encoder)
    with engine:
        found = engine.search("convert colours between colour systems", mode="hybrid", k=10)
    assert any(r.passages[0].page for r in found) and any(not r.passages[0].page for r in found)
    assert any(len(r.passages) > 1 for r in found)
    return found


@pytest.mark.slow
def test_the_results_view_repaints_hovers_and_selects_without_losing_none(qtbot, results):
    """The app's own results view as a person uses it: repaint, hover row by row, select."""
    from PySide6.QtCore import QObject
    from PySide6.QtTest import QTest

    from desktop_search.app.search.page import SearchPage

    keys = QObject()
    page = SearchPage(keys)
    qtbot.addWidget(page)
    page.resize(900, 700)
    page.show()
    qtbot.waitExposed(page)
    view, model = page.results_view, page.model
    model.set_results(results, "convert colours")
    view.expandAll()
    rows = [model.index(r, 0) for r in range(model.rowCount())]
    rows += [model.index(c, 0, f) for f in list(rows) for c in range(model.rowCount(f))]
    assert len(rows) > len(results)  # child passages are shown too
    spots = [view.visualRect(i).center() for i in rows if view.visualRect(i).isValid()]
    state = {"n": 0}

    def use_once() -> None:
        n = state["n"] = state["n"] + 1
        QTest.mouseMove(view.viewport(), spots[n % len(spots)])
        view.setCurrentIndex(rows[n % len(rows)])
        view.viewport().grab()

    lost = none_refs_lost(use_once)
    assert lost <= ROUNDS // 10, f"None lost {lost} references in {ROUNDS} repaints"


def none_refs_gained(step, rounds: int = ROUNDS) -> int:
    """How many references ``None`` gained over ``rounds`` calls of ``step``."""
    return -none_refs_lost(step, rounds)


def test_panes_refilled_at_every_selection_keep_none_flat(qtbot):
    """The soak's rising count (issue 23): the Related pane, refilled at every selection,
    gave None ~24 references each time (the Problems dialog 20 a refill). PySide6 6.11 keeps
    one the first time setters such as ``setToolTip`` run on an item that Python constructed;
    rows that Qt makes, and roles set through ``setData``, do not."""
    from desktop_search.app.indexing.problems import ProblemsDialog
    from desktop_search.app.related.job import TopicsOutcome
    from desktop_search.app.related.pane import RelatedPane
    from desktop_search.app.related.topics import TopicsPanel
    from desktop_search.core.engine.topics import MapPoint, TopicInfo
    from desktop_search.core.search.related import PassageRef, Related, RelatedFile

    def ref(n: int) -> PassageRef:
        text = f"plotting points with error bars, passage {n}"
        return PassageRef(n, text, None, 0, len(text), [(0, 8)])

    files = [
        RelatedFile(f"/docs/file-{n}.txt", 0.9 - n / 100, None, n == 9, 0.8, ref(n), ref(n + 50))
        for n in range(10)
    ]
    found = Related("/docs/asked.txt", files[:8], files[8:])
    topics = [TopicInfo(t, None, ["plot", "points"], 5, ["/docs/a.txt"]) for t in range(1, 9)]
    points = [MapPoint(f"/docs/{n}.txt", n / 20, -n / 20, 1 + n % 8, 0) for n in range(20)]
    problems = [(f"/docs/scan-{n}.pdf", "cannot read: damaged") for n in range(20)]
    pane, panel, dialog = RelatedPane(), TopicsPanel(), ProblemsDialog()
    for widget in (pane, panel, dialog):
        qtbot.addWidget(widget)
    gained = {
        "RelatedPane.show_related": none_refs_gained(lambda: pane.show_related(found), 100),
        "TopicsPanel.show_topics": none_refs_gained(
            lambda: panel.show_topics(TopicsOutcome(topics, points)), 100
        ),
        "ProblemsDialog.set_problems": none_refs_gained(lambda: dialog.set_problems(problems), 100),
    }
    assert pane.paths() == [f.path for f in files]
    assert panel.list.count() == len(topics)
    assert {k: v for k, v in gained.items() if abs(v) > 10} == {}


@pytest.mark.slow
def test_rows_drawn_afresh_keep_none_flat(qtbot, results):
    """Each new width draws every row again (new images, new snippet documents): PySide6
    6.11 kept 6 references to None per QPainter begun on a new pixmap and 3 per new
    QTextDocument, so the soak's count rose ~50 at each scroll through new results."""
    from PySide6.QtCore import QObject

    from desktop_search.app.search.page import SearchPage

    page = SearchPage(QObject())
    qtbot.addWidget(page)
    page.resize(900, 700)
    page.show()
    qtbot.waitExposed(page)
    page.model.set_results(results, "convert colours")
    page.results_view.expandAll()
    state = {"width": 900}

    def draw_afresh() -> None:
        state["width"] -= 1
        page.resize(state["width"], 700)
        page.results_view.viewport().grab()

    for _ in range(40):  # fills the delegate's cache of snippet documents (a bounded cost)
        draw_afresh()
    gained = none_refs_gained(draw_afresh, 60)
    assert abs(gained) <= 30, f"None gained {gained} references over 60 redraws"
