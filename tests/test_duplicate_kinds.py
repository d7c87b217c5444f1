"""Kinds of duplicate and honest file scores: pure functions on hand-written texts, with
cosines from the real encoder where the judge needs them."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from desktop_search.core.duplicates import (
    DEFAULT_THRESHOLD,
    KINDS,
    FileDoc,
    TextFacts,
    classify_files,
    identical_groups,
    passage_kind,
    rank_groups,
)
from desktop_search.core.duplicates.lexical import in_order, shingle_share, shingles, words
from desktop_search.core.duplicates.report import Group, Member

from .dup_texts import (
    ORIGINAL,
    ORIGINAL_PARAS,
    OVERVIEW,
    PARAPHRASE,
    PARAPHRASE_PARAS,
    SECTIONS,
    TEMPLATE_A,
    TEMPLATE_B,
    edited,
    reordered,
)

# -- identical files: O(N) grouping ---------------------------------------------------------


def _complement_components_naive(ids, ignored):
    """Reference: connected components of the complete graph minus ``ignored``, pair by pair."""
    parent = {i: i for i in ids}

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    for x, y in itertools.combinations(ids, 2):
        if (x, y) not in ignored and (y, x) not in ignored:
            parent[find(x)] = find(y)
    comps: dict[int, list[int]] = {}
    for i in ids:
        comps.setdefault(find(i), []).append(i)
    return sorted(sorted(c) for c in comps.values() if len(c) > 1)


@pytest.mark.parametrize("seed", range(40))
def test_identical_groups_match_the_pairwise_reference(seed: int) -> None:
    rng = random.Random(seed)
    ids = rng.sample(range(100), rng.randint(1, 9))
    all_pairs = list(itertools.combinations(ids, 2))
    ignored = set(rng.sample(all_pairs, rng.randint(0, len(all_pairs)))) if all_pairs else set()
    assert sorted(identical_groups(ids, ignored)) == _complement_components_naive(ids, ignored)


def test_identical_groups_of_many_copies_are_one_group_without_pairs() -> None:
    ids = list(range(1, 50_001))
    assert identical_groups(ids, set()) == [ids]
    # An ignored pair among many copies does not split them (each still matches the rest).
    assert identical_groups(ids, {(1, 2)}) == [ids]
    assert identical_groups([1, 2], {(2, 1)}) == []


# -- word measures ----------------------------------------------------------------------------


def test_word_measures_tell_edited_from_reordered() -> None:
    orig = words(ORIGINAL)
    assert in_order(orig, words(edited(ORIGINAL))) >= 0.93
    shuffled = words(reordered(ORIGINAL_PARAS))
    assert in_order(orig, shuffled) < 0.8
    assert shingle_share(shingles(shuffled), shingles(orig)) >= 0.95
    para = words(PARAPHRASE)
    assert shingle_share(shingles(para), shingles(orig)) < 0.2


# -- passage kinds ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cosine(encoder):
    cache: dict[str, np.ndarray] = {}

    def cos(a: str, b: str) -> float:
        for t in (a, b):
            if t not in cache:
                cache[t] = encoder.encode([t])[0]
        return float(cache[a] @ cache[b])

    return cos


def kind_of(a: str, b: str, cosine) -> str | None:
    return passage_kind(a, b, TextFacts.of(a), TextFacts.of(b), cosine(a, b))


def test_passage_kinds(cosine) -> None:
    p = ORIGINAL_PARAS[1]
    assert kind_of(p, p, cosine) == "identical"
    assert kind_of(p, edited(p, 0.05, seed=1), cosine) == "edited"
    sentences = p.split(". ")
    assert kind_of(p, ". ".join(sentences[2:] + sentences[:2]), cosine) == "reordered"
    assert kind_of(p, PARAPHRASE_PARAS[1], cosine) == "paraphrase"
    # Same topic, different facts: not duplicates, even though the cosine is high.
    assert kind_of(ORIGINAL_PARAS[2], ORIGINAL_PARAS[3], cosine) is None


@pytest.mark.parametrize(
    "a, b",
    [
        # Same words, other facts: the numbers, days and places differ.
        (
            "Oslo shares close 1.2 percent higher on Monday",
            "Oslo shares close 0.4 percent lower on Friday",
        ),
        (
            "Heavy rain floods 12 homes in northern Wales",
            "Heavy rain floods 40 homes in southern Scotland",
        ),
    ],
)
def test_short_sentences_with_other_facts_are_not_duplicates(a: str, b: str, cosine) -> None:
    assert cosine(a, b) >= DEFAULT_THRESHOLD  # cosine alone would call them duplicates
    assert kind_of(a, b, cosine) is None


def test_short_sentences_with_the_same_facts_are(cosine) -> None:
    assert kind_of("A man is slicing an onion.", "A man is cutting an onion.", cosine) == "edited"


# -- file kinds and honest scores ----------------------------------------------------------


def doc(file_id: int, text: str) -> FileDoc:
    paras = [p for p in text.split("\n\n") if p.strip()]
    starts, pos = [], 0
    for p in paras:
        starts.append(text.index(p, pos))
        pos = starts[-1] + len(p)
    ends = [s + len(p) for s, p in zip(starts, paras)]
    return FileDoc(
        file_id,
        list(range(file_id * 100, file_id * 100 + len(paras))),
        paras,
        np.array(starts, np.int64),
        np.array(ends, np.int64),
    )


def verdict(a: str, b: str, cosine):
    da, db = doc(1, a), doc(2, b)
    links = [
        (i, j, c)
        for i, ta in enumerate(da.texts)
        for j, tb in enumerate(db.texts)
        if (c := cosine(ta, tb)) >= DEFAULT_THRESHOLD
    ]
    return classify_files(da, db, links)


def test_file_kinds(cosine) -> None:
    ed = verdict(ORIGINAL, edited(ORIGINAL), cosine)
    assert ed.kind == "edited" and 0.9 <= ed.score < 1.0 and not ed.contained
    ro = verdict(ORIGINAL, reordered(ORIGINAL_PARAS), cosine)
    assert ro.kind == "reordered" and ro.score >= 0.9
    pa = verdict(ORIGINAL, PARAPHRASE, cosine)
    assert pa.kind == "paraphrase" and pa.a_in_b >= 0.7 and pa.b_in_a >= 0.7
    assert pa.score < ro.score


def test_template_pages_are_not_duplicates(cosine) -> None:
    da, db = doc(1, TEMPLATE_A), doc(2, TEMPLATE_B)
    # Every passage pair, whatever its cosine: only what the judge accepts may count.
    links = [
        (i, j, cosine(ta, tb)) for i, ta in enumerate(da.texts) for j, tb in enumerate(db.texts)
    ]
    assert max(c for _, _, c in links) >= DEFAULT_THRESHOLD  # neighbours exist...
    assert classify_files(da, db, links) is None  # ...but the pages are not copies
    # Nor with a looser share: the score says how much is duplicated, and that is little.
    loose = classify_files(da, db, links, min_share=0.0)
    assert loose is not None and loose.score < 0.5


def test_an_overview_is_not_contained_in_its_sections(cosine) -> None:
    for name, section in SECTIONS.items():
        v = verdict(OVERVIEW, section, cosine)
        assert v is None, name
    # The sections are, each, contained in the whole guide.
    v = verdict(SECTIONS["chain.txt"], ORIGINAL, cosine)
    assert v.kind == "edited" and v.contained and v.score == pytest.approx(1.0)


def test_groups_sort_by_kind_then_by_shared_text() -> None:
    def g(kind, score, shared=0):
        return Group(score, [Member(f"/{kind}{score}")], kind, {"shared": shared})

    groups = [g("paraphrase", 0.95), g("reordered", 0.9), g("edited", 0.85), g("edited", 0.97)]
    groups += [g("identical", 1.0, 10), g("identical", 1.0, 500)]
    ranked = rank_groups(groups)
    assert [x.kind for x in ranked] == [
        "identical",
        "identical",
        "edited",
        "edited",
        "reordered",
        "paraphrase",
    ]
    assert ranked[0].detail["shared"] == 500 and ranked[2].score == 0.97
    assert KINDS == ("identical", "edited", "reordered", "paraphrase")


def test_the_judge_carries_the_benchmarked_constants() -> None:
    from pathlib import Path

    from desktop_search.core.duplicates import judge

    results = Path(__file__).resolve().parents[1] / "benchmarks" / "results"
    text = (results / "duplicates_judge.txt").read_text()
    assert f"WEIGHTS = ({', '.join(f'{w:.4f}' for w in judge.WEIGHTS)})" in text
    assert f"BIAS = {judge.BIAS:.4f}" in text
    assert f"JUDGE_THRESHOLD = {judge.JUDGE_THRESHOLD:.2f}" in text


def test_progress_text_gives_count_and_time_left() -> None:
    from desktop_search.core.duplicates import ProgressText

    now = [100.0]
    text = ProgressText(clock=lambda: now[0])
    assert text(0, 25_000, "comparing") == "Comparing passages: 0 of 25,000"
    now[0] += 4.0  # 5,000 done in 4 s: 20,000 left at the same rate is 16 s
    assert (
        text(5_000, 25_000, "comparing") == "Comparing passages: 5,000 of 25,000 · about 16 s left"
    )
    assert text(1, 400, "comparing files") == "Comparing files: 1 of 400"  # a new phase restarts
    now[0] += 300.0
    # 1 more in 300 s: 398 left at 150 s each since the phase began.
    assert text(2, 400, "comparing files").endswith("· about 995 min left")
    assert text(0, 0, "grouping") == "Grouping…"
