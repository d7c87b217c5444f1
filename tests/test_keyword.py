"""The keyword leg's cost bound: the plan is pure; counts and ranking run on real SQLite FTS5."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop_search.core.search import keyword
from desktop_search.core.search.filters import Filters
from desktop_search.core.search.keyword import Plan, plan_match
from desktop_search.core.search.query import parse

from .corpus import indexed_engine

# -- the plan ---------------------------------------------------------------------------


def test_plan_ranks_every_word_when_they_fit():
    plan = plan_match(["socket", "timeout"], {"socket": 40, "timeout": 30}, 100)
    assert plan == Plan('"socket" OR "timeout"')


def test_plan_leaves_out_common_words_when_rarer_ones_fit():
    dfs = {"python": 31_000, "compiling": 4_600, "windows": 4_000}
    plan = plan_match(["compiling", "python", "windows"], dfs, 15_000)
    assert plan == Plan('"windows" OR "compiling"')


def test_plan_requires_every_word_when_each_is_common():
    dfs = {"objects": 27_000, "values": 18_000, "types": 22_000}
    plan = plan_match(["objects", "values", "types"], dfs, 15_000)
    assert plan == Plan('"objects" AND "values" AND "types"', cap=15_000)


def test_plan_drops_words_no_passage_holds():
    dfs = {"classuserdict": 0, "objects": 27_000}
    assert plan_match(["classuserdict", "objects"], dfs, 15_000) == Plan('"objects"', cap=15_000)
    assert plan_match(["zzz"], {"zzz": 0}, 15_000) is None


def test_phrases_are_units_of_the_plan():
    plan = plan_match(["lazy loading", "windows"], {"lazy loading": 3, "windows": 9}, 100)
    assert plan == Plan('"lazy loading" OR "windows"')


def test_quote_keeps_syntax_out():
    assert keyword.quote('say "NEAR" OR') == '"say ""NEAR"" OR"'


# -- on a real index --------------------------------------------------------------------

COMMON = "The weekly meeting covered the budget and the schedule for file {i}."
RARE = "The meeting agenda lists the zebra enclosure repairs at the city zoo."


@pytest.fixture(scope="module")
def notes(tmp_path_factory, encoder):
    base = tmp_path_factory.mktemp("kw")
    root = base / "notes"
    root.mkdir()
    for i in range(30):
        (root / f"n{i:02d}.txt").write_text(COMMON.format(i=i))
    (root / "zoo.txt").write_text(RARE)
    engine, _ = indexed_engine(root, base / "data", encoder)
    yield engine, root
    engine.close()


def test_doc_freqs_count_stemmed_words_and_reset_on_change(notes):
    engine, root = notes
    store = engine.store
    freqs = keyword.DocFreqs()
    assert freqs.get(store.conn, store.generation(), ["meetings", "zebra", "okapi"]) == {
        "meetings": 31,
        "zebra": 1,
        "okapi": 0,
    }  # porter: "meetings" matches "meeting"
    (root / "okapi.txt").write_text("An okapi and a zebra at the zoo.")
    engine.sync()
    try:
        assert freqs.get(store.conn, store.generation(), ["zebra", "okapi"]) == {
            "zebra": 2,
            "okapi": 1,
        }
    finally:
        (root / "okapi.txt").unlink()
        engine.sync()


def test_cap_ranks_only_the_newest_matching_rows(notes):
    engine, _ = notes
    conn = engine.store.conn
    every = sorted(
        r[0]
        for r in conn.execute("SELECT rowid FROM passages_fts WHERE passages_fts MATCH 'budget'")
    )
    assert len(every) == 30
    capped = keyword.ranked(conn, '"budget"', limit=50, cap=5)
    assert sorted(i for i, _ in capped) == every[-5:]
    assert len(keyword.ranked(conn, '"budget"', limit=50)) == 30


def test_hybrid_keyword_leg_skips_a_word_over_budget(notes):
    engine, root = notes
    searcher = engine.searcher()
    zoo = {
        r[0]
        for r in engine.store.conn.execute(
            "SELECT p.id FROM passages p JOIN files f ON f.id = p.file_id WHERE f.path LIKE '%zoo.txt'"
        )
    }
    searcher.legs.keyword_budget = 10  # "meeting" is in 31 passages, "zebra" in 1
    leg = searcher.legs.keyword(parse("meeting zebra"), Filters(), engine.store)
    assert {i for i, _ in leg} == zoo
    searcher.legs.keyword_budget = keyword.RANK_BUDGET
    assert len(searcher.legs.keyword(parse("meeting zebra"), Filters(), engine.store)) == 31
    searcher.legs.keyword_budget = 10
    try:
        results = engine.search("meeting zebra", mode="hybrid", k=3)
        assert Path(results[0].path).name == "zoo.txt"
        # keyword mode: "budget" is over the row budget, so "zebra" alone is ranked
        assert [Path(r.path).name for r in engine.search("budget zebra", mode="keyword")] == [
            "zoo.txt"
        ]
        folder = Filters(folder=str(root), types=("txt",))
        assert {
            i for i, _ in searcher.legs.keyword(parse("meeting zebra"), folder, engine.store)
        } == zoo
    finally:
        searcher.legs.keyword_budget = keyword.RANK_BUDGET
    assert len(engine.search("budget zebra", mode="keyword", k=50)) == 31


def test_doc_freqs_stop_counting_past_the_cap_and_estimate_the_rest(tmp_path):
    from desktop_search.core.store.catalog import NewPassage, Store

    with Store(tmp_path) as store:
        for f in range(100):  # 2,000 passages: "common" in every other one, "rare" in 7
            texts = [
                " ".join(["common"] * (i % 2 == 0) + ["rare"] * (f * 20 + i in range(0, 1400, 200)))
                + f" filler{i}"
                for i in range(20)
            ]
            store.save_file(
                path=f"/d/f{f}.txt",
                root_id=None,
                size=1,
                mtime_ns=1,
                content_hash=str(f),
                kind="text",
                passages=[
                    NewPassage(i, t, 0, len(t), None, f"{f}-{i}") for i, t in enumerate(texts)
                ],
            )
        conn, gen = store.conn, store.generation()
        freqs = keyword.DocFreqs()
        capped = freqs.get(conn, gen, ["common", "rare", "filler3"], cap=101)
        assert capped["rare"] == 7 and capped["filler3"] == 100  # under the cap: exact
        assert 950 <= capped["common"] <= 1050  # 1,000 in truth, from the first 101 rows
        exact = keyword.DocFreqs().get(conn, gen, ["common", "rare", "filler3"])
        assert exact == {"common": 1000, "rare": 7, "filler3": 100}
        for budget in (5, 100, 110, 1100):  # the plan is the same as with exact counts
            units = ["common", "rare", "filler3"]
            assert plan_match(units, capped, 100) == plan_match(units, exact, 100)
            assert plan_match(units, freqs.get(conn, gen, units, cap=budget + 1), budget) == (
                plan_match(units, exact, budget)
            )
        assert freqs.get(conn, gen, ["common"], cap=10**6) == {"common": 1000}  # recounted


def test_plan_ranks_a_table_within_the_budget_in_full():
    dfs = {"socket": 80, "timeout": 70}  # 150 by the sum, but the table has 120 rows
    assert plan_match(["socket", "timeout"], dfs, 100, rows=120) == Plan('"timeout"')
    assert plan_match(["socket", "timeout"], dfs, 100, rows=90) == Plan('"socket" OR "timeout"')


# -- blocks: what the leg ranks ---------------------------------------------------------


def _save(store, path: str, texts: list[tuple[str, int | None]], step: int = 10) -> list[int]:
    from desktop_search.core.store.catalog import NewPassage

    passages = [
        NewPassage(i, t, i * step, i * step + len(t), page, f"{path}-{i}")
        for i, (t, page) in enumerate(texts)
    ]
    added, _ = store.save_file(
        path=path, root_id=None, size=1, mtime_ns=1, content_hash=path, kind="text",
        passages=passages,
    )  # fmt: skip
    return added


def _blocks(store) -> dict[int, str]:
    return dict(store.conn.execute("SELECT rowid, text FROM blocks_fts ORDER BY rowid"))


def test_blocks_join_each_passage_with_the_new_text_of_the_next_on_its_page(tmp_path):
    from desktop_search.core.store.catalog import Store

    with Store(tmp_path) as store:
        # offsets overlap by half: each passage starts 10 characters after the last one
        a, b, c, d = _save(
            store,
            "/d/a.txt",
            [("0123456789abcdefghij", 1), ("abcdefghijKLMNOPQRST", 1), ("KLMNOPQRSTuvw", 1),
             ("next page", 2)],
        )  # fmt: skip
        assert _blocks(store) == {
            a: "0123456789abcdefghij KLMNOPQRST",
            b: "abcdefghijKLMNOPQRST uvw",
            c: "KLMNOPQRSTuvw",  # the last on its page stands alone
            d: "next page",
        }
        (e,) = _save(store, "/d/a.txt", [("rewritten", None)])  # a new version of the file
        assert _blocks(store) == {e: "rewritten"}
        store.remove_files(["/d/a.txt"])
        assert _blocks(store) == {}


def test_an_index_made_before_blocks_gets_them_from_its_writer(tmp_path):
    from desktop_search.core.store.catalog import Store

    with Store(tmp_path) as store:
        ids = _save(store, "/d/old.txt", [("alpha beta gamma", None), ("gamma delta", None)])
        made_by_triggers = _blocks(store)
        for statement in ("DROP TRIGGER blocks_ad", "DROP TABLE blocks_fts"):
            store.conn.execute(statement)
        assert keyword.table(store.conn) == keyword.PASSAGES  # readers rank passages meanwhile
        store.ensure_blocks()
        assert keyword.table(store.conn) == "blocks_fts"
        assert _blocks(store) == made_by_triggers and sorted(made_by_triggers) == ids
        store.remove_files(["/d/old.txt"])  # and they follow deletes from then on
        assert _blocks(store) == {}


def test_an_older_versions_block_trigger_is_dropped_by_the_writer(tmp_path):
    # Blocks used to be written by a trigger on each passage; the store now writes them
    # itself, so a left-over trigger would write every block twice (FTS5 refuses that).
    from desktop_search.core.store.catalog import Store

    with Store(tmp_path) as store:
        store.conn.execute(
            "CREATE TRIGGER blocks_ai AFTER INSERT ON passages BEGIN"
            " INSERT INTO blocks_fts(rowid, text) VALUES (new.id, new.text); END"
        )
        with pytest.raises(sqlite3.DatabaseError):
            _save(store, "/d/a.txt", [("alpha beta", None)])
        store.ensure_blocks()
        a, b = _save(store, "/d/a.txt", [("alpha beta", None), ("beta gamma", None)])
        assert _blocks(store) == {a: "alpha beta beta gamma", b: "beta gamma"}


def test_a_block_hit_goes_to_the_passages_that_hold_the_words(tmp_path):
    from desktop_search.core.store.catalog import Store

    with Store(tmp_path) as store:
        a, b, c = _save(
            store, "/d/z.txt", [("the zebra grazes", None), ("near the fence", None),
                                ("the zebra sleeps", None)], step=100,
        )  # fmt: skip
        hits = keyword.ranked(store.conn, '"zebra"', limit=10, fts="blocks_fts")
        assert {i for i, _ in hits} == {a, b, c}  # block b is "near the fence the zebra sleeps"
        mapped = dict(keyword.to_passages(store.conn, '"zebra"', hits))
        assert set(mapped) == {a, c}  # never the passage without the word
        assert mapped[a] == dict(hits)[a]  # the first passage holds it: its block is its own
        assert mapped[c] == max(s for i, s in hits if i in (b, c))
