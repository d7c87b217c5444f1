"""The search page's filters and its hand-off to the desktop, driven offscreen with pytest-qt
over a real index: types with counts, any subfolder, names that are not UTF-8, a PDF opened
at its page. The "desktop" is a private XDG tree whose programs are small scripts that note
the arguments they were started with."""

from __future__ import annotations

import os
import stat
import urllib.parse
from pathlib import Path

import pytest

from .corpus import BREAD_TEXT, CAR_TEXT, make_pdf
from .test_app import make_window, result_names, wait_indexed  # noqa: F401 (fixture)

pytestmark = pytest.mark.gui

SOUP = "Leek and potato soup: soften the leeks in butter, add stock and potatoes, simmer, blend."
MENU = b"Our little cafe serves fresh bread, a soup of the day and strong coffee."


def recorder(path: Path, record: Path) -> Path:
    """An executable that writes its arguments, NUL-separated, to ``record``."""
    path.write_text(f"#!/bin/sh\nfor a in \"$@\"; do printf '%s\\0' \"$a\"; done > '{record}'\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def recorded(record: Path) -> list[bytes]:
    return record.read_bytes().split(b"\0")[:-1]


@pytest.fixture
def library(tmp_path, fixture_data) -> tuple[Path, bytes]:
    """Five files in nested folders, one of them a Latin-1 folder with a Latin-1 name."""
    root = tmp_path / "lib"
    (root / "cooking" / "bread").mkdir(parents=True)
    (root / "cars").mkdir()
    (root / "cooking" / "soup.txt").write_text(SOUP)
    (root / "cooking" / "bread" / "sourdough.md").write_text(BREAD_TEXT)
    (root / "cars" / "brakes.txt").write_text(CAR_TEXT)
    cafe = os.fsencode(root) + b"/Caf\xe9"
    os.mkdir(cafe)
    with open(cafe + b"/menu\xff.txt", "wb") as fh:
        fh.write(MENU)
    make_pdf(fixture_data / "docs" / "pdf" / "R-FAQ-excerpt.pdf", root / "rfaq.pdf", pages=2)
    return root, cafe


def test_filters_offer_the_indexed_types_and_any_subfolder(qtbot, make_window, library):  # noqa: F811
    from PySide6.QtCore import Qt

    from desktop_search.app.search.model import path_at

    root, cafe = library
    w = make_window()
    w.controller.add_folders([str(root)], [], [])
    wait_indexed(qtbot, w, files=5)
    types = w.type_filter
    qtbot.waitUntil(lambda: types.count() == 3, timeout=20000)
    assert [types.itemText(i) for i in range(3)] == ["All types", "PDF (1)", "Text and notes (4)"]
    ff = w.folder_filter
    qtbot.waitUntil(lambda: ff.count() == 6, timeout=20000)
    assert [ff.itemText(i) for i in range(ff.count())] == [
        "All folders",
        "lib",
        "    Caf\\xe9",
        "    cars",
        "    cooking",
        "        bread",
    ]

    w.search("bread")
    qtbot.waitUntil(lambda: "sourdough.md" in result_names(w), timeout=20000)
    assert len(result_names(w)) > 2
    # type a subfolder (completion offers every indexed folder): its files and those below
    edit = ff.lineEdit()
    edit.setFocus()
    qtbot.keyClicks(edit, str(root / "cooking"))
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert ff.folder() == str(root / "cooking")
    qtbot.waitUntil(lambda: set(result_names(w)) == {"soup.txt", "sourdough.md"}, timeout=20000)
    # a folder that holds no indexed file is not taken: the choice stays
    edit.clear()
    qtbot.keyClicks(edit, str(root / "nowhere"))
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert ff.folder() == str(root / "cooking") and edit.text() == str(root / "cooking")
    # pick the deepest folder from the list with the keyboard
    ff.setFocus()
    qtbot.keyClick(ff, Qt.Key.Key_Down)
    assert ff.folder() == str(root / "cooking" / "bread")
    qtbot.waitUntil(lambda: result_names(w) == ["sourdough.md"], timeout=20000)
    # the Latin-1 folder, typed as it is shown: its file, shown escaped, with its exact bytes
    edit.clear()
    qtbot.keyClicks(edit, str(root) + "/Caf\\xe9")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert ff.folder() == os.fsdecode(cafe)
    shown = w.model.index(0, 0).data
    qtbot.waitUntil(lambda: shown(Qt.ItemDataRole.DisplayRole) == "menu\\xff.txt", timeout=20000)
    assert w.model.file_count() == 1
    row = w.model.index(0, 0)
    assert os.fsencode(path_at(row)) == cafe + b"/menu\xff.txt"
    # the empty state's "Clear filters" resets the folder too
    w.search_view._on_empty_action("clear_filters")
    assert ff.folder() is None and edit.text() == ""
    qtbot.waitUntil(lambda: len(result_names(w)) > 2, timeout=20000)


def test_a_name_that_is_not_utf8_opens_and_shows_in_its_folder(
    qtbot,
    make_window,  # noqa: F811
    library,
    tmp_path,
    monkeypatch,
):
    from desktop_search.app.common.desktop import local_url

    root, cafe = library
    menu = os.fsdecode(cafe + b"/menu\xff.txt")
    url = local_url(menu)
    assert urllib.parse.unquote_to_bytes(url.toEncoded().data()[7:]) == os.fsencode(menu)
    assert url.isLocalFile()

    w = make_window()
    w.controller.add_folders([str(root)], [], [])
    wait_indexed(qtbot, w, files=5)
    w.search("cafe coffee")
    qtbot.waitUntil(lambda: "menu\\xff.txt" in w.preview.title.text(), timeout=20000)
    assert w.preview.path == menu  # exact, through the selection and the preview

    # the desktop's opener: a script that notes what it was given
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    opened = tmp_path / "opened"
    recorder(bin_dir / "xdg-open", opened)
    with qtbot.waitSignal(w.preview.revealRequested) as sig:
        w.preview.reveal_btn.click()
    assert sig.args == [menu]
    qtbot.waitUntil(opened.exists, timeout=10000)
    assert recorded(opened) == [cafe]  # "show in folder": the folder's exact bytes
    opened.unlink()
    with qtbot.waitSignal(w.preview.openRequested) as sig:
        w.preview.open_btn.click()
    assert sig.args == [menu, None]
    qtbot.waitUntil(opened.exists, timeout=10000)
    assert recorded(opened) == [cafe + b"/menu\xff.txt"]  # the file's exact bytes


def test_a_pdf_opens_at_the_matching_page(qtbot, make_window, library, tmp_path, monkeypatch):  # noqa: F811
    from desktop_search.app.search.model import entry_at

    root, _ = library
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "evince-args"
    viewer = recorder(bin_dir / "evince", record)
    apps = tmp_path / "share" / "applications"
    apps.mkdir(parents=True)
    (apps / "org.gnome.Evince.desktop").write_text(f"[Desktop Entry]\nExec={viewer} %U\n")
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "mimeapps.list").write_text(
        "[Default Applications]\napplication/pdf=org.gnome.Evince.desktop\n"
    )
    monkeypatch.setenv("PATH", str(bin_dir))  # no xdg-mime: the mimeapps.list decides
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setenv("XDG_DATA_DIRS", str(tmp_path / "none"))

    w = make_window()
    w.controller.add_folders([str(root)], [], [])
    wait_indexed(qtbot, w, files=5)
    qtbot.waitUntil(lambda: w.type_filter.itemText(1) == "PDF (1)", timeout=20000)
    w.type_filter.setCurrentIndex(1)
    w.search("how should I cite R in a publication")
    qtbot.waitUntil(lambda: result_names(w) == ["rfaq.pdf"], timeout=20000)
    page = entry_at(w.results_view.currentIndex()).hit.page
    assert page in (1, 2)
    w.open_current()
    qtbot.waitUntil(record.exists, timeout=10000)
    assert recorded(record) == [f"--page-index={page}".encode(), os.fsencode(root / "rfaq.pdf")]


def test_the_problems_list_shows_and_reveals_a_name_that_is_not_utf8(qtbot):
    from desktop_search.app.indexing.problems import ProblemsDialog

    bad = os.fsdecode(b"/archive/Caf\xe9/broken\xff.pdf")
    d = ProblemsDialog()
    qtbot.addWidget(d)
    d.set_problems([(bad, "malformed pdf file")])
    assert d.list.topLevelItem(0).text(0) == "/archive/Caf\\xe9/broken\\xff.pdf"
    with qtbot.waitSignal(d.revealRequested) as sig:
        d.reveal_btn.click()
    assert sig.args == [bad]


def test_filters_keep_a_choice_while_it_exists_and_what_is_being_typed(qtbot):
    from desktop_search.app.search.filters import FolderFilter, TypeFilter

    types = TypeFilter()
    qtbot.addWidget(types)
    types.set_counts({".pdf": 3, ".md": 2, ".txt": 1, ".html": 0})
    assert [types.itemText(i) for i in range(types.count())] == [
        "All types",
        "PDF (3)",
        "Text and notes (3)",
    ]
    types.setCurrentIndex(2)
    types.set_counts({".pdf": 4, ".txt": 7})
    assert types.currentText() == "Text and notes (7)" and ".md" in types.suffixes()
    with qtbot.waitSignal(types.currentIndexChanged):
        types.set_counts({".pdf": 4})  # no text file left: back to all types
    assert types.suffixes() == ()

    folders = ["/a", "/a/x", "/a/x/deep", "/b", "/b/y z"]
    ff = FolderFilter()
    qtbot.addWidget(ff)
    ff.set_folders(folders, ["/a", "/b"])
    assert [ff.itemText(i) for i in range(ff.count())] == [
        "All folders",
        "a",
        "    x",
        "        deep",
        "b",
        "    y z",
    ]
    assert ff.set_folder("/a/x/deep") and ff.folder() == "/a/x/deep"
    assert not ff.set_folder("/a/elsewhere") and ff.folder() == "/a/x/deep"
    ff.show()
    ff.lineEdit().setFocus()
    qtbot.waitUntil(ff.lineEdit().hasFocus, timeout=5000)
    ff.lineEdit().setText("/b/y")
    ff.set_folders(folders, ["/a", "/b"])  # a refresh while typing keeps the text
    assert ff.lineEdit().text() == "/b/y" and ff.folder() == "/a/x/deep"
    with qtbot.waitSignal(ff.folderChanged):
        ff.set_folders(["/a", "/b"], ["/a", "/b"])  # its files are gone: all folders
    assert ff.folder() is None
