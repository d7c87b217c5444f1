"""Duplicate finder: pure functions against brute force, then real text through a real index."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from desktop_search.core.duplicates import (
    DEFAULT_THRESHOLD,
    DuplicateFinder,
    Pairs,
    PassageTable,
    apply_same_file_rule,
    brute_force_pairs,
    cluster_pairs,
    communities_from_pairs,
    community_detection,
    exact_file_groups,
    file_containment,
    near_duplicate_pairs,
)
from desktop_search.core.duplicates.cache import IgnoreList
from desktop_search.core.store.ann import ExactIndex, HNSWIndex


def unit_vectors(
    n: int, d: int, seed: int, clusters: int | None = None, noise: float = 0.3
) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if clusters:
        centres = rng.standard_normal((clusters, d))
        v = centres[rng.integers(0, clusters, n)] + noise * rng.standard_normal((n, d))
    else:
        v = rng.standard_normal((n, d))
    v = v.astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


# -- pure functions ------------------------------------------------------------------------


def test_pairs_are_canonical() -> None:
    p = Pairs.of([3, 1, 2, 5, 1], [1, 3, 2, 4, 3], [0.5, 0.9, 1.0, 0.7, 0.6])
    assert list(zip(p.a.tolist(), p.b.tolist())) == [(1, 3), (4, 5)]
    assert p.score.tolist() == pytest.approx([0.9, 0.7])  # the higher score of a repeated pair
    assert len(Pairs.of([], [], [])) == 0


@pytest.mark.parametrize("n", [1, 2, 3, 17, 255, 1031])
def test_knn_pairs_match_brute_force_exactly_with_an_exact_index(n: int) -> None:
    v = unit_vectors(n, 24, seed=n, clusters=max(1, n // 6), noise=0.35)
    ids = np.arange(n, dtype=np.int64) * 7 + 3  # ids that are not positions
    index = ExactIndex(24)
    index.add(ids, v)
    found = near_duplicate_pairs(ids, v, index, 0.8, k=4)
    exact = brute_force_pairs(ids, v, 0.8, block=64)  # several blocks with a ragged last one
    assert found.keys() == exact.keys()
    assert np.all(found.score >= np.float32(0.8))


@pytest.mark.parametrize("n", [2, 50, 1500, 3001])
def test_hnsw_pairs_recall_against_brute_force(n: int) -> None:
    v = unit_vectors(n, 32, seed=n + 1, clusters=max(1, n // 10), noise=0.3)
    ids = np.arange(1, n + 1, dtype=np.int64)
    index = HNSWIndex(32, capacity=n)
    index.add(ids, v)
    found = near_duplicate_pairs(ids, v, index, 0.75, k=8, batch=700)
    exact = brute_force_pairs(ids, v, 0.75)
    assert len(exact) > 0
    hits = found.keys() & exact.keys()
    assert len(hits) / len(exact) >= 0.98
    # Nothing below the threshold is reported: every found pair's true cosine clears it.
    true = np.einsum("ij,ij->i", v[found.a - 1], v[found.b - 1])
    assert np.all(true >= 0.75 - 1e-5)


def test_many_copies_are_all_paired_through_adaptive_k() -> None:
    """50 near-identical vectors and k=4: the k-th neighbour keeps clearing the threshold,
    so the query widens until every one of the 1225 pairs is found."""
    base = unit_vectors(1, 16, seed=1)
    rng = np.random.default_rng(2)
    v = base + 0.01 * rng.standard_normal((50, 16)).astype(np.float32)
    v = np.vstack([v, unit_vectors(200, 16, seed=3)])
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    ids = np.arange(len(v), dtype=np.int64)
    index = HNSWIndex(16, capacity=len(v))
    index.add(ids, v)
    found = near_duplicate_pairs(ids, v, index, 0.95, k=4)
    assert brute_force_pairs(ids, v, 0.95).keys() <= found.keys()
    assert len(found.above(0.95)) >= 50 * 49 // 2


def test_candidates_limit_the_neighbours() -> None:
    v = unit_vectors(300, 16, seed=5, clusters=20, noise=0.2)
    ids = np.arange(300, dtype=np.int64)
    index = ExactIndex(16)
    index.add(ids, v)
    cand = ids[:150]
    found = near_duplicate_pairs(ids[:150], v[:150], index, 0.8, k=5, candidates=cand)
    assert found.keys() == brute_force_pairs(ids[:150], v[:150], 0.8).keys()


def st_reference(emb: np.ndarray, threshold: float, min_size: int) -> list[list[int]]:
    """A line-by-line NumPy port of sentence-transformers 6.x util.community_detection (CPU path)."""
    n = len(emb)
    if n == 0 or n < min_size:
        return []
    cos = emb @ emb.T
    extracted = []
    for i in range(n):
        idx = np.nonzero(cos[i] >= np.float32(threshold))[0]
        if len(idx) >= min_size:  # its topk(min_size)[-1] >= threshold
            extracted.append((i, idx[np.argsort(-cos[i][idx], kind="stable")]))
    extracted.sort(key=lambda x: len(x[1]), reverse=True)
    used = np.zeros(n, dtype=bool)
    out = []
    for centre, comm in extracted:
        if used[centre]:
            continue
        free = comm[~used[comm]]
        if len(free) >= min_size:
            members = [centre] + free[free != centre].tolist()
            out.append(members)
            used[members] = True
    return sorted(out, key=len, reverse=True)


CASES = [(1, 0.5, 1), (7, 0.3, 2), (64, 0.5, 2), (257, 0.2, 3), (1030, 0.25, 2), (500, 0.1, 10)]


@pytest.mark.parametrize("n,threshold,min_size", CASES)
def test_community_detection_matches_brute_force(n, threshold, min_size) -> None:
    e = unit_vectors(n, 8, seed=n)
    ours = community_detection(e, threshold, min_size)
    ref = st_reference(e, threshold, min_size)
    assert sorted(map(sorted, ours)) == sorted(map(sorted, ref))
    assert [c[0] for c in ours] == [c[0] for c in ref]  # the same centres, in the same order
    assert [len(c) for c in ours] == sorted((len(c) for c in ours), reverse=True)


@pytest.mark.slow
def test_community_detection_matches_sentence_transformers() -> None:
    torch = pytest.importorskip("torch")
    util = pytest.importorskip("sentence_transformers.util")
    for n, threshold, min_size in CASES:
        e = unit_vectors(n, 8, seed=n)
        theirs = util.community_detection(
            torch.tensor(e), threshold=threshold, min_community_size=min_size
        )
        ours = community_detection(e, threshold, min_size)
        assert sorted(map(sorted, ours)) == sorted(map(sorted, theirs))
        assert [c[0] for c in ours] == [c[0] for c in theirs]


def test_communities_from_sparse_pairs_do_not_chain_but_keep_every_pair() -> None:
    # A chain 1-2-3-4-5-6: connected components give one blob; communities split it, and
    # with attach_leftovers every paired node still lands in a group.
    p = Pairs.of([1, 2, 3, 4, 5], [2, 3, 4, 5, 6], [0.9, 0.9, 0.9, 0.9, 0.9])
    assert [c.tolist() for c in cluster_pairs(p.a, p.b)] == [[1, 2, 3, 4, 5, 6]]
    comms = communities_from_pairs(p, 2)
    assert all(len(c.members) <= 3 for c in comms)
    attached = communities_from_pairs(p, 2, attach_leftovers=True)
    assert sorted(m for c in attached for m in c.members.tolist()) == [1, 2, 3, 4, 5, 6]


def test_communities_keep_overlapping_chunks_apart() -> None:
    # Passage 1 (file A) is close to passages 2 and 3, adjacent chunks of file B: they may
    # not share a group, so 3 is left for another group (here, with 4).
    table = PassageTable.of(
        ids=[1, 2, 3, 4],
        file_ids=[1, 2, 2, 3],
        ords=[0, 0, 1, 0],
        starts=[0, 0, 90, 0],
        ends=[100, 100, 190, 100],
    )
    p = Pairs.of([1, 1, 3], [2, 3, 4], [0.95, 0.9, 0.8])
    comms = communities_from_pairs(p, 2, table=table, attach_leftovers=True)
    assert sorted(sorted(c.members.tolist()) for c in comms) == [[1, 2], [3, 4]]
    assert sorted(sorted(c.members.tolist()) for c in communities_from_pairs(p, 2)) == [[1, 2, 3]]


def test_cluster_pairs_matches_a_naive_search() -> None:
    rng = np.random.default_rng(0)
    a = rng.integers(0, 300, 250)
    b = rng.integers(0, 300, 250)
    comps = cluster_pairs(a, b)
    adj: dict[int, set[int]] = {}
    for x, y in zip(a.tolist(), b.tolist()):
        adj.setdefault(x, set()).add(y)
        adj.setdefault(y, set()).add(x)
    seen, naive = set(), []
    for start in adj:
        if start in seen:
            continue
        stack, comp = [start], set()
        while stack:
            x = stack.pop()
            if x in comp:
                continue
            comp.add(x)
            stack.extend(adj[x] - comp)
        seen |= comp
        if len(comp) >= 2:
            naive.append(sorted(comp))
    assert sorted(c.tolist() for c in comps) == sorted(naive)
    assert [len(c) for c in comps] == sorted((len(c) for c in comps), reverse=True)


def test_same_file_rule() -> None:
    # file 1: ords 0..4, chunks overlap their neighbours by 10 chars; file 2: one passage.
    table = PassageTable.of(
        ids=[10, 11, 12, 13, 14, 20],
        file_ids=[1, 1, 1, 1, 1, 2],
        ords=[0, 1, 2, 3, 4, 0],
        starts=[0, 90, 180, 270, 360, 0],
        ends=[100, 190, 280, 370, 460, 100],
    )
    pairs = Pairs.of([10, 10, 11, 10, 12], [11, 12, 14, 20, 99], [0.99] * 5)
    kept = apply_same_file_rule(pairs, table).keys()
    assert (10, 11) not in kept  # adjacent and overlapping
    assert (10, 12) in kept  # ords 0 and 2, spans apart: not neighbours
    assert (11, 14) in kept  # same file, far apart: repeated boilerplate is a duplicate
    assert (10, 20) in kept  # different files
    assert (12, 99) not in kept  # unknown passage


def test_same_file_rule_treats_identical_files_as_one() -> None:
    # Files 1 and 2 are byte-identical (content 1); file 3 is another text.
    table = PassageTable.of(
        ids=[1, 2, 3, 4, 5],
        file_ids=[1, 1, 2, 2, 3],
        ords=[0, 1, 0, 1, 0],
        starts=[0, 90, 0, 90, 0],
        ends=[100, 190, 100, 190, 100],
        content_ids=[1, 1, 1, 1, 3],
    )
    kept = apply_same_file_rule(
        Pairs.of([1, 1, 2, 1], [3, 4, 3, 5], [1.0, 0.9, 0.9, 0.9]), table
    ).keys()
    assert kept == {(1, 3), (1, 5)}  # the twin chunk pairs; its overlapping neighbours do not


def test_same_file_rule_allows_far_apart_repeats() -> None:
    table = PassageTable.of(
        ids=[1, 2, 3], file_ids=[7, 7, 7], ords=[0, 1, 5], starts=[0, 50, 500], ends=[60, 110, 560]
    )
    kept = apply_same_file_rule(Pairs.of([1, 1], [2, 3], [1.0, 1.0]), table).keys()
    assert kept == {(1, 3)}


def test_file_containment_both_directions() -> None:
    # File A (4 passages) is entirely inside file B (10 passages); C shares one passage with B.
    ids = list(range(1, 16))
    files = [1] * 4 + [2] * 10 + [3]
    ords = [0, 1, 2, 3] + list(range(10)) + [0]
    starts = [i * 100 for i in range(4)] + [i * 100 for i in range(10)] + [0]
    ends = [s + 100 for s in starts]
    table = PassageTable.of(ids, files, ords, starts, ends)
    pairs = Pairs.of([1, 2, 3, 4, 15], [7, 8, 9, 10, 5], [0.9, 0.95, 0.9, 0.85, 0.8])
    matches = file_containment(pairs, table, min_containment=0.5)
    assert len(matches) == 2
    ab = next(m for m in matches if {m.file_a, m.file_b} == {1, 2})
    assert (ab.file_a, ab.file_b) == (1, 2)  # the contained file comes first
    assert ab.a_in_b == pytest.approx(1.0)
    assert ab.b_in_a == pytest.approx(0.4)
    assert ab.n_pairs == 4
    c = next(m for m in matches if 3 in (m.file_a, m.file_b))
    assert c.score == pytest.approx(1.0) and min(c.a_in_b, c.b_in_a) == pytest.approx(0.1)
    assert file_containment(pairs, table, min_containment=1.01) == []


def test_exact_file_groups() -> None:
    groups = exact_file_groups([1, 2, 3, 4, 5], ["h", "x", "h", None, None])
    assert [g.tolist() for g in groups] == [[1, 3]]


# -- real text through a real index -----------------------------------------------------------

# A hand re-wording of the paragraph that starts "Python is an interpreted language" in the
# Python tutorial (tutorial/appetite.rst.txt); the original is read from tests/fixtures.
PARAPHRASE = (
    "Since Python is interpreted, you save a lot of time while developing a program: there is "
    "nothing to compile and nothing to link. You can run the interpreter interactively, so it is "
    "easy to try out language features, to write programs you will throw away, or to test "
    "functions while you build a program from the bottom up. It even makes a useful desk calculator."
)


def paragraph(text: str, starts_with: str) -> str:
    for para in text.split("\n\n"):
        if para.strip().startswith(starts_with):
            return para.strip()
    raise AssertionError(f"no paragraph starting {starts_with!r}")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, fixture_data: Path) -> Path:
    from desktop_search.core.extract.dispatch import extract_file

    rst = fixture_data / "docs" / "rst" / "tutorial"
    root = tmp_path_factory.mktemp("dupcorpus")
    for sub in ("orig", "para", "a", "b", "books", "unrelated"):
        (root / sub).mkdir()
    appetite = (rst / "appetite.rst.txt").read_text()
    (root / "orig" / "interpreted.txt").write_text(
        paragraph(appetite, "Python is an interpreted language")
    )
    (root / "para" / "reworded.txt").write_text(PARAPHRASE)
    shutil.copyfile(rst / "venv.rst.txt", root / "a" / "venv.txt")  # exact copies
    shutil.copyfile(rst / "venv.rst.txt", root / "b" / "venv-copy.txt")
    whatnow = (rst / "whatnow.rst.txt").read_text()
    (root / "books" / "chapter.txt").write_text(whatnow)  # the book embeds the chapter
    (root / "books" / "book.txt").write_text(
        (rst / "interpreter.rst.txt").read_text() + "\n\n" + whatnow
    )
    gnuplot = extract_file(fixture_data / "docs" / "html" / "node300.html").text
    (root / "unrelated" / "gnuplot-fit.txt").write_text(paragraph(gnuplot, "The logfile option"))
    floating = (rst / "floatingpoint.rst.txt").read_text()
    (root / "unrelated" / "floats.txt").write_text(
        paragraph(floating, "Floating-point numbers are represented")
    )
    return root


@pytest.fixture(scope="module")
def engine(corpus: Path, tmp_path_factory, encoder):
    from desktop_search.core.engine import Engine

    eng = Engine(tmp_path_factory.mktemp("dupdata"), encoder=encoder)
    eng.indexer.add_root(str(corpus))
    report = eng.sync()
    assert report.files_failed == 0
    yield eng
    eng.close()


@pytest.fixture()
def finder(engine):
    f = DuplicateFinder.for_engine(engine, use_cache=False)
    f.ignore.clear()
    yield f
    f.ignore.clear()


def groups_with(report, name: str):
    return [g for g in report.groups if any(Path(m.path).name == name for m in g.members)]


def test_default_threshold_is_the_benchmarked_one() -> None:
    results = (
        Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "duplicates_threshold.txt"
    )
    assert f"DEFAULT_THRESHOLD = {DEFAULT_THRESHOLD:.2f}" in results.read_text()


def test_exact_copies_are_found(finder) -> None:
    files = finder.scan("file")
    same = [g for g in files.groups if g.kind == "identical"]
    assert len(same) == 1
    assert sorted(Path(m.path).name for m in same[0].members) == ["venv-copy.txt", "venv.txt"]
    assert same[0].score == 1.0
    # At passage level every passage of the original is grouped with its copy.
    passages = finder.scan("passage")
    table = finder.load_table()
    venv_file = {Path(m.path).name: m.file_id for m in same[0].members}["venv.txt"]
    n_venv = int(np.sum(table.file_ids == venv_file))
    twins = 0
    for g in passages.groups:
        by_hash: dict[str, set[str]] = {}
        for m in g.members:
            by_hash.setdefault(m.text_hash, set()).add(Path(m.path).name)
        twins += sum(names == {"venv.txt", "venv-copy.txt"} for names in by_hash.values())
    assert twins == n_venv
    exact = [g for g in passages.groups if g.kind == "identical"]
    assert exact and all(g.score == pytest.approx(1.0, abs=1e-5) for g in exact)


def test_paraphrase_is_found_at_the_default_threshold(finder) -> None:
    report = finder.scan("passage", DEFAULT_THRESHOLD)
    hits = groups_with(report, "reworded.txt")
    assert len(hits) == 1
    names = {Path(m.path).name for m in hits[0].members}
    assert "interpreted.txt" in names
    assert hits[0].kind == "paraphrase" and DEFAULT_THRESHOLD <= hits[0].score < 1.0


def test_unrelated_passages_are_not_reported(finder) -> None:
    for level in ("passage", "file"):
        report = finder.scan(level, DEFAULT_THRESHOLD)
        assert not groups_with(report, "gnuplot-fit.txt")
        assert not groups_with(report, "floats.txt")
        # The paraphrase pair never mixes with the unrelated venv or book texts.
        for g in groups_with(report, "reworded.txt"):
            assert {Path(m.path).name for m in g.members} <= {
                "reworded.txt",
                "interpreted.txt",
                "book.txt",
            }


def test_overlapping_chunks_of_one_file_are_never_reported(engine, finder) -> None:
    table = finder.load_table()
    ids, vecs = engine.store.passage_vectors(engine.encoder.model_id)
    raw = near_duplicate_pairs(ids, vecs, engine.vectors.index, 0.5, k=16)  # no same-file rule
    pa, _ = table.positions(raw.a)
    pb, _ = table.positions(raw.b)
    same = table.file_ids[pa] == table.file_ids[pb]
    adjacent = same & (np.abs(table.ords[pa] - table.ords[pb]) <= 1)
    assert adjacent.any(), (
        "the corpus should have similar neighbouring chunks for this test to bite"
    )
    report = finder.scan("passage", 0.5)
    by_id = {int(i): k for k, i in enumerate(table.ids.tolist())}
    for g in report.groups:
        members = [by_id[m.passage_id] for m in g.members]
        for x in members:
            for y in members:
                if x < y and table.file_ids[x] == table.file_ids[y]:
                    assert abs(int(table.ords[x]) - int(table.ords[y])) > 1
                    assert not (table.starts[x] < table.ends[y] and table.starts[y] < table.ends[x])


def test_file_containment_finds_the_book_that_embeds_a_chapter(finder) -> None:
    report = finder.scan("file", DEFAULT_THRESHOLD)
    hit = [
        g
        for g in report.groups
        if {Path(m.path).name for m in g.members} == {"chapter.txt", "book.txt"}
    ]
    assert len(hit) == 1
    g = hit[0]
    assert Path(g.members[0].path).name == "chapter.txt"  # the contained file first
    assert g.detail["a_in_b"] >= 0.8 > g.detail["b_in_a"]
    assert g.kind == "edited" and g.detail["contained"]
    assert all(m.start is None and m.text is None for m in g.members)


def test_results_are_ranked_by_kind_then_score(finder) -> None:
    from desktop_search.core.duplicates import KINDS

    for level in ("passage", "file"):
        report = finder.scan(level, 0.6)
        keys = [(KINDS.index(g.kind), -round(g.score, 4)) for g in report.groups]
        assert keys == sorted(keys)


def test_ignore_list_is_honoured_and_persisted(engine, finder) -> None:
    report = finder.scan("passage")
    para = groups_with(report, "reworded.txt")[0]
    a, b = para.members[:2]
    finder.ignore.ignore_passage_pair(a.text_hash, b.text_hash)
    assert not groups_with(finder.scan("passage"), "reworded.txt")
    # Persisted in SQLite: a new finder on a new connection sees it.
    from desktop_search.core.store.catalog import Store

    with Store(engine.data_dir) as other:
        assert IgnoreList(other).load().passage_pairs == {tuple(sorted((a.text_hash, b.text_hash)))}

    files = finder.scan("file")
    venv = [g for g in files.groups if g.kind == "identical"][0]
    finder.ignore.ignore_file_pair(venv.members[0].path, venv.members[1].path)
    assert not [g for g in finder.scan("file").groups if g.kind == "identical"]

    chapter = next(g for g in files.groups if g.detail.get("contained")).members[0].path
    finder.ignore.ignore_file(chapter)
    assert not groups_with(finder.scan("file"), "chapter.txt")
    assert not groups_with(finder.scan("passage"), "chapter.txt")


def test_folder_filter(finder, corpus: Path) -> None:
    report = finder.scan("file", folder=str(corpus / "books"))
    assert [sorted(Path(m.path).name for m in g.members) for g in report.groups] == [
        ["book.txt", "chapter.txt"]
    ]
    assert finder.scan("passage", folder=str(corpus / "unrelated")).groups == []


def test_incremental_scan_and_check_file(engine, corpus: Path) -> None:
    finder = DuplicateFinder.for_engine(engine)  # with the SQLite pair cache
    finder.cache.clear()
    first = finder.scan("passage")
    assert finder.last_scan == {"incremental": False, "queried": len(finder.load_table())}
    again = finder.scan("passage")
    assert finder.last_scan["incremental"] and finder.last_scan["queried"] == 0
    assert [g.as_json() for g in again.groups] == [g.as_json() for g in first.groups]

    new = corpus / "para" / "second-copy.txt"
    new.write_text(PARAPHRASE.replace("useful desk calculator", "handy desk calculator"))
    try:
        engine.sync()
        finder = DuplicateFinder.for_engine(engine)
        report = finder.scan("passage")
        assert finder.last_scan == {"incremental": True, "queried": 1}
        assert {Path(m.path).name for m in groups_with(report, "second-copy.txt")[0].members} >= {
            "second-copy.txt",
            "reworded.txt",
        }
        checked = finder.check_file(str(new), "file")
        assert {Path(m.path).name for g in checked.groups for m in g.members} >= {
            "second-copy.txt",
            "reworded.txt",
        }
        assert all(
            any(Path(m.path).name == "second-copy.txt" for m in g.members) for g in checked.groups
        )
    finally:
        new.unlink()
        engine.sync()
    finder = DuplicateFinder.for_engine(engine)
    assert not groups_with(
        finder.scan("passage"), "second-copy.txt"
    )  # removed passages leave the cache


def test_report_exports(finder) -> None:
    report = finder.scan("passage")
    data = json.loads(json.dumps(report.as_json()))
    assert data["level"] == "passage" and data["threshold"] == pytest.approx(DEFAULT_THRESHOLD)
    csv_text = report.to_csv()
    assert csv_text.splitlines()[0].startswith("group,score,kind,size,path")
    assert len(csv_text.splitlines()) > sum(len(g.members) for g in report.groups) - 1


def test_cli_json_interface(engine, corpus: Path) -> None:
    from click.testing import CliRunner

    # Through the real group: importing desktop_search.cli registers `duplicates`.
    from desktop_search.cli import cli

    runner = CliRunner()

    def duplicates(args):
        return runner.invoke(cli, ["duplicates", *args])

    res = duplicates(["--data-dir", str(engine.data_dir), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert set(data) == {"level", "threshold", "pending", "groups"}
    assert data["pending"] == {"passages": 0, "files": 0}
    assert data["level"] == "passage" and data["threshold"] == pytest.approx(DEFAULT_THRESHOLD)
    for g in data["groups"]:
        assert set(g) == {"score", "kind", "members"} and isinstance(g["score"], float)
        assert g["kind"] in ("identical", "edited", "reordered", "paraphrase")
        for m in g["members"]:
            assert set(m) == {"path", "page", "start", "end", "text"}
            assert (
                isinstance(m["path"], str)
                and isinstance(m["text"], str)
                and isinstance(m["start"], int)
            )

    res = duplicates(
        [
            "--data-dir",
            str(engine.data_dir),
            "--json",
            "--level",
            "file",
            "--threshold",
            "0.8",
            "--in",
            str(corpus / "books"),
        ]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["level"] == "file" and data["threshold"] == 0.8
    assert len(data["groups"]) == 1
    assert all(
        m["start"] is None and m["end"] is None and m["text"] is None
        for m in data["groups"][0]["members"]
    )
    book = data["groups"][0]
    assert book["kind"] == "edited" and book["contained"] is True
    assert book["shares"][0] >= 0.8 > book["shares"][1]
    assert "Comparing files: 1 of 1" in res.stderr  # progress: phase and count on stderr

    res = duplicates(["--data-dir", str(engine.data_dir), "--level", "file"])
    assert res.exit_code == 0 and "2 files: identical" in res.output
    res = duplicates(["--data-dir", str(engine.data_dir), "--threshold", "1.5"])
    assert res.exit_code == 2
