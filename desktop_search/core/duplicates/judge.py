"""The pair judge: is this pair of passages the same meaning, or only the same topic?

Cosine alone cannot tell "same meaning" from "same topic": two news lines about different
earthquakes, or two API entries of one template, embed close together. What separates
them is what a reader checks: do the words overlap, do the numbers, names and negations
agree, are the two of similar length. ``features`` measures those and a small logistic
model (``WEIGHTS``) turns them into a probability.

The weights were fitted (L2-regularised logistic regression, few features so it cannot
memorise) on STS Benchmark train pairs (gold >= 4 duplicate, <= 2 not) by
``benchmarks/bench_dup_judge.py``, which prints them in this form; its results, held-out
STS-B dev included, are in ``benchmarks/results/duplicates_judge.txt``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .lexical import words

FEATURES = (
    "cosine",
    "word_overlap",
    "numbers_differ",
    "names_differ",
    "negations_differ",
    "length_ratio",
)

#: Logistic weights for FEATURES, then the bias (from benchmarks/bench_dup_judge.py).
WEIGHTS = (9.2640, 2.9192, -1.5172, -0.4889, -1.5533, -1.5320)
BIAS = -6.0799
#: Probability from which a pair is a paraphrase (chosen on STS-B train for precision).
JUDGE_THRESHOLD = 0.60

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_CAPITALISED = re.compile(r"\b[A-Z][\w-]*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n\s*)([A-Z][\w-]*)")
_NEGATIONS = frozenset(
    [
        "no",
        "not",
        "never",
        "none",
        "nobody",
        "nothing",
        "neither",
        "nor",
        "without",
        "cannot",
        "n't",
        "nowhere",
    ]
)


@dataclass(frozen=True)
class TextFacts:
    """What the judge needs of one text, computed once per text."""

    tokens: tuple[str, ...]  # the words in order (lexical.words)
    words: frozenset[str]
    n_words: int
    numbers: frozenset[str]
    names: frozenset[str]  # capitalised words not at a sentence start, lowercased
    negations: int

    @staticmethod
    def of(text: str) -> TextFacts:
        tokens = words(text)
        starts = {m.group(1) for m in _SENTENCE_START.finditer(text)}
        names = {w.lower() for w in _CAPITALISED.findall(text) if w not in starts}
        negations = sum(t in _NEGATIONS for t in tokens) + text.lower().count("n't")
        return TextFacts(
            tuple(tokens),
            frozenset(tokens),
            len(tokens),
            frozenset(n.replace(",", "") for n in _NUMBER.findall(text)),
            frozenset(names),
            negations,
        )


def _mismatch(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the union that only one side has (0 when neither has any)."""
    union = a | b
    return len(a ^ b) / len(union) if union else 0.0


def features(a: TextFacts, b: TextFacts, cosine: float) -> tuple[float, ...]:
    """The judge's inputs, in the order of FEATURES."""
    union = a.words | b.words
    overlap = len(a.words & b.words) / len(union) if union else 0.0
    # A name one side has that the other never mentions (in any case) is a difference;
    # a name the other writes in lower case ("Python" vs "python") is not.
    names_a = {n for n in a.names if n not in b.words}
    names_b = {n for n in b.names if n not in a.words}
    all_names = a.names | b.names
    names = (len(names_a) + len(names_b)) / len(all_names) if all_names else 0.0
    longer = max(a.n_words, b.n_words)
    return (
        float(cosine),
        overlap,
        _mismatch(a.numbers, b.numbers),
        min(1.0, names),
        # One "not" more flips a short sentence; in a long passage a paraphrase moves
        # negations about freely, so the difference counts per ten words of the shorter.
        min(1.0, abs(a.negations - b.negations) * 10 / max(10, min(a.n_words, b.n_words))),
        min(a.n_words, b.n_words) / longer if longer else 1.0,
    )


def probability(feats: tuple[float, ...]) -> float:
    z = BIAS + sum(w * x for w, x in zip(WEIGHTS, feats))
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


def judge_pair(a: TextFacts, b: TextFacts, cosine: float) -> float:
    """Probability that the two texts say the same thing."""
    return probability(features(a, b, cosine))
