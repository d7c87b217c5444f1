"""Tools ▸ Adapt model to my documents, driven offscreen: train, re-embed, swap; cancel; errors.

Four short library pages from the Python docs in tests/fixtures, 8 mined pairs in batches of 4
for one epoch: the whole module takes well under a minute on a laptop CPU.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from desktop_search.core.engine.adapting import MIN_PAIRS

from . import test_app
from .test_app import find, result_names, wait_indexed

make_window = test_app.make_window  # the same fixture: windows on a temporary data dir

pytestmark = pytest.mark.gui

PAGES = ("colorsys", "keyword", "uu", "html")
QUERY = "colour space conversion"
SMALL = {"max_pairs": 8, "batch_size": 4, "epochs": 1}


@pytest.fixture
def library(tmp_path, fixture_data) -> Path:
    root = tmp_path / "library"
    root.mkdir()
    for name in PAGES:
        shutil.copy(
            fixture_data / "docs" / "rst" / "library" / f"{name}.rst.txt", root / f"{name}.rst"
        )
    return root


ORIGINAL = (
    "Python is an interpreted language, which can save you considerable time during program "
    "development because no compilation and linking is necessary. The interpreter can be used "
    "interactively, which makes it easy to experiment with features of the language."
)
REWORDED = (
    "Since Python is interpreted, you save a lot of time while developing a program: there is "
    "nothing to compile and nothing to link. You can run the interpreter interactively, so it "
    "is easy to try out features of the language."
)


def passage_duplicates(qtbot, w) -> set[str]:
    """Names of the files in the passage-level duplicate groups of a scan run by the app."""
    from desktop_search.app.duplicates.job import ScanRequest

    reports: list = []
    w.controller.scan_job.result.connect(lambda _req, report: reports.append(report))
    w.controller.scan_job.scan(ScanRequest(1, "passage", 0.7))
    qtbot.waitUntil(lambda: bool(reports), timeout=60000)
    return {Path(m.path).name for g in reports[0].groups for m in g.members}


def active_model(data: Path) -> str | None:
    from desktop_search.core.store.catalog import Store

    with Store(data) as store:
        return store.get_meta("active_model")


def finished_adapts(w) -> list:
    done: list = []
    w.controller.indexingFinished.connect(lambda r: r.kind == "adapt" and done.append(r))
    return done


def test_adapt_trains_switches_while_searching_and_cancel_keeps_the_model(
    qtbot, make_window, library, tmp_path, monkeypatch
):
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QDialog, QFrame, QPushButton

    data = tmp_path / "data"
    w = make_window(data)
    w.controller.add_folders([str(library)])
    wait_indexed(qtbot, w, files=len(PAGES))
    first_model = w.controller.engine.encoder.path
    panel = find(w, QFrame, "indexProgress")
    labels: list[str] = []
    w.controller.indexingProgress.connect(lambda _p: labels.append(panel.detail.text()))
    done = finished_adapts(w)

    # the menu action asks first; four pages give too few pairs, so it refuses, and says why
    action = find(w, QAction, "adaptModelAction")
    action.trigger()
    dialog = w.findChild(QDialog, "adaptDialog")
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=60000)
    assert dialog.plan.pairs < MIN_PAIRS and not dialog.adapt_btn.isEnabled()
    assert f"at least {MIN_PAIRS}" in dialog.refusal.text() and dialog.refusal.isVisible()
    dialog.reject()
    assert w.controller.job is None and action.isEnabled()

    assert w.start_adapt(confirm=False, **SMALL)
    assert not action.isEnabled()
    qtbot.waitUntil(lambda: w.controller.job == "adapt", timeout=30000)
    assert panel.isVisible() and "Adapting the model" in panel.title.text()
    # searching goes on meanwhile, with the old model
    w.search(QUERY)
    qtbot.waitUntil(lambda: result_names(w)[:1] == ["colorsys.rst"], timeout=30000)
    searched_during = bool(w.controller.job == "adapt")

    qtbot.waitUntil(lambda: bool(done), timeout=120000)
    result = done[0]
    assert not result.cancelled and result.model
    new_model = Path(result.model)
    assert new_model.parent == w.controller.engine.data_dir / "models"
    assert new_model.name.startswith("adapted-") and (new_model / "config.json").exists()
    assert w.controller.engine.encoder.path == new_model
    assert active_model(data) == str(new_model)
    assert searched_during
    assert any(t.startswith("Adapting the model: step ") for t in labels), labels
    assert any(t.startswith("Re-embedding ") and "passages" in t for t in labels), labels
    assert not panel.isVisible() and action.isEnabled()
    assert "Now searching with the adapted model" in w.status.currentMessage()

    # a fresh search after the swap uses the adapted model and still finds the page
    w.search("")
    w.search(QUERY)
    qtbot.waitUntil(lambda: result_names(w)[:1] == ["colorsys.rst"], timeout=30000)

    # files indexed after the swap take part in duplicate scans (vectors of the new model)
    later = tmp_path / "later"
    later.mkdir()
    (later / "original.txt").write_text(ORIGINAL, encoding="utf-8")
    (later / "reworded.txt").write_text(REWORDED, encoding="utf-8")
    w.controller.add_folders([str(later)])
    wait_indexed(qtbot, w, files=len(PAGES) + 2)
    assert passage_duplicates(qtbot, w) >= {"original.txt", "reworded.txt"}

    # a second run cancelled while training: the adapted model stays active, nothing is left over
    assert w.start_adapt(confirm=False, **SMALL)
    qtbot.waitUntil(
        lambda: (
            w.controller.job == "adapt"
            and getattr(w.controller.last_progress, "phase", "") == "training"
        ),
        timeout=30000,
    )
    find(panel, QPushButton, "cancelButton").click()
    qtbot.waitUntil(lambda: len(done) == 2, timeout=60000)
    assert done[1].cancelled and not done[1].model
    assert w.controller.engine.encoder.path == new_model != first_model
    assert active_model(data) == str(new_model)
    # no half-trained model left over (``onnx`` holds the query model exports)
    assert [p.name for p in new_model.parent.iterdir() if p.name != "onnx"] == [new_model.name]
    assert "stopped" in w.status.currentMessage()
    w.search("")
    w.search(QUERY)
    qtbot.waitUntil(lambda: result_names(w)[:1] == ["colorsys.rst"], timeout=30000)


def test_adapt_without_headings_says_why(qtbot, make_window, tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "note.txt").write_text(
        "just a line of text without any heading, about nothing in particular at all\n",
        encoding="utf-8",
    )
    w = make_window()
    w.controller.add_folders([str(notes)])
    wait_indexed(qtbot, w, files=1)
    done = finished_adapts(w)
    assert w.start_adapt(confirm=False, **SMALL)
    qtbot.waitUntil(lambda: bool(done), timeout=30000)
    assert not done[0].model and not done[0].cancelled
    message = w.status.currentMessage()
    assert "Could not adapt the model" in message and "at least 2 are needed" in message
    assert w.adapt_action.isEnabled()
    models = w.controller.engine.data_dir / "models"
    assert [p.name for p in models.glob("*") if p.name != "onnx"] == []  # no model was made


@pytest.fixture
def python_docs(tmp_path, fixture_data) -> Path:
    """The 22 Python-docs pages in tests/fixtures: 145 (heading, section) pairs."""
    root = tmp_path / "python-docs"
    shutil.copytree(fixture_data / "docs" / "rst", root)
    return root


def test_adapt_dialog_says_what_how_much_and_how_long_and_cancel_is_the_default(
    qtbot, make_window, python_docs
):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDialog, QLabel

    from desktop_search.app.adapt.dialog import EXPLAIN

    w = make_window()
    total = len([p for p in python_docs.rglob("*") if p.is_file()])
    w.controller.add_folders([str(python_docs)])
    qtbot.waitUntil(
        lambda: getattr(w.controller.last_progress, "phase", "") == "indexing", timeout=60000
    )
    # while indexing runs: refused at once, with how far it has got
    dialog = w.adapt_view.ask()
    p = w.controller.last_progress
    assert dialog.refusal.text() == (
        f"⚠ Indexing is still running ({p.files_done:,} of {p.files_total:,} files indexed). "
        "Adapt once it has finished, so that it learns from all your documents."
    )
    assert not dialog.adapt_btn.isEnabled()
    dialog.reject()
    # phase 1 done: Adapt is offered while meaning search catches up (it re-embeds anyway)
    qtbot.waitUntil(
        lambda: w.controller.job != "sync" and w.controller.stats.get("files") == total,
        timeout=180000,
    )

    # indexed: what it does, the material and the time, measured; Cancel is the default
    w.adapt_action.trigger()
    dialog = w.findChild(QDialog, "adaptDialog")
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=120000)
    plan = dialog.plan
    assert (plan.files, plan.pairs) == (total, 145) and plan.used_pairs == 145
    assert plan.passages == w.controller.stats["passages"] and plan.speed > 0
    assert plan.embed_s == pytest.approx(plan.passages / plan.speed)
    assert EXPLAIN.split(".")[0] in " ".join(lbl.text() for lbl in dialog.findChildren(QLabel))
    assert dialog.material.text() == (
        f"<b>Material:</b> 145 (heading, section) pairs from {total} indexed files; "
        f"{plan.passages:,} passages to re-embed."
    )
    assert (
        dialog.time.text().startswith("<b>Time:</b> ") and "on this computer" in dialog.time.text()
    )
    assert "passages per second" in dialog.time.text()
    assert dialog.adapt_btn.isEnabled() and not dialog.refusal.isVisible()
    assert dialog.cancel_btn.isDefault() and not dialog.adapt_btn.isDefault()
    with qtbot.waitSignal(dialog.rejected, timeout=5000):
        qtbot.keyClick(dialog, Qt.Key.Key_Return)  # Enter takes the safe way out
    assert w.controller.job != "adapt"  # Enter did not start it (phase 2 may still run)

    # the Adapt button starts it (small options here), and Cancel in the panel stops it
    done = finished_adapts(w)
    dialog = w.adapt_view.ask(**SMALL)
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=120000)
    assert "(it trains on 8 of them)" in dialog.material.text()
    dialog.adapt_btn.click()
    qtbot.waitUntil(lambda: w.controller.job == "adapt", timeout=30000)
    assert not w.adapt_action.isEnabled()
    w.progress_panel.cancel_btn.click()
    qtbot.waitUntil(lambda: bool(done), timeout=120000)
    assert done[0].cancelled and w.adapt_action.isEnabled()
