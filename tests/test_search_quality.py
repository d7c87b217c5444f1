"""Search as people use it: files fused as files, quotes and minus, honest scores, an order
that does not depend on k, filters that agree with filtering afterwards. Real model, real
SQLite FTS5 and hnswlib."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_search.core.search import confidence, rerank
from desktop_search.core.search.fusion import (
    ALPHA_MEANING,
    ALPHA_PASTED,
    ALPHA_WORDS,
    SECOND,
    alpha_for,
    apart,
    by_best,
    fuse,
    keep_keyword_places,
)
from desktop_search.core.search.query import PASTED_WORDS, parse
from desktop_search.core.search.searcher import MODES, Filters

from .corpus import indexed_engine

DOCS = {
    "modules.txt": "Lazy loading of modules speeds up start-up: a module is imported only "
    "when a program first touches one of its names.",
    "truck.txt": "Loading the truck was lazy work on a hot afternoon; the crates went in slowly.",
    "gui.txt": "On Windows, lazy loading of the widget toolkit keeps the first window fast.",
    "car.txt": "Replace worn brake pads, change the engine oil every five thousand miles and "
    "rotate the tyres. A good mechanic also checks the battery before a long trip.",
    "bread.md": "Mix flour, water and salt with an active starter. Let the dough rise "
    "overnight, shape it and bake it in a very hot oven until the crust is dark.",
    "garden.md": "Water tomato plants at the roots in the morning, and pinch out side shoots "
    "so that the plant puts its strength into the fruit.",
    "tax.txt": "Keep receipts for deductible expenses for seven years in case the tax office "
    "asks to see them after you file your annual return.",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory, encoder):
    base = tmp_path_factory.mktemp("quality")
    root = base / "docs"
    root.mkdir()
    for name, text in DOCS.items():
        (root / name).write_text(text)
    engine, _ = indexed_engine(root, base / "data", encoder)
    yield engine
    engine.close()


def names(results) -> list[str]:
    return [Path(r.path).name for r in results]


def test_file_fusion_keeps_a_files_evidence_together():
    # File A holds the best passage of each leg (two different passages); file B has one
    # passage a close second in both. Ranked by passage, B's passage would come first.
    cos = {"a1": 0.9, "b1": 0.85, "c1": 0.1}
    bm25 = {"a2": 9.0, "b1": 8.5}
    file_of = {"a1": "A", "a2": "A", "b1": "B", "c1": "C"}
    files, passages = fuse(cos, bm25, file_of)
    assert max(passages, key=passages.get) == "b1"
    assert [f for f, _ in files] == ["A", "B", "C"]
    assert files[0][1] == pytest.approx(1.0)
    assert by_best({"a1": 0.2, "a2": 0.9, "c1": 0.5}, file_of) == [("A", 0.9), ("C", 0.5)]


def test_keyword_evidence_in_two_passages_adds_up():
    # bm25: B's best passage is a little better, but A holds the query's words in two
    file_of = {"a1": "A", "a2": "A", "b1": "B", "b2": "B"}
    bm25 = {"a1": 8.0, "a2": 7.0, "b1": 8.5, "b2": 0.5}
    assert [f for f, _ in by_best(bm25, file_of)] == ["B", "A"]
    assert [f for f, _ in by_best(bm25, file_of, SECOND)] == ["A", "B"]


def test_overlapping_blocks_do_not_count_twice():
    # A's two hits are neighbours whose blocks share text (the same words, found twice);
    # B's best is a little better. Only evidence from another part of A may add up.
    file_of = {"a1": "A", "a2": "A", "b1": "B"}
    bm25 = {"a1": 8.0, "a2": 7.9, "b1": 8.5}
    near = {"a1": (None, 0, 800), "a2": (None, 400, 1200), "b1": (None, 0, 800)}
    assert not apart(near["a1"], near["a2"])
    assert [f for f, _ in by_best(bm25, file_of, 1.0, near)] == ["B", "A"]
    far = {**near, "a2": (None, 1600, 2400)}  # a block (two passages) away: no shared text
    assert apart(far["a1"], far["a2"]) and apart(far["a2"], far["a1"])
    assert [f for f, _ in by_best(bm25, file_of, 1.0, far)] == ["A", "B"]
    other_page = {**near, "a2": (2, 400, 1200)}  # blocks stay on their page
    assert [f for f, _ in by_best(bm25, file_of, 1.0, other_page)] == ["A", "B"]


def test_a_file_waiting_for_vectors_keeps_its_keyword_place():
    fused = [("x", 0.9), ("y", 0.8), ("z", 0.7), ("w", 0.3)]
    keyword = [("w", 9.0), ("x", 5.0), ("z", 4.0)]
    assert keep_keyword_places(fused, keyword, set()) == fused
    assert [f for f, _ in keep_keyword_places(fused, keyword, {"w"})] == ["w", "x", "y", "z"]
    # a waiting file that fusion already places well keeps its place
    assert [f for f, _ in keep_keyword_places(fused, keyword, {"x"})] == ["x", "y", "z", "w"]


def test_query_parsing():
    q = parse('how do I set up "lazy loading" -windows')
    assert q.phrases == (("lazy", "loading"),)
    assert q.excluded == ("windows",)
    assert q.terms == ("set", "up", "lazy", "loading")  # question words are not keywords
    assert "windows" not in q.text and '"' not in q.text
    assert parse("\ud800 résumé\x00").text == "résumé"  # cleaned once, at the door


def test_pasted_text_keeps_its_quotes_and_hyphens_as_text():
    pasted = (
        "The loop only keeps weak references to tasks, so save a reference to the result of "
        'this function: a task that is "fire and forget" may vanish mid-execution unless a '
        "strong -reference is kept somewhere else in the program."
    )
    q = parse(pasted)
    assert q.phrases == () and q.excluded == ()  # a paragraph, not operators
    assert {"fire", "forget", "reference"} <= set(q.terms)
    assert q.text == " ".join(pasted.split())


def test_a_quoted_phrase_must_appear(engine):
    for mode in MODES:
        got = names(engine.search('"lazy loading"', mode=mode, k=10))
        assert sorted(got) == ["gui.txt", "modules.txt"], mode  # truck.txt has both words apart


def test_a_pasted_paragraph_with_a_quote_still_finds_its_source(engine):
    # the same quote typed alone would demand the phrase (see above); pasted, it is text
    pasted = (
        'Notes on the motor: "change the oil" is what the manual says, but how often should '
        "I change the motor oil in my car, and does the filter go at the same time as the oil?"
    )
    assert len(pasted.split()) > PASTED_WORDS
    for mode in MODES:
        assert names(engine.search(pasted, mode=mode, k=3))[0] == "car.txt", mode


def test_an_excluded_word_removes_the_file_in_every_mode(engine):
    for mode in MODES:
        got = names(engine.search('"lazy loading" -windows', mode=mode, k=10))
        assert got == ["modules.txt"], mode
        assert "car.txt" not in names(engine.search("engine oil -mechanic", mode=mode, k=10))


def test_nonsense_words_give_no_confident_result(engine):
    for query in ("zxqvbnm flurbish", "qwerty uiop asdf", "blorptang vexillary snood"):
        for mode in MODES:
            results = engine.search(query, mode=mode, k=10)
            assert all(r.weak and r.score < confidence.WEAK for r in results), (query, mode)
    good = engine.search("how often should I change the motor oil in my car", k=3)
    assert names(good)[0] == "car.txt" and not good[0].weak
    assert good[0].as_json()["weak"] is False


def test_words_the_index_has_never_seen_need_a_closer_meaning():
    assert confidence.meaning(0.39, known=0.0) == 0.0  # made-up words, a chance cosine
    assert confidence.meaning(0.39, known=1.0) > confidence.WEAK
    assert confidence.meaning(0.7, known=0.0) == 1.0  # a true paraphrase still counts


def test_scores_are_absolute_not_relative_to_the_top(engine):
    strong = engine.search("how long must I keep tax receipts", k=1)[0]
    vague = engine.search("something about plants and mornings and fruit", k=1)[0]
    assert names([strong]) == ["tax.txt"] and names([vague]) == ["garden.md"]
    assert 0 < vague.score <= 1 and 0 < strong.score <= 1
    assert engine.search("zxqvbnm", k=1, mode="semantic")[0].score < vague.score


@pytest.mark.parametrize("mode", MODES)
def test_the_order_does_not_depend_on_k(engine, mode):
    for query in ("make bread at home", "lazy loading", "car trip preparation", "oven"):
        few = names(engine.search(query, mode=mode, k=3))
        many = names(engine.search(query, mode=mode, k=25))
        assert many[: len(few)] == few, (query, mode)


@pytest.mark.parametrize("mode", MODES)
def test_filtered_search_equals_filtering_afterwards(engine, mode):
    for filters, keep in (
        (Filters(types=("md",)), lambda p: p.endswith(".md")),
        (Filters(types=("txt",)), lambda p: p.endswith(".txt")),
    ):
        for query in ("baking and gardening", "loading", "annual paperwork"):
            filtered = engine.search(query, mode=mode, k=25, filters=filters)
            after = [r for r in engine.search(query, mode=mode, k=25) if keep(r.path)]
            assert set(names(filtered)) == set(names(after)), (query, mode)
            if mode == "semantic":
                assert names(filtered) == names(after)


def test_matches_counts_the_files_passages_that_matched(engine):
    (r,) = engine.search("lazy", mode="keyword", k=1)
    assert r.matches == len(r.passages) == 1


def test_rerank_scores_a_passage_by_its_best_sentence(encoder):
    query = "how long should the dough rise"
    diluted = (
        "The shop opens at nine and closes at six. Parking is free on Sundays and holidays. "
        "The staff wear blue aprons and name badges. Let the dough rise overnight before "
        "shaping it. Gift cards are sold at the counter. The toilets are on the first floor. "
        "Deliveries arrive every Tuesday morning by van."
    )
    vague = "Kneading dough develops gluten, which gives bread its chewy texture."
    qvec = encoder.encode([query])[0]
    cos = [float(v @ qvec) for v in encoder.encode([diluted, vague])]
    assert cos[0] < cos[1]  # as whole passages, the vague one looks closer
    scores = rerank.max_sim(encoder, qvec, [diluted, vague], cos)
    assert scores[0] > scores[1]  # its best sentence answers the question
    assert rerank.sentences("Hi. A longer sentence that stands alone.") == [
        "Hi. A longer sentence that stands alone."
    ]


def test_rerank_reorders_but_keeps_the_candidates(engine):
    plain = engine.search("keep paperwork for the tax office", k=10)
    reranked = engine.search("keep paperwork for the tax office", k=10, rerank=True)
    assert set(names(plain)) == set(names(reranked))
    assert names(reranked)[0] == "tax.txt"


def test_the_keyword_legs_weight_follows_its_coverage_of_the_query():
    assert alpha_for(1.0) < alpha_for(0.5) < alpha_for(0.0)  # full coverage: trust words more
    assert alpha_for(0.0) == ALPHA_MEANING and alpha_for(1.0) == ALPHA_WORDS >= 0.5
    assert alpha_for(7.0) == alpha_for(1.0)


def test_pasted_text_weighs_both_legs_equally():
    # no passage holds a whole paragraph from elsewhere, so coverage would mistrust bm25
    paragraph = " ".join(["the crates went in slowly on a hot afternoon"] * 4)
    assert parse(paragraph).pasted and not parse("loading the truck").pasted
    assert alpha_for(0.1, pasted=True) == ALPHA_PASTED < alpha_for(0.1)


def test_cosines_scale_from_the_pools_floor_so_a_weak_word_match_cannot_reorder_them():
    # two files whose cosines are close, and a weak keyword hit for the second
    cos = {1: 0.62, 2: 0.59, 3: 0.30}  # 3: the pool's least related passage
    bm25 = {2: 2.0, 4: 8.0}  # 4: a strong keyword match elsewhere makes 2's hit weak
    file_of = {1: "a", 2: "b", 3: "c", 4: "d"}
    from_zero, _ = fuse(cos, bm25, file_of, 0.8)
    from_floor, _ = fuse(cos, bm25, file_of, 0.8, floor=0.30)
    assert [f for f, _ in from_zero][:2] == ["b", "a"]  # cosines 1.00 vs 0.95: 0.80 < 0.81
    assert [f for f, _ in from_floor][:2] == ["a", "b"]  # 1.00 vs 0.91: 0.80 > 0.775
