"""Phase 2 in the app: the status bar says how much meaning search covers, and embedding
can be paused, resumed, cancelled, and resumed after a restart, until it covers 100%."""

from __future__ import annotations

import pytest

from . import test_app
from .test_app import find, result_names, wait_indexed

make_window = test_app.make_window  # the same fixtures: windows on a temporary data dir
big_docs = test_app.big_docs

pytestmark = pytest.mark.gui


def test_meaning_search_coverage_pause_cancel_restart_until_complete(
    qtbot, make_window, big_docs, tmp_path, monkeypatch
):
    from PySide6.QtWidgets import QFrame, QPushButton

    # phase 1 at full speed; each phase-2 batch (8 passages) as on a slow machine
    monkeypatch.setenv("DESKTOP_SEARCH_SLOWPOINT", "embed:1.0")
    total = len(list(big_docs.iterdir()))
    data = tmp_path / "data"
    w = make_window(data)
    w.controller.add_folders([str(big_docs)])
    qtbot.waitUntil(lambda: w.controller.job == "embed", timeout=60000)
    assert w.controller.stats["files"] == total  # every file is searchable by its words
    qtbot.waitUntil(lambda: "meaning search covers" in w.status.summary.text(), timeout=30000)
    panel = find(w, QFrame, "indexProgress")
    assert panel.isVisible() and "passages" in panel.detail.text()

    pause = find(panel, QPushButton, "pauseButton")
    pause.click()
    with qtbot.waitSignal(w.controller.pausedChanged, timeout=30000) as blocker:
        pass
    assert blocker.args == [True] and w.controller.job == "embed"
    done = w.controller.last_progress.passages_embedded
    qtbot.wait(2500)
    assert w.controller.last_progress.passages_embedded == done  # nothing moves while paused
    pause.click()  # resume
    qtbot.waitUntil(lambda: w.controller.last_progress.passages_embedded > done, timeout=30000)

    with qtbot.waitSignal(w.controller.indexingFinished, timeout=30000) as finished:
        find(panel, QPushButton, "cancelButton").click()
    assert finished.args[0].kind == "embed" and finished.args[0].cancelled
    qtbot.waitUntil(lambda: w.controller.stats.get("passages_pending", 0) > 0, timeout=10000)
    pending = w.controller.stats["passages_pending"]
    passages = w.controller.stats["passages"]
    assert 0 < pending < passages
    covered = f"meaning search covers {passages - pending:,} of {passages:,} passages"
    qtbot.waitUntil(lambda: covered in w.status.summary.text(), timeout=10000)
    qtbot.wait(1500)
    assert w.controller.job is None  # cancelled: phase 2 waits for the next start
    w.close()
    qtbot.waitUntil(lambda: w.controller.stopped, timeout=60000)

    monkeypatch.delenv("DESKTOP_SEARCH_SLOWPOINT")
    w2 = make_window(data)  # the start-up sync finds nothing new; phase 2 carries on
    wait_indexed(qtbot, w2, files=total, timeout=180000)
    assert "meaning search covers" not in w2.status.summary.text()
    # phase 2 ran the export in the folder the tests share (DESKTOP_SEARCH_EXPORTS), which
    # the indexing process inherits: it made no export of its own in the data folder
    assert not (data / "models" / "onnx").exists()
    w2.mode_selector.setCurrentIndex(1)  # semantic
    w2.search("catching exceptions with try and except")
    qtbot.waitUntil(lambda: bool(result_names(w2)), timeout=30000)
    assert any("errors" in name for name in result_names(w2)[:3])
