"""Two-phase indexing: words are searchable before meaning, meaning is filled in the most
useful order, and what is pending is reported everywhere."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from desktop_search.cli import cli
from desktop_search.core.engine import Engine
from desktop_search.core.service.jobs import Service

from .corpus import BREAD_TEXT, CAR_TEXT

RARE = "quuxplorator"


@pytest.fixture
def docs(tmp_path, fixture_data):
    root = tmp_path / "docs"
    shutil.copytree(fixture_data / "docs" / "rst" / "library", root)
    (root / "car.txt").write_text(CAR_TEXT)
    (root / "bread.md").write_text(BREAD_TEXT + f" The {RARE} keeps the crust crisp.")
    return root


def test_no_embed_then_index_finishes_phase_two(docs, tmp_path, encoder):
    data = tmp_path / "data"
    with Engine(data, encoder=encoder) as engine:
        before = encoder.texts_encoded
        report = engine.index([docs], embed=False)
        assert encoder.texts_encoded == before  # phase 1 runs no forward pass
        total = engine.stats()["passages"]
        assert report.passages_embedded == 0 and report.passages_pending == total > 0
        assert engine.pending() == {"passages": total, "files": report.files_added}
        # words are searchable at once, meaning is not yet
        hits = engine.search(RARE, mode="keyword")
        assert hits and hits[0].path.endswith("bread.md")
        assert engine.search("fixing a car", mode="semantic") == []
        assert engine.search(RARE)[0].path.endswith("bread.md")  # hybrid: by its words
        n_files = report.files_added
        report = engine.index([docs])
        assert report.files_unchanged == n_files  # phase 1 is not redone
        assert report.files_added == 0 and report.files_updated == 0
        assert report.passages_pending == 0 and engine.pending()["passages"] == 0
        assert engine.vectors.count() == total
        assert engine.search("fixing a car", mode="semantic")[0].path.endswith("car.txt")


def test_phase_two_embeds_newest_first_and_prioritized_files_jump_the_queue(
    docs, tmp_path, encoder
):
    now = time.time()
    files = sorted(p for p in docs.iterdir())
    for age, path in enumerate(files):  # the first in name order is the newest
        os.utime(path, (now - 1000 * age, now - 1000 * age))
    data = tmp_path / "data"
    with Engine(data, encoder=encoder, embed_batch=1) as engine:
        engine.index([docs], embed=False)
        newest = str(files[0])
        engine.embed_pending(limit=1)
        assert _covered(engine) == {newest}
        oldest = str(files[-1])
        engine.prioritize([oldest])
        engine.embed_pending(limit=1)
        assert _covered(engine) == {newest, oldest}
        # the indexing process takes the same request from the window, at once
        second_oldest = str(files[-2])
        Service(engine, lambda event: None).control(("prioritize", [second_oldest]))
        engine.embed_pending(limit=1)
        assert _covered(engine) == {newest, oldest, second_oldest}


def _covered(engine: Engine) -> set[str]:
    """Files that have at least one passage in the vector index."""
    ids = engine.vectors.index.ids().tolist()
    return {r["path"] for r in engine.store.passages_by_id(ids).values()}


def test_hybrid_keeps_a_waiting_file_at_its_keyword_place(docs, tmp_path, encoder):
    data = tmp_path / "data"
    with Engine(data, encoder=encoder) as engine:
        engine.index([docs])
        late = docs / "late.txt"
        late.write_text("Notes on colour spaces: hue, lightness and saturation conversions.")
        engine.index([docs], embed=False)
        assert engine.pending()["files"] == 1
        query = "hue lightness saturation colour conversions"
        kw = [r.path for r in engine.search(query, mode="keyword", k=10)]
        hy = [r.path for r in engine.search(query, mode="hybrid", k=10)]
        assert str(late) in kw
        assert hy.index(str(late)) <= kw.index(str(late))


def test_cli_finds_a_word_while_phase_two_is_still_running(tmp_path, fixture_data):
    docs = tmp_path / "docs"
    shutil.copytree(fixture_data / "docs" / "rst", docs)  # over a thousand passages
    (docs / "zz-last.txt").write_text(f"A note about the {RARE} in the garden shed.")
    data = tmp_path / "data"
    proc = subprocess.Popen(
        [sys.executable, "-m", "desktop_search.cli", "index", str(docs), "--data-dir", str(data)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 240
        info: dict = {}
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.5)
            if not (data / "index.db").exists():
                continue
            status = CliRunner().invoke(cli, ["status", "--data-dir", str(data), "--json"])
            if status.exit_code == 0:
                info = json.loads(status.stdout)
                if info["files"] == len(list(docs.rglob("*.*"))) and info["passages_pending"]:
                    break
        assert info.get("passages_pending"), "phase 1 did not finish while phase 2 had work"
        found = CliRunner().invoke(
            cli, ["search", RARE, "--mode", "keyword", "--data-dir", str(data), "--json"]
        )
        assert found.exit_code == 0, found.output
        assert json.loads(found.stdout)["results"][0]["path"] == str(docs / "zz-last.txt")
        hybrid = CliRunner().invoke(cli, ["search", RARE, "--data-dir", str(data), "--json"])
        out = json.loads(hybrid.stdout)
        assert out["pending"]["passages"] > 0 and out["pending"]["files"] > 0
        assert out["results"][0]["path"] == str(docs / "zz-last.txt")
        assert proc.poll() is None  # phase 2 was still running all along
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


def test_duplicate_finder_works_on_embedded_passages_and_reports_the_rest(docs, tmp_path, encoder):
    shutil.copy(docs / "car.txt", docs / "car-copy.txt")
    data = tmp_path / "data"
    with Engine(data, encoder=encoder) as engine:
        engine.index([docs], embed=False)
        report = engine.duplicates("file")  # identical files are known by their hash alone
        assert report.pending == engine.pending()
        assert report.as_json()["pending"]["files"] == len(os.listdir(docs))
        assert _pairs(report) == [{"car.txt", "car-copy.txt"}]
        engine.embed_pending()
        report = engine.duplicates("file")
        assert report.pending == {"passages": 0, "files": 0}
        assert {"car.txt", "car-copy.txt"} in _pairs(report)


def _pairs(report) -> list[set[str]]:
    return [{os.path.basename(m.path) for m in g.members} for g in report.groups]
