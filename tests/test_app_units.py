"""The app's small parts, without the model: item model, throttle, preview, estimate, helpers."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def _results():
    from desktop_search.core.search.results import FileResult, PassageHit

    return [
        FileResult(
            "/docs/a/report.pdf",
            0.9,
            "pdf",
            1_700_000_000.0,
            1234,
            [
                PassageHit(1, "The budget for <2024> & beyond grew.", 3, 0, 36, 0.9, [(4, 10)]),
                PassageHit(2, "Second passage about costs.", 4, 40, 67, 0.5, []),
                PassageHit(3, "Third passage.", 5, 70, 84, 0.4, []),
            ],
            matches=5,
        ),
        FileResult(
            "/docs/b/notes.md",
            0.45,
            "text",
            1_700_000_000.0,
            99,
            [
                PassageHit(4, "Notes on the trip.", None, 0, 18, 0.45, [(0, 5)]),
            ],
        ),
    ]


def test_results_model_passes_the_model_tester(qapp, qtmodeltester):
    from desktop_search.app.search.model import ResultsModel

    model = ResultsModel()
    qtmodeltester.check(model)
    model.set_results(_results(), "budget")
    qtmodeltester.check(model)
    model.clear()
    qtmodeltester.check(model)


def test_results_model_structure_and_roles(qtbot):
    from PySide6.QtCore import QModelIndex, Qt

    from desktop_search.app.search import model as sm

    model = sm.ResultsModel()
    model.set_results(_results(), "budget")
    assert model.rowCount() == 2
    first = model.index(0, 0)
    assert model.rowCount(first) == 2  # the other two passages of report.pdf
    assert model.rowCount(model.index(1, 0)) == 0
    child = model.index(1, 0, first)
    assert model.parent(child) == first
    assert first.data(Qt.ItemDataRole.DisplayRole) == "report.pdf"
    lead, second, passage = sm.entry_at(first), sm.entry_at(model.index(1, 0)), sm.entry_at(child)
    assert lead.is_file and not passage.is_file
    assert lead.file.folder == "/docs/a"
    # bars are absolute: the result's own 0..1 score, not a share of the best one's
    assert lead.score == pytest.approx(0.9)
    assert second.score == pytest.approx(0.45)
    assert passage.score == pytest.approx(0.4)
    assert lead.hit.page == 3 and passage.hit.page == 5
    assert lead.more == 4  # matching passages besides the lead, not the cap
    assert second.more == 0
    assert sm.entry_at(model.index(5, 0)) is None and sm.entry_at(QModelIndex()) is None
    html = lead.snippet
    assert "&lt;2024&gt; &amp;" in html  # escaped
    assert sm.MARK_OPEN + "budget" + sm.MARK_CLOSE in html
    assert first.data(Qt.ItemDataRole.DecorationRole) is not None
    assert model.paths() == ["/docs/a/report.pdf", "/docs/b/notes.md"]
    assert lead.span == "page 3"
    assert second.span is None


def test_result_rows_name_slides_sheets_and_messages(qtbot):
    from desktop_search.app.search import model as sm
    from desktop_search.core.search.searcher import FileResult, PassageHit
    from desktop_search.core.search.spans import Span

    spans = {
        "/d/talk.pptx": Span("slide", 7),
        "/d/costs.xlsx": Span("sheet", 2, "Costs"),
        "/d/box.mbox": Span("message", 4, "Budget — Ann <a@b.c> — 2024-03-01 09:00"),
    }
    model = sm.ResultsModel()
    model.set_results(
        [
            FileResult(path, 0.5, None, 1e9, 10, [PassageHit(i, "text", None, 0, 4, 0.5, [], span)])
            for i, (path, span) in enumerate(spans.items())
        ],
        "text",
    )
    shown = [sm.entry_at(model.index(i, 0)).span for i in range(3)]
    assert shown == ["slide 7", "sheet Costs", "Budget — Ann <a@b.c> — 2024-03-01 09:00"]
    assert [sm.entry_at(model.index(i, 0)).hit.page for i in range(3)] == [None] * 3  # no PDF page


def test_snippet_window_is_centred_on_the_highlight():
    from desktop_search.app.search.model import MARK_OPEN, snippet_html

    text = "word " * 200 + "needle " + "word " * 200
    start = text.index("needle")
    html = snippet_html(text, [(start, start + 6)], width=120)
    assert html.startswith("… ") and html.endswith(" …")
    assert MARK_OPEN + "needle" in html


def test_throttle_debounces_and_flushes(qtbot):
    from desktop_search.app.search.throttle import Throttle

    calls = []
    t = Throttle(lambda *a: calls.append(a), 50)
    for ch in "abc":
        t(ch)
    assert calls == [] and t.pending
    qtbot.waitUntil(lambda: calls == [("c",)], timeout=2000)
    t("d")
    t.flush()
    assert calls[-1] == ("d",) and not t.pending
    t("e")
    t.cancel()
    qtbot.wait(120)
    assert calls[-1] == ("d",)


def test_preview_shows_the_pdf_page_with_highlights():
    from desktop_search.core.extract.dispatch import Extracted, Segment
    from desktop_search.core.search.preview import PreviewRequest, build_preview
    from desktop_search.core.search.results import PassageHit

    page1 = "First page text.\n"
    page2 = "Second page: the budget grew & costs fell.\nMore on page two."
    doc = Extracted(
        page1 + page2,
        [Segment(0, len(page1), 1), Segment(len(page1), len(page1 + page2), 2)],
        kind="pdf",
    )
    start = len(page1) + page2.index("the budget")
    text = "the budget grew & costs fell."
    hit = PassageHit(7, text, 2, start, start + len(text), 0.8, [(4, 10)])
    out = build_preview(PreviewRequest(1, "/x.pdf", hit), lambda _p: doc)
    assert out.page == 2 and not out.note
    assert "First page" not in out.html  # only the passage's page
    assert "More on page two" in out.html
    assert "&amp; costs" in out.html
    assert 'name="hit"' in out.html
    assert 'font-weight:600;">budget</span>' in out.html


def test_preview_of_a_changed_or_unreadable_file_falls_back_to_the_passage():
    from desktop_search.core.extract.dispatch import Extracted, ExtractionError
    from desktop_search.core.search.preview import PreviewRequest, build_preview
    from desktop_search.core.search.results import PassageHit

    hit = PassageHit(1, "old text", None, 0, 8, 0.5, [])
    changed = build_preview(
        PreviewRequest(1, "/x.txt", hit), lambda _p: Extracted("something else entirely")
    )
    assert "changed since it was indexed" in changed.note and "old text" in changed.html

    def fail(_p):
        raise ExtractionError("permission denied")

    gone = build_preview(PreviewRequest(2, "/x.txt", hit), fail)
    assert "permission denied" in gone.note
    moved = build_preview(
        PreviewRequest(3, "/x.txt", hit), lambda _p: Extracted("new intro\n\nold text")
    )
    assert not moved.note and "new intro" in moved.html


def test_reveal_never_uses_a_shell():
    from desktop_search.core.service.opener import reveal_command

    assert reveal_command("/home/me/a b.txt", "linux") == ["xdg-open", "/home/me"]
    assert reveal_command("/Users/me/a.txt", "darwin") == ["open", "-R", "/Users/me/a.txt"]
    assert reveal_command("C:/x/a.txt", "win32")[0] == "explorer"
    assert reveal_command("C:/x/a.txt", "win32")[1].startswith("/select,")


def test_estimate_counts_files_and_formats(tmp_path):
    from desktop_search.core.index.estimate import (
        Estimate,
        format_duration,
        format_size,
        scan_folders,
    )

    (tmp_path / "a.txt").write_text("x" * 1800)
    (tmp_path / "b.md").write_text("y" * 100)
    (tmp_path / "skip.log").write_text("z")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    est = scan_folders([str(tmp_path)], include=[".txt", ".md"], exclude=["skip*"])
    assert (est.files, est.new_files, est.bytes) == (2, 2, 1900)
    assert est.passages == 4  # 1800 / 540 -> 3, plus 1
    assert est.seconds is None
    est.speed = 10.0
    assert est.seconds == pytest.approx(4 / 10 * 1.15 + 0.02)
    assert Estimate([], passages=100_000, new_files=10, speed=10.0).seconds > 3600
    assert format_duration(30) == "less than a minute"
    assert format_duration(600) == "about 10 minutes"
    assert format_duration(3 * 3600) == "about 3.0 hours"
    assert format_size(2048) == "2.0 KB"


def test_type_groups_and_patterns():
    from desktop_search.app.common.filetypes import GROUPS, parse_patterns, suffixes_for
    from desktop_search.core.extract.dispatch import SUPPORTED_SUFFIXES
    from desktop_search.core.extract.ocr import IMAGE_SUFFIXES

    covered = {s for g in GROUPS for s in g.suffixes}
    assert covered == set(SUPPORTED_SUFFIXES) | IMAGE_SUFFIXES  # images: a group of their own
    assert suffixes_for(["documents"]) == [".pdf", ".docx", ".odt", ".rtf"]
    assert suffixes_for(["sheets"]) == [".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".tsv"]
    assert parse_patterns("*.log, drafts/*; My Old Stuff\n build") == [
        "*.log",
        "drafts/*",
        "My Old Stuff",
        "build",
    ]


def test_progress_texts_and_status_bar(qtbot):
    from desktop_search.app.mainwindow.status import (
        AppStatusBar,
        IndexProgressPanel,
        progress_summary,
    )
    from desktop_search.core.sync_report import Progress

    p = Progress("indexing", 120, 450, 300, 13.24, 200.0, "/docs/x.txt")
    assert progress_summary(p) == "120 of 450 files · 13.2 passages/s · about 3 minutes left"
    assert progress_summary(Progress("scanning")).startswith("Looking")
    ocr = Progress("recognising", 2, 5, passages_per_s=0.4)  # the OCR stage: files, pages/s
    assert progress_summary(ocr) == "OCR: 2 of 5 scanned files · 0.40 pages/s"
    bar = AppStatusBar()
    qtbot.addWidget(bar)
    bar.set_summary(2, 1234, 5678, queued=3)
    assert (
        bar.summary.text() == "watching 2 folders · 1,234 files · 5,678 passages · 3 changes queued"
    )
    bar.set_problem_count(0)
    assert bar.problems.isHidden()
    panel = IndexProgressPanel()
    qtbot.addWidget(panel)
    panel.begin(2)
    panel.update_progress(p)
    assert panel.bar.maximum() == 450 and panel.bar.value() == 120
    with qtbot.waitSignal(panel.pauseClicked):
        panel.pause_btn.click()
    panel.set_paused(True)
    assert panel.pause_btn.text() == "Resume" and panel.detail.text().startswith("Paused")
    with qtbot.waitSignal(panel.resumeClicked):
        panel.pause_btn.click()


def test_problems_dialog_is_non_modal_and_lists_problems(qtbot):
    from desktop_search.app.indexing.problems import ProblemsDialog

    d = ProblemsDialog()
    qtbot.addWidget(d)
    d.set_problems(
        [("/docs/broken.pdf", "malformed pdf file"), ("/docs/locked", "cannot read folder")]
    )
    assert d.count() == 2 and not d.isModal()
    with qtbot.waitSignal(d.revealRequested) as sig:
        d.list.setCurrentItem(d.list.topLevelItem(1))
        d.reveal_btn.click()
    assert sig.args == ["/docs/locked"]


def test_observed_event_reports_when_seen():
    from desktop_search.core.service.messages import ObservedEvent

    seen = []
    ev = ObservedEvent(lambda: seen.append(1))
    assert not ev.is_set() and seen == []
    ev.set()
    assert ev.is_set() and ev.is_set() and seen == [1]  # reported once
    ev.clear()
    ev.set()
    ev.is_set()
    assert seen == [1, 1]


def test_file_type_icons_are_drawn(qtbot):
    from desktop_search.app.common.icons import app_icon, file_icon, type_key

    assert (
        type_key("/a/b.PDF") == "pdf"
        and type_key("x.rst.txt") == "rst"
        and type_key("y.py") == "code"
    )
    assert not file_icon("/a/b.pdf").isNull()
    assert not app_icon().isNull()
