"""The saved HNSW file is trusted only when its checksum matches: damage that hnswlib's own
layout check cannot see (a flipped bit inside a stored vector) still means a rebuild, and
the checksum, read in the background, is known before anything searches the index."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from desktop_search.core.store.ann import EF
from desktop_search.core.store.catalog import NewPassage, Store
from desktop_search.core.store.vector_index import VectorSet

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


def _reopen(data: Path) -> tuple[VectorSet, str]:
    vs = VectorSet(data, MODEL, DIM)
    with Store(data) as store:
        how = vs.open(store)
    return vs, how


def test_an_intact_file_is_loaded(tmp_path):
    _index(tmp_path)
    vs, how = _reopen(tmp_path)
    assert how == vs.last_open == "loaded"


def test_every_way_of_opening_searches_at_the_same_ef(tmp_path):
    """ef is not in hnswlib's file: a loaded, a rebuilt and a new index all get ``EF``."""
    _index(tmp_path)
    opened = {}
    vs, how = _reopen(tmp_path)
    opened[how] = vs
    next((tmp_path / "vectors").glob("*.json")).unlink()
    vs, how = _reopen(tmp_path)
    opened[how] = vs
    vs, how = _reopen(tmp_path / "empty")
    opened[how] = vs
    assert sorted(opened) == ["loaded", "new", "rebuilt"]
    for vs in opened.values():
        assert vs.index.ef == EF
        assert vs.index._index.ef == EF  # hnswlib's own setting, before any search sets it


def test_a_flipped_byte_inside_a_vector_means_a_rebuild_before_any_search(tmp_path):
    vecs = _index(tmp_path)
    hnsw = next((tmp_path / "vectors").glob("*.hnsw"))
    raw = bytearray(hnsw.read_bytes())
    at = raw.find(vecs[123].tobytes())
    assert at > 0
    raw[at + 7] ^= 0x40  # an exponent bit: the layout stays valid, only the checksum can tell
    hnsw.write_bytes(bytes(raw))

    vs, how = _reopen(tmp_path)
    assert how == "loaded"  # the open does not wait for the checksum...
    (best, score), *_ = vs.search(vecs[123], 1)  # ...the first search does
    assert score > 0.9999  # the vector is whole again, read back from SQLite
    assert vs.last_open == "rebuilt"
    assert vs.count() == len(vecs)
    with Store(tmp_path) as store:
        _, stored = store.passage_vectors(MODEL, [best])
    assert np.allclose(stored[0], vecs[123])
