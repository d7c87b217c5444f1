"""The saved HNSW file is trusted only when its checksum matches: damage that hnswlib's own
layout check cannot see (a flipped byte inside a stored vector) still means a rebuild."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from desktop_search.core.store import NewPassage, Store
from desktop_search.core.vectors import VectorSet

MODEL, DIM = "test-model", 16


def _index(data: Path, n: int = 300) -> np.ndarray:
    rng = np.random.default_rng(1)
    vecs = rng.standard_normal((n, DIM)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    with Store(data) as store:
        for f in range(n // 10):
            passages = [
                NewPassage(j, f"passage {f}-{j}", 0, 10, None, f"h{f}-{j}") for j in range(10)
            ]
            store.save_file(
                path=f"/doc/f{f}.txt",
                root_id=None,
                size=1,
                mtime_ns=1,
                content_hash=str(f),
                kind="text",
                passages=passages,
            )
            with store.write():
                store.put_vectors(MODEL, {p.text_hash: vecs[f * 10 + p.ord] for p in passages})
        vs = VectorSet(data, MODEL, DIM)
        vs.open(store)
        vs.save()
    return vecs


def _reopen(data: Path) -> VectorSet:
    vs = VectorSet(data, MODEL, DIM)
    with Store(data) as store:
        vs.open(store)
    return vs


def test_an_intact_file_is_loaded(tmp_path):
    _index(tmp_path)
    assert _reopen(tmp_path).last_open == "loaded"


def test_a_flipped_byte_inside_a_vector_means_a_rebuild(tmp_path):
    vecs = _index(tmp_path)
    hnsw = next((tmp_path / "vectors").glob("*.hnsw"))
    raw = bytearray(hnsw.read_bytes())
    at = raw.find(vecs[123].tobytes())
    assert at > 0
    raw[at + 5] ^= 0x10  # the layout stays valid: only the checksum can tell
    hnsw.write_bytes(bytes(raw))

    vs = _reopen(tmp_path)
    assert vs.last_open == "rebuilt"
    assert vs.count() == len(vecs)
    (best, score), *_ = vs.search(vecs[123], 1)
    assert score > 0.9999  # the vector is whole again, read back from SQLite
    with Store(tmp_path) as store:
        ids, stored = store.passage_vectors(MODEL, [best])
    assert np.allclose(stored[0], vecs[123])
