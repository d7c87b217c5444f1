"""Crash safety: real indexing processes killed with SIGKILL at exact points, and a
damaged vector index, must never lose work or leave SQLite and HNSW out of step."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from desktop_search.core.engine import Engine
from desktop_search.core.store.catalog import Store
from desktop_search.core.training.readers import read_stsb_rows as read_stsb

N_FILES = 600  # one passage each: phase 2 needs three batches of 256


@pytest.fixture(scope="module")
def folder(tmp_path_factory, fixture_data):
    """Hundreds of real, distinct short documents (STS-B sentences)."""
    root = tmp_path_factory.mktemp("crash") / "docs"
    root.mkdir()
    rows = [*read_stsb(fixture_data / "stsb" / "sts-train.csv")]
    rows += read_stsb(fixture_data / "stsb" / "sts-dev.csv")
    sentences = list(dict.fromkeys(s for a, b, _ in rows for s in (a, b)))
    assert len(sentences) >= 2 * N_FILES
    for i in range(N_FILES):
        sub = root / f"d{i % 7}"
        sub.mkdir(exist_ok=True)
        (sub / f"note{i:03d}.txt").write_text(" ".join(sentences[2 * i : 2 * i + 2]))
    return root


def run_index(folder: Path, data: Path, crash: str | None = None, timeout: float = 300):
    env = {k: v for k, v in os.environ.items() if k != "DESKTOP_SEARCH_CRASHPOINT"}
    if crash:
        env["DESKTOP_SEARCH_CRASHPOINT"] = crash
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "desktop_search.cli",
            "index",
            str(folder),
            "--data-dir",
            str(data),
            "--json",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_consistent(data: Path, encoder) -> None:
    conn = sqlite3.connect(data / "index.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # every file is whole: its passages are all there or none are
    bad = conn.execute(
        "SELECT f.path FROM files f WHERE f.state = 'ok' AND f.n_passages !="
        " (SELECT count(*) FROM passages p WHERE p.file_id = f.id)"
    ).fetchall()
    assert bad == []
    conn.close()
    engine = Engine(data, encoder=encoder, writer=False)
    try:
        # the HNSW index holds exactly the passages that have a vector (phase 2 may not
        # have reached the others): nothing extra, nothing missing
        db_ids = set(engine.store.embedded_ids(encoder.model_id).tolist())
        assert set(engine.vectors.index.ids().tolist()) == db_ids
        ids, mat = engine.store.passage_vectors(encoder.model_id)
        assert set(ids.tolist()) == db_ids
        if len(ids):
            labels, scores = engine.vectors.index.search(mat, 1)
            # each passage is found by its own vector (identical texts may share one)
            assert np.all(scores[:, 0] > 0.999)
            assert np.mean(labels[:, 0] == ids) > 0.98
        assert engine.search("a man is playing a guitar", k=3)
    finally:
        engine.close()


def text_counts(data: Path, encoder) -> tuple[int, int]:
    """(distinct passage texts, how many of them have a vector)."""
    conn = sqlite3.connect(data / "index.db")
    try:
        return conn.execute(
            "SELECT count(DISTINCT text_hash), count(DISTINCT CASE WHEN EXISTS"
            " (SELECT 1 FROM vectors v WHERE v.model = ? AND v.text_hash = p.text_hash)"
            " THEN text_hash END) FROM passages p",
            (encoder.model_id,),
        ).fetchone()
    finally:
        conn.close()


@pytest.mark.slow
@pytest.mark.parametrize(
    "crash",
    [
        "commit:40",  # phase 1, inside a file's transaction
        "save:2",  # the end of phase 1, while the vector index is saved
        "embed:2",  # phase 2, after a forward pass, before its vectors are stored
        "vectors:2",  # phase 2, inside the transaction that stores them
    ],
)
def test_sigkill_then_rerun_resumes(folder, tmp_path, encoder, crash):
    data = tmp_path / "data"
    first = run_index(folder, data, crash)
    assert first.returncode == -signal.SIGKILL, first.stderr[-2000:]
    with Store(data) as store:
        done_before = store.counts()["files"]
    texts, had_vector = text_counts(data, encoder)
    if crash.startswith(("embed", "vectors")):
        assert done_before == N_FILES  # phase 1 had finished: every file is searchable
        assert 0 < had_vector < texts  # killed after a batch was stored, before the last
    assert_consistent(data, encoder)
    second = run_index(folder, data)
    assert second.returncode == 0, second.stderr[-2000:]
    report = json.loads(second.stdout)
    assert report["files_unchanged"] == done_before  # finished files are not redone
    assert report["files_added"] == N_FILES - done_before
    # the rerun embeds what was missing, once, and nothing that had its vector already
    texts, with_vector = text_counts(data, encoder)
    assert texts == with_vector and report["passages_pending"] == 0
    assert report["passages_embedded"] == texts - had_vector
    with Store(data) as store:
        assert store.counts()["files"] == N_FILES
    assert_consistent(data, encoder)


@pytest.mark.slow
def test_sigkill_at_a_random_moment(folder, tmp_path, encoder):
    data = tmp_path / "data"
    proc = subprocess.Popen(
        [sys.executable, "-m", "desktop_search.cli", "index", str(folder), "--data-dir", str(data)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait until some files are committed, then kill
        try:
            with Store(data) as store:
                if store.counts()["files"] >= 20:
                    break
        except Exception:
            pass
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert_consistent(data, encoder)
    assert run_index(folder, data).returncode == 0
    assert_consistent(data, encoder)


# -- damage to the vector index ----------------------------------------------------------


@pytest.fixture
def small_index(tmp_path, folder, encoder):
    docs = tmp_path / "docs"
    shutil.copytree(folder / "d0", docs)
    data = tmp_path / "data"
    engine = Engine(data, encoder=encoder)
    engine.add_root(str(docs))
    engine.sync()
    n = engine.vectors.count()
    engine.close()
    return docs, data, n


def _hnsw_file(data: Path) -> Path:
    return next((data / "vectors").glob("*.hnsw"))


@pytest.mark.parametrize("damage", ["truncate", "corrupt", "delete-manifest"])
def test_damaged_index_is_rebuilt_without_reembedding(small_index, encoder, damage):
    docs, data, n = small_index
    hnsw = _hnsw_file(data)
    if damage == "truncate":
        with open(hnsw, "r+b") as fh:
            fh.truncate(hnsw.stat().st_size // 3)
    elif damage == "corrupt":
        raw = bytearray(hnsw.read_bytes())
        for i in range(100, len(raw), 997):
            raw[i] ^= 0xFF
        hnsw.write_bytes(bytes(raw))
    else:
        next((data / "vectors").glob("*.json")).unlink()
    before = encoder.texts_encoded
    engine = Engine(data, encoder=encoder)
    try:
        assert engine.vectors.last_open == "rebuilt"
        assert engine.vectors.count() == n
        assert encoder.texts_encoded == before
    finally:
        engine.close()
    assert "rebuilt" in (data / "desktop-search.log").read_text()
    assert_consistent(data, encoder)


def test_stale_index_is_caught_up(small_index, encoder, folder):
    docs, data, n = small_index
    saved = data.parent / "old-vectors"
    shutil.copytree(data / "vectors", saved)
    for f in sorted((folder / "d1").iterdir())[:5]:
        shutil.copy(f, docs / f.name)
    (docs / sorted(os.listdir(docs))[0]).unlink()
    engine = Engine(data, encoder=encoder)
    engine.sync()
    engine.close()
    shutil.rmtree(data / "vectors")
    shutil.copytree(saved, data / "vectors")  # an older generation
    before = encoder.texts_encoded
    engine = Engine(data, encoder=encoder)
    try:
        assert engine.vectors.last_open == "caught-up"
        assert engine.vectors.count() == n + 4
        assert encoder.texts_encoded == before
    finally:
        engine.close()
    assert "caught up" in (data / "desktop-search.log").read_text()
    assert_consistent(data, encoder)
