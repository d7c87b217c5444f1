"""Privacy promises: the app's files are private and nothing is written outside the data
folder; pypdf's complaints about damaged PDFs go to the log, not the terminal."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from .corpus import CAR_TEXT

APP_SCRIPT = """
import sys
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication, QFileDialog
from desktop_search.app.mainwindow.settings import AppSettings

app = QApplication([])
settings = AppSettings(Path(sys.argv[1]))
settings.folders = ["/home/me/Documents"]
settings.sync()
dialog = QFileDialog()  # what "Add folder..." opens; it saves its history when destroyed
dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
dialog.setDirectory(sys.argv[1])
shiboken6.delete(dialog)
del settings
"""


def test_app_settings_are_private_and_qt_writes_nothing_in_home(tmp_path):
    home, data = tmp_path / "home", tmp_path / "data"
    home.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(home / ".config"),
    }
    out = subprocess.run(
        [sys.executable, "-c", APP_SCRIPT, str(data)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert list(home.rglob("*")) == []  # no ~/.config/QtProject.conf
    assert "Documents" in (data / "app-settings.ini").read_text()
    for path in (data / "app-settings.ini", data / "QtProject.conf"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


@pytest.mark.slow  # a CLI run in a child process
def test_pypdf_warnings_go_to_the_log_not_the_terminal(tmp_path):
    from pypdf import PdfWriter

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "car.txt").write_text(CAR_TEXT)
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    with open(docs / "broken.pdf", "wb") as fh:
        writer.write(fh)
    data = (docs / "broken.pdf").read_bytes()
    # a cross-reference table that points at the wrong offsets: pypdf warns and recovers
    start = data.rindex(b"startxref")
    (docs / "broken.pdf").write_bytes(data[:start] + b"startxref\n9999\n%%EOF\n")
    out = subprocess.run(
        [sys.executable, "-m", "desktop_search.cli", "index", str(docs)]
        + ["--data-dir", str(tmp_path / "data"), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "pypdf" not in out.stderr and "startxref" not in out.stderr.lower(), out.stderr
    log = Path(tmp_path / "data" / "desktop-search.log").read_text()
    assert "pypdf" in log


PROGRESS = re.compile(r"(scanning|saving)…|\d+/\d+ (words|meaning) \[[#.]+\] .*")


@pytest.mark.slow  # a CLI run in a child process
def test_indexing_an_xhtml_page_prints_only_progress(tmp_path, fixture_data):
    """bs4 warns about every XHTML page parsed as HTML: none of it may reach the terminal."""
    from desktop_search.core.extract.dispatch import extract_file

    docs = tmp_path / "docs"
    docs.mkdir()
    page = shutil.copy(fixture_data / "docs" / "xhtml" / "libxslt-attributes.html", docs)
    assert "attribute and attribute groups processing" in extract_file(page).text
    out = subprocess.run(
        [sys.executable, "-m", "desktop_search.cli", "index", str(docs)]
        + ["--data-dir", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "added 1," in out.stdout
    pieces = [p.strip() for p in re.split(r"[\r\n]", out.stderr) if p.strip()]
    assert pieces and [p for p in pieces if not PROGRESS.fullmatch(p)] == [], out.stderr


def test_library_warnings_go_to_the_private_log(tmp_path):
    """Whatever a library raises through ``warnings`` once the data folder's log is set up."""
    script = (
        "import sys, warnings\nfrom pathlib import Path\n"
        "from desktop_search.core.store.datadir import setup_file_logging\n"
        "setup_file_logging(Path(sys.argv[1]))\n"
        "warnings.warn('a library complains', UserWarning)\n"
    )
    (tmp_path / "data").mkdir()
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    assert "a library complains" in (tmp_path / "data" / "desktop-search.log").read_text()
