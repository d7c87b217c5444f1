"""Related files and the topic map on a small real library: the real model, SQLite and
hnswlib. Two collections (Python docs, gnuplot pages), a lightly edited copy and an exact
copy of two pages."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from desktop_search.cli import cli
from desktop_search.core.engine import Engine, Filters, RelatedError, WatchBatch
from desktop_search.core.search.highlight import stem, stems_in
from desktop_search.core.search.related import METHODS

from .corpus import BREAD_TEXT, CAR_TEXT

PYTHON = [
    "library/keyword.rst.txt",
    "library/html.rst.txt",
    "library/colorsys.rst.txt",
    "library/uu.rst.txt",
    "tutorial/interactive.rst.txt",
    "tutorial/whatnow.rst.txt",
    "tutorial/appetite.rst.txt",
    "tutorial/interpreter.rst.txt",
    "tutorial/venv.rst.txt",
]
GNUPLOT = ["node10.html", "node100.html", "node318.html", "node300.html"]
PLOT_PAGES = ["node10.html", "node100.html", "node318.html"]  # points, jitter, overlap

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def library(tmp_path_factory, fixture_data, encoder):
    base = tmp_path_factory.mktemp("related")
    root = base / "lib"
    (root / "python").mkdir(parents=True)
    (root / "gnuplot").mkdir()
    for rel in PYTHON:
        shutil.copy(fixture_data / "docs" / "rst" / rel, root / "python" / Path(rel).name)
    for name in GNUPLOT:
        shutil.copy(fixture_data / "docs" / "html" / name, root / "gnuplot" / name)
    (root / "car.txt").write_text(CAR_TEXT)
    (root / "bread.md").write_text(BREAD_TEXT)
    colorsys = (root / "python" / "colorsys.rst.txt").read_text()
    edited = colorsys.replace("Conversions between color systems", "Converting colour systems")
    (root / "colorsys-edited.rst.txt").write_text(edited)
    shutil.copy(root / "python" / "uu.rst.txt", root / "uu-copy.rst.txt")
    engine = Engine(base / "data", encoder=encoder)
    engine.index([str(root)])
    yield engine, root, base / "data"
    engine.close()


def _names(files) -> list[str]:
    return [Path(f.path).name for f in files]


def test_near_duplicates_are_set_apart_and_marked(library):
    engine, root, _ = library
    found = engine.related(str(root / "python" / "colorsys.rst.txt"), k=5)
    assert "colorsys-edited.rst.txt" in _names(found.duplicates)
    assert "colorsys-edited.rst.txt" not in _names(found.files)
    assert all(f.duplicate for f in found.duplicates)
    assert not any(f.duplicate for f in found.files)
    exact = engine.related(str(root / "uu-copy.rst.txt"), k=5)
    assert _names(exact.duplicates) == ["uu.rst.txt"]


@pytest.mark.parametrize("method", [m for m in METHODS if m != "hybrid"])
def test_each_method_ranks_other_files_of_the_same_collection_first(library, method):
    engine, root, _ = library
    found = engine.related(str(root / "gnuplot" / "node318.html"), k=3, method=method)
    assert len(found.files) == 3
    assert "node318.html" not in _names(found.files)
    # the gnuplot pages' nearest neighbours are gnuplot pages, not Python docs or notes
    assert sum(Path(f.path).parent.name == "gnuplot" for f in found.files) >= 2


def test_hybrid_lists_other_files_with_a_plotting_page_first(library):
    engine, root, _ = library
    found = engine.related(str(root / "gnuplot" / "node318.html"), k=3, method="hybrid")
    assert len(found.files) == 3 and "node318.html" not in _names(found.files)
    assert _names(found.files)[0] in PLOT_PAGES


def test_why_is_a_pair_of_real_passages_with_shared_words_marked(library):
    engine, root, _ = library
    asked = root / "python" / "interpreter.rst.txt"
    found = engine.related(str(asked), k=4)
    mine_text = engine.file_text(str(asked))
    for f in found.files:
        assert " ".join(f.mine.text.split()) in " ".join(mine_text.split())
        assert " ".join(f.theirs.text.split()) in " ".join(engine.file_text(f.path).split())
        assert 0.0 < f.pair_score <= 1.0001
        other = stems_in(f.theirs.text)
        for s, e in f.mine.highlights:
            assert stem(f.mine.text[s:e]) in other
    assert any(f.mine.highlights for f in found.files)


def test_unknown_file_is_a_clear_error(library):
    engine, root, _ = library
    with pytest.raises(RelatedError, match="not in the index"):
        engine.related(str(root / "nowhere.txt"))


def test_topics_cover_every_file_and_separate_the_collections(library):
    engine, root, _ = library
    topics = [t for t in engine.topics() if t.parent is None]
    points = engine.topic_map()
    assert sum(t.size for t in topics) == len(points) == 17
    by_path = {Path(p.path).name: p.topic for p in points}
    plots = {by_path[n] for n in PLOT_PAGES}
    assert len(plots) == 1  # the gnuplot pages on plotting points share one topic
    python = [by_path[Path(n).name] for n in PYTHON]
    assert sum(t not in plots for t in python) > len(python) / 2  # most Python pages apart
    labels = {w for t in topics for w in t.label}
    assert labels and all(w == w.lower() for w in labels)
    assert all(-1.0001 <= p.x <= 1.0001 and -1.0001 <= p.y <= 1.0001 for p in points)


def test_topic_filter_in_search_box_and_filters(library):
    engine, root, _ = library
    (topic,) = {p.topic for p in engine.topic_map() if Path(p.path).name in PLOT_PAGES}
    members = {Path(p.path).name for p in engine.topic_map() if topic in (p.topic, p.sub)}
    for results in (
        engine.search("plot", filters=Filters(topic=topic), k=20),
        engine.search(f"plot topic:{topic}", k=20),
    ):
        assert results
        assert {Path(r.path).name for r in results} <= members


def test_update_after_no_change_is_current_and_small_change_incremental(library):
    engine, root, _ = library
    assert engine.update_topics()["mode"] == "current"
    note = root / "python" / "venv-notes.txt"
    note.write_text((root / "python" / "venv.rst.txt").read_text()[:1500])
    try:
        report = engine.index([str(root)])
        assert report.files_added == 1
        place = {Path(p.path).name: p for p in engine.topic_map()}
        assert place["venv-notes.txt"].topic == place["venv.rst.txt"].topic
    finally:
        note.unlink()
        engine.index([str(root)])


def test_rename_changes_only_paths(library):
    engine, root, _ = library
    asked = root / "python" / "appetite.rst.txt"
    before = engine.related(str(asked), k=6)
    topics_before = [(t.id, t.label, t.size) for t in engine.topics()]
    map_before = {Path(p.path).name: (p.x, p.y, p.topic, p.sub) for p in engine.topic_map()}
    old, new = root / "gnuplot" / "node10.html", root / "moved-node10.html"
    os.rename(old, new)
    try:
        engine.apply_changes(WatchBatch(moved=[(str(old), str(new))]))
        moved = engine.related(str(asked), k=6)
        rename = {str(old): str(new)}
        assert [rename.get(f.path, f.path) for f in before.files] == [f.path for f in moved.files]
        assert [f.score for f in before.files] == [f.score for f in moved.files]
        assert [(t.id, t.label, t.size) for t in engine.topics()] == topics_before
        after = {Path(p.path).name: (p.x, p.y, p.topic, p.sub) for p in engine.topic_map()}
        assert after.pop("moved-node10.html") == map_before.pop("node10.html")
        assert after == map_before
        again = engine.related(str(new), k=3)
        assert again.path == str(new)
    finally:
        os.rename(new, old)
        engine.apply_changes(WatchBatch(moved=[(str(new), str(old))]))


def test_cli_related_and_topics_json(library):
    engine, root, data = library
    runner = CliRunner()
    args = ["--data-dir", str(data), "--json"]
    got = runner.invoke(
        cli, ["related", str(root / "python" / "colorsys.rst.txt"), "-k", "3", *args]
    )
    assert got.exit_code == 0, got.output
    out = json.loads(got.output)
    assert len(out["related"]) == 3
    assert set(out["related"][0]) == {"path", "score", "duplicate", "why"}
    assert set(out["related"][0]["why"]) == {"score", "this", "related"}
    assert out["duplicates"][0]["duplicate"] is True
    got = runner.invoke(cli, ["topics", *args])
    assert got.exit_code == 0, got.output
    topics = json.loads(got.output)["topics"]
    assert {"id", "parent", "label", "size", "central"} == set(topics[0])
    missing = runner.invoke(cli, ["related", str(root / "nowhere.txt"), *args])
    assert missing.exit_code == 1 and "not in the index" in missing.output
