"""What a result shows: the passage that holds the query's words, an honest count of the
file's matching passages, and filters (folders, types) that work on any file name. Real
model, real SQLite FTS5 and hnswlib."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from desktop_search.core.duplicates import DuplicateFinder, file_text
from desktop_search.core.duplicates.cache import IgnoreList
from desktop_search.core.engine import Engine
from desktop_search.core.index.chunking import ChunkConfig
from desktop_search.core.search import confidence, fusion
from desktop_search.core.search.searcher import Filters

from .corpus import BREAD_TEXT, CAR_TEXT

# Two passages: cycling without the word "bicycle", and tax rules that name it once.
RIDING = (
    "Riding to work on two wheels keeps you fit. Oil the chain every few weeks, check that the "
    "brakes grip before a descent, pump the tyres to the pressure printed on their side and "
    "set the saddle so that your leg is almost straight at the bottom of each pedal stroke. "
    "Shift to a lower gear before a steep hill rather than halfway up it."
)
TAX = (
    "Keep receipts for deductible expenses for seven years in case the tax office asks to see "
    "them. Travel between home and work is not deductible, whether by car, train or bicycle, "
    "but a trip to a client is. Mileage allowances are set each year by the revenue service; "
    "file your annual return by the end of July, or ask an accountant for an extension."
)
NOTES = f"{RIDING} {RIDING.replace('Riding', 'Cycling')}\n\n{TAX} {TAX.replace('Keep', 'Save')}"
# One file with the word in four of its eight paragraphs (one passage each).
FILLER = [
    "The harbour master logs every ship that enters, its cargo and the hour of its arrival.",
    "Fishing boats unload at dawn and the market opens to buyers an hour later.",
    "Gulls follow the trawlers in and quarrel over whatever falls on the quay.",
    "A lighthouse keeper lived on the rock until the lamp was automated in 1989.",
]
AIRSHIP = [
    "A zeppelin moored at the mast on the north pier in the summer of 1929.",
    "Crowds paid a shilling to walk beneath the zeppelin while it was refuelled.",
    "The zeppelin crew slept in a hotel on the front and drank in its bar.",
    "When the zeppelin left, the mast was taken down and sold for scrap.",
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory, encoder):
    base = tmp_path_factory.mktemp("display")
    root = base / "docs"
    (root / "harbour").mkdir(parents=True)
    (root / "notes.txt").write_text(NOTES)
    paras = [p for pair in zip(FILLER, AIRSHIP) for p in pair]
    (root / "harbour" / "history.md").write_text("\n\n".join(p * 6 for p in paras))
    (root / "bread.md").write_text(BREAD_TEXT)
    (root / "car.txt").write_text(CAR_TEXT)
    # One passage per paragraph, none overlapping: the tests below count passages.
    layout = ChunkConfig(max_tokens=200, overlap_tokens=0)
    with Engine(base / "data", encoder=encoder, chunk_config=layout) as engine:
        engine.index([str(root)])
        engine.root = root
        yield engine


def test_a_files_lead_passage_holds_the_word_that_ranked_it(engine, monkeypatch):
    query = "bicycle commute"  # "commute" is in no document: "bicycle" ranked the file
    semantic = engine.search(query, mode="semantic", k=1)[0]
    assert Path(semantic.path).name == "notes.txt"
    assert "bicycle" not in semantic.passages[0].text  # the closest passage lacks the word
    with monkeypatch.context() as m:
        m.setattr(fusion, "LEAD_SHARE", 2.0)  # as before: the best fused passage leads
        before = engine.search(query, mode="hybrid", k=1)[0]
    assert "bicycle" not in before.passages[0].text
    (r,) = [x for x in engine.search(query, mode="hybrid", k=3) if x.path == before.path]
    lead = r.passages[0]
    assert "bicycle" in lead.text
    assert {lead.text[a:b] for a, b in lead.highlights} == {"bicycle"}
    assert r.passages[1].id == before.passages[0].id  # the one closest in meaning comes next
    assert r.score == before.score  # the rank and the bar are the file's, as before
    # the best-sentence pass picks a sentence that holds the word (the snippet is centred on it)
    (marked,) = engine.best_sentences(query, [r])[0].passages[:1]
    a, b = marked.highlights[0]
    assert "bicycle" in marked.text[a:b]


def test_a_paraphrase_keeps_the_passage_that_answers_it_in_front(engine):
    # "bicycle" is one word of five (by idf, under half): the riding passage still leads
    r = engine.search("how should I look after the tyres brakes and chain of a bicycle", k=1)[0]
    assert Path(r.path).name == "notes.txt"
    assert r.passages[0].text.startswith(("Riding", "Cycling"))


def test_more_matches_is_the_number_of_matching_passages(engine, encoder):
    (r,) = engine.search("zeppelin", mode="keyword", k=1)
    assert Path(r.path).name == "history.md"
    assert len(r.passages) == 3  # shown: three
    assert r.matches == 4 and r.more == 3  # matching: the four paragraphs that name it
    assert all("zeppelin" in p.text for p in r.passages)
    # semantic: the passages whose cosine clears the weak mark, counted by brute force
    query = "a zeppelin moored at the mast"  # every word is in the index (no unknown-word ramp)
    (top,) = engine.search(query, mode="semantic", k=1)
    assert Path(top.path).name == "history.md"
    texts = [
        t
        for (t,) in engine.store.conn.execute(
            "SELECT p.text FROM passages p JOIN files f ON f.id = p.file_id WHERE f.path = ?",
            (top.path,),
        )
    ]
    cos = encoder.encode(texts) @ encoder.encode([query])[0]
    strong = sum(confidence.meaning(float(c)) >= confidence.WEAK for c in cos)
    assert 1 < strong < len(texts)  # the harbour paragraphs are not matches
    assert top.matches == strong
    assert top.more == strong - 1


def test_facets_are_the_indexed_types_and_folders(engine):
    f = engine.facets()
    assert f.types == {".md": 2, ".txt": 2}
    root = str(engine.root)
    assert f.folders == [root, os.path.join(root, "harbour")]


def test_a_subfolder_filter_takes_what_is_below_it(engine):
    sub = os.path.join(str(engine.root), "harbour")
    for mode in ("hybrid", "semantic", "keyword"):
        found = engine.search("zeppelin bread car", mode=mode, k=10, filters=Filters(folder=sub))
        assert [Path(r.path).name for r in found] == ["history.md"], mode


def test_a_folder_whose_name_is_not_utf8_filters_searches_and_duplicates(tmp_path, encoder):
    root = tmp_path / "archive"
    raw = os.fsencode(root) + b"/Caf\xe9"  # a Latin-1 folder name from an old archive
    os.makedirs(raw)
    for name in (b"/recette.md", b"/copie.md"):
        with open(raw + name, "wb") as fh:
            fh.write(BREAD_TEXT.encode())
    (root / "car.txt").write_text(CAR_TEXT)
    folder = os.fsdecode(raw)
    with Engine(tmp_path / "data", encoder=encoder) as engine:
        engine.index([str(root)])
        assert folder in engine.facets().folders
        for mode in ("hybrid", "semantic", "keyword"):
            found = engine.search("bread dough", mode=mode, filters=Filters(folder=folder))
            assert sorted(os.fsencode(r.path) for r in found) == [
                raw + b"/copie.md",
                raw + b"/recette.md",
            ], mode
        report = engine.duplicates("file", folder=folder)
        assert len(report.groups) == 1
        assert {os.fsencode(m.path) for m in report.groups[0].members} == {
            raw + b"/copie.md",
            raw + b"/recette.md",
        }
        finder = DuplicateFinder.for_engine(engine)
        assert len(finder.file_ids_under(folder)) == 2
        assert "dough" in file_text(engine.store, folder + "/recette.md")
        ignore = IgnoreList(engine.store)
        ignore.ignore_file_pair(folder + "/recette.md", folder + "/copie.md")
        assert ignore.load().file_pairs == {(folder + "/copie.md", folder + "/recette.md")}
        assert engine.duplicates("file", folder=folder).groups == []
        ignore.remove("file_pair", folder + "/recette.md", folder + "/copie.md")
        assert ignore.entries() == []
