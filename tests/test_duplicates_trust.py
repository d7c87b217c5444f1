"""Duplicates a person can act on: kinds through a real index, their order, template and
overview pages left out, identical groups in O(N) memory, and dropping a trashed file."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from desktop_search.core.duplicates import KINDS, DuplicateFinder
from desktop_search.core.store.database import NotIndexedError

from .dup_texts import (
    ORIGINAL,
    ORIGINAL_PARAS,
    OVERVIEW,
    PARAPHRASE,
    SECTIONS,
    TEMPLATE_A,
    TEMPLATE_B,
    UNRELATED,
    edited,
    reordered,
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("trust")
    files = {
        "kinds/original.txt": ORIGINAL,
        "kinds/copy/original.txt": ORIGINAL,
        "kinds/edited.txt": edited(ORIGINAL),
        "kinds/reordered.txt": reordered(ORIGINAL_PARAS),
        "kinds/paraphrase.txt": PARAPHRASE,
        "kinds/library.txt": UNRELATED,
        "templates/tally.txt": TEMPLATE_A,
        "templates/ring.txt": TEMPLATE_B,
        "guide/overview.txt": OVERVIEW,
        **{f"guide/{name}": text for name, text in SECTIONS.items()},
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


@pytest.fixture(scope="module")
def engine(corpus: Path, tmp_path_factory, encoder):
    from desktop_search.core.engine import Engine

    eng = Engine(tmp_path_factory.mktemp("trustdata"), encoder=encoder)
    eng.indexer.add_root(str(corpus))
    assert eng.sync().files_failed == 0
    yield eng
    eng.close()


def names(group) -> set[str]:
    return {str(Path(m.path).relative_to(Path(m.path).parents[1])) for m in group.members}


def test_file_kinds_come_in_order(engine, corpus: Path) -> None:
    finder = DuplicateFinder.for_engine(engine, use_cache=False)
    report = finder.scan("file", folder=str(corpus / "kinds"))
    kinds = [g.kind for g in report.groups]
    assert kinds == sorted(kinds, key=KINDS.index)
    first = {}
    for g in report.groups:
        first.setdefault(g.kind, g)
    assert set(first) == set(KINDS)
    assert names(first["identical"]) == {"kinds/original.txt", "copy/original.txt"}
    # A file with identical copies is compared once, through one of the copies.
    assert {Path(m.path).name for m in first["edited"].members} == {"original.txt", "edited.txt"}
    assert "kinds/reordered.txt" in names(first["reordered"])
    assert "kinds/paraphrase.txt" in names(first["paraphrase"])
    # Honest scores: an edited copy is close but not identical; a paraphrase shares
    # its meaning, not its words, and says how much of it.
    assert 0.9 <= first["edited"].score < 1.0
    assert all(0 < g.score <= 1.0 for g in report.groups)
    para = first["paraphrase"].detail
    assert para["a_in_b"] >= 0.6 and para["lexical"] < 0.3
    assert not any("kinds/library.txt" in names(g) for g in report.groups)


def test_passage_kinds_are_labelled(engine, corpus: Path) -> None:
    finder = DuplicateFinder.for_engine(engine, use_cache=False)
    report = finder.scan("passage", folder=str(corpus / "kinds"))
    kinds = [g.kind for g in report.groups]
    assert kinds == sorted(kinds, key=KINDS.index)
    # A group is only as close as its loosest link: the paraphrased passages make their
    # groups paraphrases, and only the unrelated library text is left out.
    assert kinds and set(kinds) <= set(KINDS)
    grouped = {Path(m.path).name for g in report.groups for m in g.members}
    assert {"original.txt", "paraphrase.txt", "edited.txt", "reordered.txt"} <= grouped
    assert "library.txt" not in grouped


def test_template_siblings_and_an_overview_are_not_duplicates(engine, corpus: Path) -> None:
    finder = DuplicateFinder.for_engine(engine, use_cache=False)
    for folder in ("templates", "guide"):
        for level in ("file", "passage"):
            report = finder.scan(level, folder=str(corpus / folder))
            assert report.groups == [], (folder, level, [names(g) for g in report.groups])
    # Even at the lowest threshold the template pair is not called a copy.
    low = finder.scan("file", 0.5, folder=str(corpus / "templates"), min_containment=0.6)
    assert low.groups == []


def test_a_rescan_reuses_the_verdicts_on_unchanged_files(engine, corpus: Path) -> None:
    finder = DuplicateFinder.for_engine(engine)
    finder.verdicts.clear()
    first = finder.scan("file", folder=str(corpus / "kinds"))
    judged = finder.last_scan["file_pairs_judged"]
    assert judged > 0 and finder.last_scan["file_pairs_reused"] == 0
    again = DuplicateFinder.for_engine(engine)  # a new finder: the verdicts are in SQLite
    second = again.scan("file", folder=str(corpus / "kinds"))
    assert again.last_scan["file_pairs_judged"] == 0
    assert again.last_scan["file_pairs_reused"] == judged
    assert [g.as_json() for g in second.groups] == [g.as_json() for g in first.groups]
    # Other settings are other verdicts.
    again.scan("file", folder=str(corpus / "kinds"), min_containment=0.9)
    assert again.last_scan["file_pairs_judged"] == judged


def test_a_trashed_file_leaves_the_index_at_once(engine, corpus: Path) -> None:
    path = corpus / "kinds" / "copy" / "original.txt"
    row = engine.store.file(str(path))
    before = engine.vectors.count()
    n = len(engine.store.passage_hashes(row.id))
    assert engine.forget(str(path)) == n > 0
    assert engine.store.file(str(path)) is None
    assert engine.vectors.count() == before - n
    finder = DuplicateFinder.for_engine(engine, use_cache=False)
    report = finder.scan("file", folder=str(corpus / "kinds"))
    assert not [g for g in report.groups if g.kind == "identical"]
    with pytest.raises(NotIndexedError):  # already gone: the CLI says so, the app ignores it
        engine.forget(str(path))


# -- memory: N identical files cost O(N) ---------------------------------------------------

_CHILD = textwrap.dedent(
    """
    import json, os, sys, threading, time
    from desktop_search.core.duplicates import DuplicateFinder
    from desktop_search.core.store.catalog import Store
    from desktop_search.core.store.vector_index import VectorSet

    PAGE = os.sysconf("SC_PAGE_SIZE")

    def rss() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * PAGE

    data, model, dim, level = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    store = Store(data)
    vectors = VectorSet(store.data_dir, model, dim)
    vectors.open(store)
    finder = DuplicateFinder(store, vectors.index, model, use_cache=False)
    # The peak resident size while the scan runs, sampled: ru_maxrss would also count the
    # imports before it.
    peak, done = [rss()], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss())
            time.sleep(0.002)

    before = rss()
    sampler = threading.Thread(target=sample)
    sampler.start()
    report = finder.scan(level)
    done.set()
    sampler.join()
    print(json.dumps({
        "grew_mb": (max(peak[0], rss()) - before) / 2**20,
        "groups": [[g.kind, len(g.members)] for g in report.groups],
    }))
    """
)

N_COPIES = 4000


@pytest.mark.slow
def test_identical_files_cost_linear_memory(tmp_path, encoder) -> None:
    """4,000 copies of one line: the old pairwise grouping held 8 million pairs (over a GB);
    grouping by hash holds the list of files."""
    from desktop_search.core.engine import Engine

    root = tmp_path / "copies"
    for i in range(N_COPIES):
        d = root / f"d{i % 40}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"LICENSE-{i}.txt").write_text("Permission is granted to use this file freely.\n")
    data = tmp_path / "data"
    with Engine(data, encoder=encoder) as eng:
        eng.indexer.add_root(str(root))
        assert eng.sync().files_added == N_COPIES
        model, dim = eng.encoder.model_id, eng.encoder.dim
        data_dir = eng.data_dir
    for level in ("file", "passage"):
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, str(data_dir), model, str(dim), level],
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        assert result["groups"] == [["identical", N_COPIES]]
        assert result["grew_mb"] < 150, (level, result)
