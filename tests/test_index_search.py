"""Indexing and search on a small real folder: the real model, SQLite and hnswlib."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from desktop_search.core.engine import Engine
from desktop_search.core.index.chunking import ChunkConfig
from desktop_search.core.search.searcher import Filters, SearchError

from .corpus import CAR_TEXT, build_corpus, indexed_engine


@pytest.fixture(scope="module")
def indexed(tmp_path_factory, fixture_data, encoder):
    base = tmp_path_factory.mktemp("lib")
    root = build_corpus(fixture_data, base / "docs")
    engine, report = indexed_engine(root, base / "data", encoder)
    yield engine, root, report
    engine.close()


def _paths(results):
    return [Path(r.path).name for r in results]


def test_first_sync_indexes_every_format(indexed):
    engine, root, report = indexed
    assert report.files_added == 7 and report.files_failed == 0, report.errors
    assert report.passages_embedded > 10
    status = engine.status()
    assert status["files"] == 7 and status["vectors"] == status["passages"]


def test_paraphrase_without_shared_words_is_found(indexed):
    engine, _, _ = indexed
    query = "automobile maintenance"
    assert not set(query.split()) & set(CAR_TEXT.lower().split())
    for mode in ("semantic", "hybrid"):
        assert _paths(engine.search(query, mode=mode, k=3))[0] == "car.txt", mode


def test_keyword_mode_needs_the_word_and_highlights_it(indexed):
    engine, _, _ = indexed
    results = engine.search("colorsys conversions", mode="keyword")
    assert _paths(results)[0] == "colorsys.rst"
    hit = results[0].passages[0]
    marked = {hit.text[s:e].lower() for s, e in hit.highlights}
    assert "colorsys" in marked
    assert engine.search("automobile maintenance", mode="keyword") == []


def test_semantic_best_sentence_is_highlighted(indexed):
    engine, _, _ = indexed
    results = engine.search("baking bread in the oven", mode="semantic", best_sentence=True, k=1)
    hit = results[0].passages[0]
    s, e = hit.highlights[0]
    assert "bake" in hit.text[s:e]


def test_results_are_grouped_by_file_with_offsets(indexed):
    engine, root, _ = indexed
    results = engine.search("python keywords list", k=5)
    assert len(_paths(results)) == len(set(_paths(results)))
    from desktop_search.core.extract.dispatch import extract_file

    for r in results:
        text = extract_file(r.path).text
        for p in r.passages:
            assert text[p.start : p.end] == p.text


def test_pdf_passages_keep_page_numbers(indexed):
    engine, _, _ = indexed
    results = engine.search(
        "R FAQ frequently asked questions", k=10, filters=Filters(types=("pdf",))
    )
    assert _paths(results) == ["rfaq.pdf"]
    assert all(p.page in (1, 2) for p in results[0].passages)


def test_filters_by_type_folder_and_date(indexed):
    engine, root, _ = indexed
    assert set(_paths(engine.search("text", k=20, filters=Filters(types=("md",))))) == {"bread.md"}
    in_notes = engine.search("loaf of bread", k=20, filters=Filters(folder=str(root / "notes")))
    assert _paths(in_notes) == ["bread.md"]
    old_only = engine.search("bread", k=20, filters=Filters(before=978307200))  # before 2001
    assert _paths(old_only) == ["bread.md"]
    recent = engine.search("bread", k=20, filters=Filters(after=978307200))
    assert "bread.md" not in _paths(recent)
    for mode in ("semantic", "keyword", "hybrid"):
        got = engine.search("python", k=20, mode=mode, filters=Filters(types=("rst",)))
        assert got and all(p.endswith(".rst") for p in _paths(got)), mode


def test_bad_mode_is_a_clear_error(indexed):
    engine, _, _ = indexed
    with pytest.raises(SearchError, match="hybrid, semantic, keyword"):
        engine.search("x", mode="fuzzy")
    assert engine.search("   ") == []


# -- incremental behaviour on a tiny folder of its own ---------------------------------


def tiny_folder(tmp_path: Path, fixture_data: Path) -> Path:
    """Two real files: an rst page of the Python docs and a short text."""
    root = tmp_path / "docs"
    root.mkdir()
    shutil.copy(
        fixture_data / "docs" / "rst" / "library" / "colorsys.rst.txt", root / "colorsys.rst"
    )
    (root / "car.txt").write_text(CAR_TEXT)
    return root


@pytest.fixture
def tiny(tmp_path, fixture_data, encoder):
    root = tiny_folder(tmp_path, fixture_data)
    engine, _ = indexed_engine(root, tmp_path / "data", encoder)
    yield engine, root
    engine.close()


def test_unchanged_sync_reads_and_embeds_nothing(tiny):
    engine, root = tiny
    before = engine.encoder.texts_encoded
    report = engine.sync()
    assert report.files_unchanged == 2 and report.passages_embedded == 0
    assert engine.encoder.texts_encoded == before


def test_edit_reembeds_only_the_changed_passages(tiny):
    engine, root = tiny
    path = root / "colorsys.rst"
    old_hashes = set(engine.store.passage_hashes(engine.store.file(str(path)).id))
    with open(path, "a") as fh:
        fh.write("\n\nA brand new closing paragraph about converting hues to grey levels.\n")
    report = engine.sync()
    new_hashes = set(engine.store.passage_hashes(engine.store.file(str(path)).id))
    assert report.files_updated == 1 and report.files_unchanged == 1
    assert report.passages_embedded == len(new_hashes - old_hashes) >= 1
    assert report.passages_embedded < len(new_hashes)
    assert "colorsys.rst" in _paths(engine.search("hues to grey levels", mode="keyword"))


def test_touch_without_change_costs_no_forward_pass(tiny):
    engine, root = tiny
    os.utime(root / "car.txt", (1e9, 1e9))
    before = engine.encoder.texts_encoded
    report = engine.sync()
    assert report.files_unchanged == 2 and engine.encoder.texts_encoded == before


def test_rename_reembeds_nothing(tiny):
    engine, root = tiny
    (root / "sub").mkdir()
    os.rename(root / "car.txt", root / "sub" / "vehicle.txt")
    before = engine.encoder.texts_encoded
    report = engine.sync()
    assert (report.files_added, report.files_removed, report.passages_embedded) == (1, 1, 0)
    assert engine.encoder.texts_encoded == before
    assert _paths(engine.search("automobile maintenance", k=1)) == ["vehicle.txt"]


def test_delete_removes_the_file_from_results(tiny):
    engine, root = tiny
    os.remove(root / "car.txt")
    report = engine.sync()
    assert report.files_removed == 1
    for mode in ("semantic", "keyword", "hybrid"):
        assert "car.txt" not in _paths(engine.search("brake pads engine oil", mode=mode, k=5))
    assert engine.vectors.count() == engine.status()["passages"]


def test_deleted_hnsw_file_is_rebuilt_without_reembedding(tiny, encoder):
    engine, root = tiny
    data_dir = engine.data_dir
    n = engine.status()["passages"]
    engine.close()
    for f in (data_dir / "vectors").iterdir():
        f.unlink()
    before = encoder.texts_encoded
    reopened = Engine(data_dir, encoder=encoder)
    try:
        assert reopened.vectors.last_open == "rebuilt"
        assert reopened.vectors.count() == n
        assert encoder.texts_encoded == before  # rebuilt from stored vectors
        assert _paths(reopened.search("automobile maintenance", k=1)) == ["car.txt"]
        assert "rebuilt" in (data_dir / "desktop-search.log").read_text()
    finally:
        reopened.close()


def test_excludes_hidden_and_size_limit(tmp_path, encoder):
    root = tmp_path / "docs"
    (root / ".hidden").mkdir(parents=True)
    (root / "node_modules").mkdir()
    (root / "drafts").mkdir()
    (root / ".hidden" / "a.txt").write_text("secret hidden text")
    (root / "node_modules" / "b.txt").write_text("dependency text")
    (root / "drafts" / "c.txt").write_text("draft text")
    (root / "big.txt").write_text("big " * 5000)
    (root / "ok.txt").write_text("an ordinary note")
    engine = Engine(tmp_path / "data", encoder=encoder, max_file_size=10_000)
    try:
        engine.add_root(str(root), exclude=["drafts"])
        told = []
        report = engine.sync(
            on_file=lambda path, outcome, error: told.append((Path(path).name, outcome))
        )
        assert report.files_added == 1
        assert sorted(told) == [("big.txt", "skipped"), ("ok.txt", "added")]
        problems = engine.status()["problems"]
        assert [(Path(p["path"]).name, p["state"]) for p in problems] == [("big.txt", "skipped")]
        assert "size limit" in problems[0]["error"]
    finally:
        engine.close()


def test_text_is_capped_below_the_file_size_limit(tmp_path, encoder):
    """A text is decoded whole (up to 4 bytes a character), so text-like files stop at 48 MB
    under the 64 MB limit that zip-based files, read part by part, keep."""
    root = tmp_path / "docs"
    root.mkdir()
    for name in ("log.txt", "report.odt"):
        with open(root / name, "wb") as fh:
            fh.truncate(49 * 2**20)
    engine = Engine(tmp_path / "data", encoder=encoder)
    try:
        engine.add_root(str(root))
        engine.sync()
        problems = {Path(p["path"]).name: p for p in engine.status()["problems"]}
        assert problems["log.txt"]["state"] == "skipped"
        assert problems["log.txt"]["error"] == "larger than the size limit (48 MB)"
        assert problems["report.odt"]["state"] == "error"
        assert "size limit" not in problems["report.odt"]["error"]
    finally:
        engine.close()


def test_cancel_keeps_finished_files_and_the_next_sync_resumes(tmp_path, fixture_data, encoder):
    import threading

    from desktop_search.core.training.readers import read_stsb_rows as read_stsb

    root = tmp_path / "docs"
    root.mkdir()
    for i, (a, b, _) in enumerate(read_stsb(fixture_data / "stsb" / "sts-dev.csv")[:24]):
        (root / f"n{i:02d}.txt").write_text(f"{a} {b}")
    engine = Engine(tmp_path / "data", encoder=encoder, embed_batch=4)
    engine.add_root(str(root))
    cancel = threading.Event()
    seen = []

    def progress(p):
        seen.append(p)
        if p.phase == "indexing":
            assert (
                0 < p.files_done <= p.files_total == 24
                and p.passages_per_s > 0
                and p.eta_s is not None
            )
            cancel.set()

    first = engine.sync(progress=progress, cancel=cancel)
    assert first.cancelled and 0 < first.files_added < 24
    second = engine.sync()
    assert second.files_unchanged == first.files_added
    assert second.files_added == 24 - first.files_added
    assert engine.vectors.count() == engine.status()["passages"] == 24
    engine.close()


def test_an_index_cut_otherwise_is_cut_again(tmp_path, fixture_data, encoder):
    # An index made with other passage settings (an older version's) gets today's passages
    # on the next sync; the same settings again read nothing.
    root = tiny_folder(tmp_path, fixture_data)
    narrow = ChunkConfig(max_tokens=48, overlap_tokens=0)
    with Engine(tmp_path / "data", encoder=encoder, chunk_config=narrow) as engine:
        engine.index([str(root)])
        before = engine.stats()["passages"]
    with Engine(tmp_path / "data", encoder=encoder) as engine:
        # until a file is read again, it is found as before, with its date and size
        (car,) = engine.search("brake pads", mode="keyword", k=1)
        assert (
            car.mtime == pytest.approx(os.stat(root / "car.txt").st_mtime, abs=1e-3)
            and car.size > 0
        )
        report = engine.sync()
        assert report.files_updated == 2 and report.files_unchanged == 0
        after = engine.stats()["passages"]
        assert after < before  # today's passages fill the model's 256-token window
        assert engine.stats()["passages_pending"] == 0
        assert _paths(engine.search("what color systems does the module convert between"))
    with Engine(tmp_path / "data", encoder=encoder) as engine:
        assert engine.sync().files_unchanged == 2
        assert engine.stats()["passages"] == after
