"""The Related pane, the Related action, the Topics tab and the topic filter, driven
offscreen with pytest-qt over a real index built by the app's own indexing process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .corpus import BREAD_TEXT, CAR_TEXT
from .test_app import make_window, result_names, wait_indexed  # noqa: F401 (fixture)

pytestmark = pytest.mark.gui

PLOTS = ["node10.html", "node100.html", "node318.html"]  # gnuplot: points, jitter, overlap
PYTHON = ["library/keyword.rst.txt", "library/colorsys.rst.txt", "tutorial/appetite.rst.txt"]


@pytest.fixture
def library(tmp_path, fixture_data) -> Path:
    root = tmp_path / "lib"
    root.mkdir()
    for name in PLOTS:
        shutil.copy(fixture_data / "docs" / "html" / name, root / name)
    for rel in PYTHON:
        shutil.copy(fixture_data / "docs" / "rst" / rel, root / Path(rel).name)
    (root / "car.txt").write_text(CAR_TEXT)
    (root / "bread.md").write_text(BREAD_TEXT)
    return root


def _indexed_window(qtbot, make_window, library):  # noqa: F811
    w = make_window()
    w.controller.add_folders([str(library)], [], [])
    wait_indexed(qtbot, w, files=8)
    return w


def test_related_pane_follows_the_selection_and_previews_a_choice(
    qtbot,
    make_window,  # noqa: F811
    library,
):
    from pathlib import Path

    w = _indexed_window(qtbot, make_window, library)
    pane = w.related_view.pane
    w.search("points that overlap are jittered")
    qtbot.waitUntil(lambda: bool(result_names(w)), timeout=30000)
    first = w.result_paths()[0]
    w.results_view.setCurrentIndex(w.model.index(0, 0))
    qtbot.waitUntil(lambda: pane.path == first and bool(pane.paths()), timeout=30000)
    related = [Path(p).name for p in pane.paths()]
    assert Path(first).name not in related
    if Path(first).name in PLOTS:  # the other plotting pages come first
        assert set(related[:2]) <= set(PLOTS)
    # the preview's Related action asks for the file it shows
    other = str(library / "car.txt")
    w.related_view.preview_file(other)
    assert w.preview.related_btn.isVisible()
    w.preview.related_btn.click()
    qtbot.waitUntil(lambda: pane.path == other and bool(pane.paths()), timeout=30000)
    # clicking a related file previews it
    item = pane.list.item(0)
    pane.list.itemClicked.emit(item)
    assert w.preview.path == pane.paths()[0]


def test_topics_tab_maps_every_file_and_filters_the_search(
    qtbot,
    make_window,  # noqa: F811
    library,
):
    from PySide6.QtCore import Qt

    from desktop_search.app.related.topics import ROLE_TOPIC

    w = _indexed_window(qtbot, make_window, library)
    panel = w.related_view.topics
    w.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: len(panel.map.dots) == 8, timeout=30000)
    assert panel.list.count() >= 2
    names = {d.toolTip() for d in panel.map.dots}
    assert names == {p.name for p in library.iterdir()}
    # the three plotting pages share a topic, and choosing it dims every other point
    topic_of = {d.toolTip(): d.data(1) for d in panel.map.dots}
    (plots,) = {topic_of[n] for n in PLOTS}
    row = next(i for i in range(panel.list.count()) if panel.list.item(i).data(ROLE_TOPIC) == plots)
    panel.list.setCurrentRow(row)
    dimmed = {d.toolTip() for d in panel.map.dots if d.opacity() < 1}
    assert dimmed == names - {n for n, t in topic_of.items() if t == plots}
    # clicking a point previews its file
    dot = next(d for d in panel.map.dots if d.toolTip() == "car.txt")
    centre = panel.map.mapFromScene(dot.sceneBoundingRect().center())
    qtbot.mouseClick(panel.map.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert w.preview.path == str(library / "car.txt")
    # choosing a topic searches in it
    w.tabs.setCurrentWidget(panel)
    w.search_box.setText("points")
    panel.list.itemActivated.emit(panel.list.item(row))
    assert w.search_box.text() == f"topic:{plots} points"
    qtbot.waitUntil(lambda: bool(result_names(w)), timeout=30000)
    assert set(result_names(w)) <= {n for n, t in topic_of.items() if t == plots}
