"""The app's indexing process: the window stays responsive, survives the process dying, holds
one model, and never sees its results change under it. Real model, real files, Qt offscreen."""

from __future__ import annotations

import copy
import gc
import subprocess
import sys
from pathlib import Path

import pytest

from . import test_app
from .corpus import make_pdf
from .heartbeat import Heartbeat
from .test_app import wait_indexed

make_window = test_app.make_window  # the same fixture: windows on a temporary data dir
big_docs = test_app.big_docs

pytestmark = pytest.mark.gui


@pytest.fixture
def web_and_pdf(tmp_path, fixture_data) -> Path:
    """Real gnuplot HTML pages, and PDFs: an R manual excerpt whole and page by page."""
    root = tmp_path / "mixed"
    root.mkdir()
    for page in sorted((fixture_data / "docs" / "html").glob("*.html")):
        (root / page.name).write_bytes(page.read_bytes())
    pdf = fixture_data / "docs" / "pdf" / "R-FAQ-excerpt.pdf"
    (root / pdf.name).write_bytes(pdf.read_bytes())
    for n in (1, 2, 3):
        make_pdf(pdf, root / f"R-FAQ-first-{n}.pdf", pages=n)
    return root


def test_heartbeat_stays_under_100ms_while_html_and_pdfs_index_beside_a_busy_process(
    qtbot, make_window, web_and_pdf
):
    w = make_window()
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    beat = Heartbeat()
    files = len(list(web_and_pdf.iterdir()))
    try:
        w.controller.add_folders([str(web_and_pdf)])
        qtbot.waitUntil(lambda: w.controller.job in ("sync", "embed"), timeout=60000)
        beat.start()
        wait_indexed(qtbot, w, files=files, timeout=300000)  # both phases: words, then meaning
    finally:
        beat.stop()
        busy.kill()
        busy.wait()
    assert w.controller.stats["files"] == files
    assert len(beat.gaps) > 20
    worst = max(beat.blocked)
    assert worst <= 100, (
        f"GUI thread held up for {worst:.0f} ms (20 ms heartbeat; "
        f"{max(beat.gaps):.0f} ms counting the wait for a CPU on this machine)"
    )


def test_the_window_survives_the_indexing_process_dying_and_finishes_the_job(
    qtbot, make_window, big_docs
):
    total = len(list(big_docs.iterdir()))
    w = make_window()
    messages: list[str] = []
    w.messages.message.connect(lambda _level, text, _ms: messages.append(text))
    w.controller.add_folders([str(big_docs)])
    qtbot.waitUntil(
        lambda: (
            w.controller.last_progress is not None and w.controller.last_progress.files_done >= 3
        ),
        timeout=60000,
    )
    old = w.controller.process.process
    w.controller.process.kill()
    qtbot.waitUntil(lambda: any("stopped unexpectedly" in m for m in messages), timeout=30000)
    assert w.isVisible()
    wait_indexed(qtbot, w, files=total, timeout=180000)
    assert w.controller.process.process is not old and w.controller.process.process.is_alive()
    w.search("catching exceptions with try and except")
    qtbot.waitUntil(lambda: bool(w.result_paths()), timeout=30000)


def test_one_encoder_in_the_app_results_never_change_after_shown_and_trash_drops(
    qtbot, make_window, big_docs, encoder
):
    from desktop_search.core.encode.encoder import Encoder

    def encoders() -> set[int]:
        gc.collect()
        return {id(o) for o in gc.get_objects() if type(o) is Encoder}

    before = encoders()
    w = make_window()
    w.controller.add_folders([str(big_docs)])
    files = len(list(big_docs.iterdir()))
    wait_indexed(qtbot, w, files=files)
    labels = [w.tabs.tabText(i) for i in range(w.tabs.count())]
    w.tabs.setCurrentIndex(labels.index("Duplicates"))
    panel = w.duplicates_tab.panel
    assert panel is not None and panel.engine is w.controller.engine
    c = w.controller
    assert c.engine.encoder is encoder
    assert c.estimate_job.engine is c.engine and c.search_job.engine is c.engine
    assert encoders() - before == set()  # no second model, in any tab

    shown: list = []
    c.searchResults.connect(lambda outcome: shown.append((outcome, copy.deepcopy(outcome))))
    refined: list = []
    c.searchRefined.connect(refined.append)
    w.tabs.setCurrentIndex(0)
    w.search("how do I define a class with methods and attributes")
    qtbot.waitUntil(lambda: bool(refined), timeout=30000)
    outcome, snapshot = shown[-1]
    assert outcome.results and outcome.results == snapshot.results
    assert refined[-1].results is not outcome.results
    first, marked = outcome.results[0].passages[0], refined[-1].results[0].passages[0]
    assert first is not marked and first.highlights == snapshot.results[0].passages[0].highlights

    # a file trashed from the Duplicates tab leaves the index at once, in the indexing process
    dropped: list = []
    c.scan_job.dropped.connect(lambda path, n: dropped.append((path, n)))
    victim = str(sorted(big_docs.iterdir())[0])
    c.scan_job.drop(victim)
    qtbot.waitUntil(lambda: bool(dropped), timeout=30000)
    assert dropped[0][0] == victim and dropped[0][1] > 0
    qtbot.waitUntil(lambda: c.stats["files"] == files - 1, timeout=10000)
