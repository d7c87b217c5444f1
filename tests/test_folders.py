"""Folders that hold one another: a parent takes over a listed child (keeping its passages,
nothing embedded again), a child of a listed folder is refused with the reason, and no
estimate counts a file twice. Real SQLite, the real model, real files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from desktop_search.cli import cli
from desktop_search.core.engine import Engine
from desktop_search.core.errors import FolderError
from desktop_search.core.folders import inside, outermost, overlap
from desktop_search.core.search.filters import Filters

from .corpus import BREAD_TEXT, CAR_TEXT


def test_inside_outermost_and_overlap_on_hand_made_paths():
    assert inside("/a/b", "/a") and inside("/a", "/a") and inside("/a/b", "/a/")
    assert not inside("/ab", "/a") and not inside("/a", "/a/b")
    assert outermost(["/a/b", "/c", "/a", "/a/b/c", "/c", "/ab"]) == ["/c", "/a", "/ab"]
    assert overlap("/a/b/c", ["/a", "/x"]) == ("/a", [])
    assert overlap("/a", ["/a/b", "/a/c/d", "/ab", "/a"]) == (None, ["/a/b", "/a/c/d"])
    assert overlap("/q", ["/a"]) == (None, [])


@pytest.fixture
def tree(tmp_path) -> Path:
    """docs/ holds notes/ (two files) and a file of its own."""
    docs = tmp_path / "docs"
    (docs / "notes").mkdir(parents=True)
    (docs / "notes" / "car.txt").write_text(CAR_TEXT)
    (docs / "notes" / "bread.md").write_text(BREAD_TEXT)
    (docs / "garden.txt").write_text(
        "Water the tomatoes in the evening and pinch out the side shoots every week."
    )
    return docs


def _passages(engine: Engine) -> dict[str, list[int]]:
    rows = engine.store.conn.execute(
        "SELECT f.path, p.id FROM passages p JOIN files f ON f.id = p.file_id ORDER BY p.id"
    ).fetchall()
    out: dict[str, list[int]] = {}
    for path, pid in rows:
        out.setdefault(os.path.basename(path), []).append(pid)
    return out


def test_a_parent_takes_over_a_listed_child_without_embedding_it_again(tmp_path, tree, encoder):
    notes = tree / "notes"
    with Engine(tmp_path / "data", encoder=encoder) as engine:
        first = engine.index([str(notes)])
        assert first.files_added == 2
        before = _passages(engine)
        # the estimate for the parent counts the child's files once, as already indexed
        est = engine.estimate([str(tree), str(notes)])
        assert (est.files, est.new_files) == (3, 1)

        assert engine.add_root(str(tree)) == str(tree)
        assert engine.stats()["roots"] == [str(tree)]  # the parent replaced the child
        ids = {r[0] for r in engine.store.conn.execute("SELECT DISTINCT root_id FROM files")}
        assert ids == {engine.store.roots()[0]["id"]}
        report = engine.sync()
        assert report.files_unchanged == 2 and report.files_added == 1
        after = _passages(engine)
        assert report.passages_embedded == len(after["garden.txt"])  # only the new file
        assert {k: v for k, v in after.items() if k != "garden.txt"} == before  # same rows
        hit = engine.search("replace the brake pads", k=1)[0]
        assert Path(hit.path).name == "car.txt"


def test_a_child_of_a_listed_folder_is_refused_with_the_reason(tmp_path, tree, encoder):
    data = tmp_path / "data"
    with Engine(data, encoder=encoder) as engine:
        engine.index([str(tree)])
        with pytest.raises(FolderError) as err:
            engine.add_root(str(tree / "notes"))
        assert str(err.value) == f"{tree / 'notes'} is already searched as part of {tree}"
        assert engine.stats()["roots"] == [str(tree)]
        # a child given beside its parent in one call is simply part of it
        again = engine.index([str(tree / "notes"), str(tree)])
        assert again.files_unchanged == 3 and engine.stats()["roots"] == [str(tree)]

    out = CliRunner().invoke(cli, ["index", str(tree / "notes"), "--data-dir", str(data)])
    assert out.exit_code == 1, out.output
    assert out.output.strip().splitlines()[-1] == (
        f"Error: {tree / 'notes'} is already searched as part of {tree}"
    )


def test_a_folder_takes_in_only_its_own_files_by_exact_name(tmp_path, encoder):
    """On a case-sensitive file system /x/Docs and /x/docs are two folders: filtering,
    listing and forgetting one leaves the other alone; so are a_b and aXb, 50% and 50x,
    and a name holding a backslash (no pattern characters in a folder's name)."""
    base = tmp_path / "lib"
    names = ["Docs", "docs", "a_b", "aXb", "50%", "50x", "back\\slash", "backXslash"]
    for name in names:
        (base / name).mkdir(parents=True)
        (base / name / "note.txt").write_text(f"zeppelin notes kept in {name}", encoding="utf-8")
    with Engine(tmp_path / "data", encoder=encoder) as engine:
        engine.index([str(base / n) for n in names], embed=False)
        for name in names:
            folder = str(base / name)
            found = engine.search("zeppelin", mode="keyword", k=20, filters=Filters(folder=folder))
            assert [r.path for r in found] == [os.path.join(folder, "note.txt")], name
            assert list(engine.store.files_under(folder)) == [os.path.join(folder, "note.txt")]
        everything = engine.search("zeppelin", mode="keyword", k=20, filters=Filters(str(base)))
        assert len(everything) == len(names)

        assert engine.forget(str(base / "Docs")) >= 1
        left = {Path(r.path).parent.name for r in engine.search("zeppelin", mode="keyword", k=20)}
        assert left == set(names) - {"Docs"}
