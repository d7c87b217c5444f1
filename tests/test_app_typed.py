"""Filters typed in the app's search box, driven offscreen with pytest-qt over a real index:
the widgets show them, the results obey them (a Latin-1 folder too), and a filter the
parser does not know is a status-bar hint while the rest of the query runs."""

from __future__ import annotations

import os

import pytest

from .test_app import make_window, result_names, wait_indexed  # noqa: F401 (fixture)
from .test_app_search import library  # noqa: F401 (fixture)

pytestmark = [pytest.mark.gui, pytest.mark.slow]


def test_filters_typed_in_the_box_show_in_the_widgets_and_narrow_the_results(
    qtbot,
    make_window,  # noqa: F811
    library,  # noqa: F811
):
    from PySide6.QtWidgets import QApplication

    root, cafe = library
    w = make_window()
    w.controller.add_folders([str(root)], [], [])
    wait_indexed(qtbot, w, files=5)
    qtbot.waitUntil(lambda: w.type_filter.count() == 3, timeout=20000)
    qtbot.waitUntil(lambda: w.folder_filter.count() == 6, timeout=20000)

    w.search(f"bread in:{root}/cooking")
    qtbot.waitUntil(lambda: set(result_names(w)) == {"soup.txt", "sourdough.md"}, timeout=20000)
    assert w.folder_filter.folder() == str(root / "cooking")
    assert w.search_view.shown_query == "bread"

    w.search("frequently asked questions type:pdf")
    qtbot.waitUntil(lambda: result_names(w) == ["rfaq.pdf"], timeout=20000)
    assert w.type_filter.currentText() == "PDF (1)" and w.folder_filter.folder() is None

    w.search("soup ext:md,txt -in:" + str(root / "cooking"))
    qtbot.waitUntil(lambda: "rfaq.pdf" not in result_names(w), timeout=20000)
    assert w.type_filter.currentText() == ".md, .txt"
    assert not {"soup.txt", "sourdough.md"} & set(result_names(w))

    # the Latin-1 folder, typed as the app shows it: its file, by its exact bytes
    w.search(f'cafe coffee in:"{root}/Caf\\xe9"')
    qtbot.waitUntil(lambda: result_names(w) == ["menu\udcff.txt"], timeout=20000)
    assert w.folder_filter.folder() == os.fsdecode(cafe)

    w.search("bread date:2001")  # every file is from today
    qtbot.waitUntil(lambda: w.search_view.searched and not result_names(w), timeout=20000)
    assert w.date_filter.currentText() == "from 2001-01-01 before 2002-01-01"
    assert w.empty.state == "no_results"

    messages: list[str] = []
    w.status.messageChanged.connect(messages.append)
    w.search("bread colour:brown")
    qtbot.waitUntil(lambda: "sourdough.md" in result_names(w), timeout=20000)
    assert any('unknown filter "colour:"' in m for m in messages), messages
    assert QApplication.activeModalWidget() is None
    # the typed filters are gone from the box: every widget is back to "all"
    assert w.type_filter.currentIndex() == 0 and w.date_filter.currentIndex() == 0
    assert w.folder_filter.folder() is None


def test_recent_queries_complete_and_clear_and_a_saved_search_comes_back(
    qtbot,
    make_window,  # noqa: F811
    library,  # noqa: F811
):
    from PySide6.QtCore import Qt

    from desktop_search.core.search.searches import Searches

    root, _ = library
    w = make_window()
    w.controller.add_folders([str(root)], [], [])
    wait_indexed(qtbot, w, files=5)
    qtbot.waitUntil(lambda: w.folder_filter.count() == 6, timeout=20000)
    box = w.search_box
    box.setText("soup")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    box.setText("bread")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert w.history.recent.stringList() == ["bread", "soup"]
    assert Searches(w.data_dir).recent() == ["bread", "soup"]  # what the next start offers
    w.history.clear_recent()
    assert w.history.recent.stringList() == [] and Searches(w.data_dir).recent() == []

    w.mode_selector.setCurrentIndex(w.mode_selector.findData("keyword"))
    w.folder_filter.set_folder(str(root / "cooking"))
    w.search("sourdough")
    w.history.save("cooking bread")
    assert [w.history.list.item(i).text() for i in range(w.history.list.count())] == [
        "cooking bread"
    ]
    w.mode_selector.setCurrentIndex(w.mode_selector.findData("hybrid"))
    w.folder_filter.set_folder(None)
    w.search("something else")
    w.history.list.itemClicked.emit(w.history.list.item(0))
    assert box.text() == "sourdough" and w.mode == "keyword"
    assert w.folder_filter.folder() == str(root / "cooking")
    qtbot.waitUntil(lambda: result_names(w) == ["sourdough.md"], timeout=20000)
