"""A command-line search in a process of its own, as launchers and editor plugins run it:
a keyword search imports neither torch nor transformers, and a meaning search runs the
ONNX export that indexing left, ranking exactly as the torch encoder does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from desktop_search.cli import cli
from desktop_search.core.encode.onnx_runner import SHARED_EXPORTS_VARIABLE
from desktop_search.core.encode.query_encoder import has_export
from desktop_search.core.engine import Engine

from .corpus import build_corpus, indexed_engine

#: Runs the CLI, then writes the names of every module the process imported.
WRAPPER = """
import json, sys
from desktop_search.cli import cli
try:
    cli(sys.argv[2:], prog_name="desktop-search", standalone_mode=False)
finally:
    with open(sys.argv[1], "w") as fh:
        json.dump(sorted(sys.modules), fh)
"""
HEAVY = ("torch", "transformers")


@pytest.fixture(scope="module")
def indexed(tmp_path_factory, fixture_data, encoder) -> Path:
    base = tmp_path_factory.mktemp("cli-fast")
    root = build_corpus(fixture_data, base / "docs")
    engine, _ = indexed_engine(root, base / "data", encoder)
    try:
        assert engine.prepare_query_model() is not None
    finally:
        engine.close()
    return base / "data"


def search_process(data: Path, tmp_path: Path, *args: str) -> tuple[str, set[str]]:
    """(stdout, imported modules) of one ``desktop-search search`` process."""
    modules = tmp_path / "modules.json"
    proc = subprocess.run(
        [sys.executable, "-c", WRAPPER, str(modules), "search", *args, "--data-dir", str(data)],
        capture_output=True,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, set(json.loads(modules.read_text()))


def test_a_keyword_search_process_imports_neither_torch_nor_transformers(indexed, tmp_path):
    out, modules = search_process(indexed, tmp_path, "brake pads", "--mode", "keyword", "--json")
    names = [Path(r["path"]).name for r in json.loads(out)["results"]]
    assert names[0] == "car.txt"
    assert modules.isdisjoint(HEAVY)
    assert "onnxruntime" not in modules  # no encoder at all: the query is not embedded


@pytest.mark.parametrize("mode", ["hybrid", "semantic"])
def test_a_meaning_search_process_runs_the_export_and_ranks_as_torch_does(
    indexed, tmp_path, encoder, mode
):
    query = "automobile maintenance"  # shares no word with car.txt
    out, modules = search_process(indexed, tmp_path, query, "--mode", mode, "--json")
    assert modules.isdisjoint(HEAVY) and "onnxruntime" in modules
    got = json.loads(out)["results"]
    with Engine(indexed, encoder=encoder, writer=False) as engine:
        want = engine.search(query, mode=mode)
    assert Path(got[0]["path"]).name == "car.txt"
    assert [r["path"] for r in got] == [r.path for r in want]
    assert [r["score"] for r in got] == pytest.approx([r.score for r in want], abs=1e-3)


def test_best_sentence_marks_in_human_output_need_no_torch_either(indexed, tmp_path):
    out, modules = search_process(indexed, tmp_path, "automobile maintenance")
    assert "car.txt" in out.splitlines()[0]
    assert "[" in out  # the best sentence is marked (not a terminal: brackets)
    assert modules.isdisjoint(HEAVY)


def test_index_leaves_the_export_that_search_processes_run(tmp_path, fixture_data, monkeypatch):
    monkeypatch.delenv(SHARED_EXPORTS_VARIABLE)  # a first run: the data folder has none
    root = build_corpus(fixture_data, tmp_path / "docs")
    data = tmp_path / "data"
    result = CliRunner().invoke(cli, ["index", str(root), "--data-dir", str(data), "--json"])
    assert result.exit_code == 0, result.output
    assert has_export(data) and list((data / "models" / "onnx").glob("*.onnx"))


#: Opens the app's window offscreen over a data folder, searches once, then reports.
APP = """
import json, sys, time
from desktop_search.app.main import make_app
from desktop_search.app.mainwindow.window import MainWindow

app = make_app([sys.argv[0]])
window = MainWindow(data_dir=sys.argv[1])
window.show()
got = []
window.controller.searchResults.connect(got.append)

def wait(until):
    end = time.monotonic() + 200
    while not until() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)

wait(lambda: window.controller.is_ready)
window.controller.search("automobile maintenance")
wait(lambda: bool(got))
paths = [r.path for r in got[0].results] if got else []
window.close()
wait(lambda: window.controller.stopped)
print(json.dumps({"paths": paths, "torch": "torch" in sys.modules}))
"""


@pytest.mark.gui
def test_the_app_window_searches_by_meaning_without_loading_torch(indexed):
    """The window's reading side runs the export (issue 14: torch was most of its memory);
    only the separate indexing process loads torch."""
    proc = subprocess.run(
        [sys.executable, "-c", APP, str(indexed)],
        capture_output=True,
        text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "QT_QPA_PLATFORM": "offscreen"},
        timeout=280,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert Path(report["paths"][0]).name == "car.txt"
    assert report["torch"] is False
