"""The new formats in the window: a slide and a message are found by meaning, their rows
and the preview name the span, and Open hands a message to the mail program as a .eml."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import FIXTURES
from .test_app import make_window, result_names, wait_indexed  # noqa: F401 (fixture)
from .test_app_search import recorded, recorder

pytestmark = pytest.mark.gui


def test_a_slide_and_a_message_show_their_span_and_a_message_opens_as_eml(
    qtbot,
    make_window,  # noqa: F811
    tmp_path,
    monkeypatch,
):
    from desktop_search.app.search.model import entry_at

    root = tmp_path / "docs"
    root.mkdir()
    for name in ("volcanoes.pptx", "expenses.xlsx", "archive.mbox"):
        shutil.copy(FIXTURES / "formats" / name, root / name)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    record = tmp_path / "opened"
    recorder(bin_dir / "xdg-open", record)
    w = make_window()
    w.controller.add_folders([str(root)], [], [])
    wait_indexed(qtbot, w, files=3)
    w.search("molten rock hardened into six-sided pillars")
    qtbot.waitUntil(lambda: result_names(w)[:1] == ["volcanoes.pptx"], timeout=30000)
    assert entry_at(w.results_view.currentIndex()).span == "slide 3"
    qtbot.waitUntil(lambda: "slide 3" in w.preview.subtitle.text(), timeout=10000)
    w.search("an undersea wire was joined near the English coast")
    qtbot.waitUntil(lambda: result_names(w)[:1] == ["archive.mbox"], timeout=30000)
    span = entry_at(w.results_view.currentIndex()).span
    assert span == "Survey report — Hamid Rahimi <hamid@example.org> — 2024-03-08 16:40"
    qtbot.waitUntil(lambda: "Survey report" in w.preview.subtitle.text(), timeout=10000)
    w.open_current()
    qtbot.waitUntil(record.exists, timeout=10000)
    (opened,) = recorded(record)
    assert opened.endswith(b".eml")
    assert b"Subject: Survey report" in Path(opened.decode()).read_bytes()
