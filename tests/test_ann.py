"""One suite for every vector-index backend, checked against brute force."""

from __future__ import annotations

import numpy as np
import pytest

from desktop_search.core.store.ann import EF, ExactIndex, HNSWIndex

BACKENDS = [ExactIndex, HNSWIndex]


def _unit(rng, n, d=32):
    x = rng.standard_normal((n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.fixture(params=BACKENDS, ids=lambda c: c.__name__)
def backend(request):
    return request.param


def test_search_matches_brute_force(backend):
    rng = np.random.default_rng(0)
    vecs = _unit(rng, 997)
    ids = np.arange(10, 1007, dtype=np.int64)
    index = backend(32)
    index.add(ids[:500], vecs[:500])
    index.add(ids[500:], vecs[500:])  # grows past the initial capacity
    queries = _unit(rng, 20)
    got_ids, got_scores = index.search(queries, 10)
    truth = np.argsort(-(queries @ vecs.T), axis=1)[:, :10]
    recall = np.mean([len(set(g) & set(ids[t])) / 10 for g, t in zip(got_ids, truth)])
    assert recall >= 0.95
    assert np.all(np.diff(got_scores, axis=1) <= 1e-6)  # best first
    np.testing.assert_allclose(got_scores[:, 0], np.max(queries @ vecs.T, axis=1), atol=1e-4)


def test_delete_is_tolerant_and_hides_ids(backend):
    rng = np.random.default_rng(1)
    vecs = _unit(rng, 50)
    index = backend(32)
    index.add(np.arange(50), vecs)
    index.delete([3, 4, 999])  # 999 was never there
    index.delete([3])  # twice
    assert index.count() == 48
    got, _ = index.search(vecs[3:4], 48)
    assert 3 not in got[0] and 4 not in got[0]
    assert sorted(index.ids().tolist()) == [i for i in range(50) if i not in (3, 4)]


def test_k_is_capped_at_count(backend):
    rng = np.random.default_rng(2)
    index = backend(32)
    empty_ids, _ = index.search(_unit(rng, 1), 5)
    assert empty_ids.shape == (1, 0)
    index.add(np.arange(3), _unit(rng, 3))
    got, scores = index.search(_unit(rng, 2), 10)
    assert got.shape == (2, 3) and scores.shape == (2, 3)


def test_save_and_load_roundtrip(tmp_path):
    rng = np.random.default_rng(3)
    vecs = _unit(rng, 300)
    index = HNSWIndex(32)
    index.add(np.arange(300), vecs)
    index.delete([7])
    index.save(tmp_path / "x.hnsw")
    loaded = HNSWIndex.load(tmp_path / "x.hnsw", 32, index.ids())
    assert loaded.count() == 299
    a, _ = index.search(vecs[:5], 5)
    b, _ = loaded.search(vecs[:5], 5)
    np.testing.assert_array_equal(a, b)


def test_a_loaded_index_keeps_its_graph_settings_and_searches_at_ef(tmp_path):
    """hnswlib saves M and ef_construction in the file but not ef: a loaded index reports
    the settings it was built with, and searches as wide as a new one (not hnswlib's 10)."""
    rng = np.random.default_rng(5)
    index = HNSWIndex(32, M=8, ef_construction=40)
    index.add(np.arange(200), _unit(rng, 200))
    index.save(tmp_path / "x.hnsw")
    loaded = HNSWIndex.load(tmp_path / "x.hnsw", 32, index.ids())
    assert (loaded.M, loaded.ef_construction) == (8, 40)
    assert loaded.ef == index.ef == EF
    assert loaded._index.ef == EF  # hnswlib's own setting, before any search sets it


def test_known_keeps_order_and_a_deleted_id_can_come_back(backend):
    rng = np.random.default_rng(4)
    vecs = _unit(rng, 40)
    index = backend(32)
    index.add(np.arange(1, 41), vecs)
    index.add(np.array([5_000_000]), _unit(rng, 1))  # a far larger id than the rest
    index.delete({7, 8})
    assert index.known([40, 7, 999, 5_000_000, 1, -3]) == [40, 5_000_000, 1]
    assert index.known(np.array([8, 9])) == [9]
    index.add(np.array([7]), vecs[6:7])  # deleted, then indexed again
    assert index.count() == 40
    assert index.known([7, 8]) == [7]
    got, scores = index.search(vecs[6], 1)
    assert got[0, 0] == 7 and scores[0, 0] > 0.999
    assert sorted(index.ids().tolist()) == [i for i in range(1, 41) if i != 8] + [5_000_000]
