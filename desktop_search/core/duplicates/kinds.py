"""Kinds of duplicate, for a pair of passages and for a pair of files (pure functions).

* **identical**: the same text (for files: the same content hash);
* **edited**: mostly the same words in the same order (``lexical.in_order``);
* **reordered**: the same word runs (4-word shingles) in another order;
* **paraphrase**: the same meaning in other words, as the pair judge says;
* anything else, "same template" and "same topic" included, is not a duplicate.

A file pair is a duplicate only when most of the smaller file's text is present in the
other: a passage counts as present when most of its shingles are in the other file, or
when the judge says it paraphrases a passage of the other file. Merely having a nearest
neighbour above the cosine threshold does not count, so a table of contents is not
"contained" in its sections, and two API pages of one template are not copies.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from .constants import DEFAULT_MIN_CONTAINMENT
from .judge import JUDGE_THRESHOLD, TextFacts, judge_pair
from .lexical import common_in_order, in_order, shingle_share, shingles, words

KINDS = ("identical", "edited", "reordered", "paraphrase")
#: Bumped whenever the rules or constants below change: cached verdicts name it.
RULES_VERSION = 1
KIND_RANK = {k: i for i, k in enumerate(KINDS)}
#: Share of words in the same order from which a pair is an edited copy.
EDITED_MIN = 0.8
#: Share of shingles present (in any order) from which a pair is a reordered copy.
REORDERED_MIN = 0.8
#: How far the shingle share must exceed the in-order share for text to count as moved.
MOVED_MARGIN = 0.1
#: A stub page under LEXICAL_MIN_WORDS words is all subject: one word in twenty changed
#: ("Yticlabels: see xticlabels" / "Y2ticlabels: see xticlabels") makes another page.
STUB_EDITED_MIN = 0.95
#: A file is a paraphrase of another only from this many words: below, "same meaning"
#: of a few words is the template, not the content.
PARAPHRASE_MIN_WORDS = 50
#: A paraphrase keeps its facts: at most this share of the smaller file's names and
#: identifiers (capitalised words, API names) may be missing from the other. Pages of one
#: template say the same things about different names (PyBytes_* / PyByteArray_*).
PARAPHRASE_MAX_MISSING_NAMES = 0.3
#: Below this many words a lexical match alone proves little ("a man plays a flute" /
#: "a man plays a guitar"): short passages need the judge's word too.
LEXICAL_MIN_WORDS = 30
#: A passage is present in the other file lexically when this share of its shingles is.
PASSAGE_PRESENT = 0.5
#: The judge's bar for one passage inside a file pair. Lower than JUDGE_THRESHOLD (which is
#: set for single pairs): a file pair needs *most* of its passages to pass, and many
#: more-likely-than-not verdicts agreeing are stronger evidence than one pair alone. The
#: judge was fitted on sentences; long paraphrased passages share fewer words in
#: proportion, so they score lower (see the benchmark's docs pairs).
FILE_PASSAGE_PROBABILITY = 0.5


def passage_kind(
    text_a: str,
    text_b: str,
    facts_a: TextFacts,
    facts_b: TextFacts,
    cosine: float,
    *,
    judged: float | None = None,
    threshold: float = JUDGE_THRESHOLD,
) -> str | None:
    """The kind of duplicate two passages are, or None when they are not duplicates.

    ``judged``: the judge's probability if already known; ``threshold``: the probability
    from which the judge's word counts.
    """
    if text_a == text_b:
        return "identical"
    wa, wb = facts_a.tokens, facts_b.tokens
    long_enough = min(len(wa), len(wb)) >= LEXICAL_MIN_WORDS
    prob = judge_pair(facts_a, facts_b, cosine) if judged is None else judged
    if not long_enough and prob < threshold:
        return None
    if in_order(wa, wb) >= EDITED_MIN:
        return "edited"
    sa, sb = shingles(wa), shingles(wb)
    if min(shingle_share(sa, sb), shingle_share(sb, sa)) >= REORDERED_MIN:
        return "reordered"
    return "paraphrase" if prob >= threshold else None


def weakest(kinds) -> str:
    """The lowest-ranked of some kinds (a group is only as close as its loosest link)."""
    return max(kinds, key=lambda k: KIND_RANK[k])


# -- files ---------------------------------------------------------------------------


def merge_passages(rows) -> str:
    """A file's text rebuilt from (text, start, end) passages in reading order, overlaps merged."""
    parts: list[str] = []
    pos: int | None = None
    for text, start, end in rows:
        if pos is None or start >= pos:
            if pos is not None:
                parts.append("\n\n" if start > pos else "")
            parts.append(text)
        elif end > pos:
            parts.append(text[pos - start :])
        pos = end if pos is None else max(pos, end)
    return "".join(parts)


def union_length(starts: np.ndarray, ends: np.ndarray) -> int:
    """Length of the union of [start, end) intervals."""
    if len(starts) == 0:
        return 0
    order = np.argsort(starts, kind="stable")
    s, e = starts[order].tolist(), ends[order].tolist()
    total, cur_s, cur_e = 0, s[0], e[0]
    for a, b in zip(s[1:], e[1:]):
        if a > cur_e:
            total += cur_e - cur_s
            cur_s, cur_e = a, b
        elif b > cur_e:
            cur_e = b
    return total + cur_e - cur_s


@dataclass
class FileDoc:
    """One file's passages (reading order) and the word measures computed from them once."""

    file_id: int
    ids: list[int]
    texts: list[str]
    starts: np.ndarray
    ends: np.ndarray
    vectors: np.ndarray | None = None  # unit vectors of the passages, when known
    words: list[str] = field(init=False)
    shingles: set[int] = field(init=False)
    names: frozenset[str] = field(init=False)
    total: int = field(init=False)
    _facts: dict[int, TextFacts] = field(default_factory=dict, init=False)
    _passage_shingles: dict[int, set[int]] = field(default_factory=dict, init=False)
    _passage_words: dict[int, int] = field(default_factory=dict, init=False)
    _windows: dict[int, tuple[str, TextFacts]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        if not np.any(self.ends > self.starts):  # no character spans: one unit per passage
            self.starts = np.arange(len(self.ids)) * 2
            self.ends = self.starts + 1
        rows = zip(self.texts, self.starts.tolist(), self.ends.tolist())
        text = merge_passages(rows)
        self.words = words(text)
        self.shingles = shingles(self.words)
        self.names = TextFacts.of(text).names
        self.total = union_length(self.starts, self.ends)
        self.position = {pid: i for i, pid in enumerate(self.ids)}

    def facts(self, i: int) -> TextFacts:
        if i not in self._facts:
            self._facts[i] = TextFacts.of(self.texts[i])
        return self._facts[i]

    def passage_shingles(self, i: int) -> set[int]:
        if i not in self._passage_shingles:
            tokens = words(self.texts[i])
            self._passage_shingles[i] = shingles(tokens)
            self._passage_words[i] = len(tokens)
        return self._passage_shingles[i]

    def window(self, i: int) -> tuple[str, TextFacts]:
        """Passages i and i+1 as one text (a paraphrase's chunks start and end elsewhere)."""
        if i not in self._windows:
            text = "\n".join(self.texts[i : i + 2])
            self._windows[i] = (text, TextFacts.of(text))
        return self._windows[i]

    def window_cosine(self, i: int, vector: np.ndarray) -> float | None:
        if self.vectors is None or i + 1 >= len(self.ids):
            return None
        v = self.vectors[i] + self.vectors[i + 1]
        return float(vector @ v / (np.linalg.norm(v) or 1.0))

    def passage_words(self, i: int) -> int:
        if i not in self._passage_words:
            self.passage_shingles(i)
        return self._passage_words[i]

    def share(self, positions) -> float:
        """Share of the file's text covered by the passages at ``positions``."""
        idx = np.fromiter(positions, dtype=np.int64)
        if not len(idx) or not self.total:
            return 0.0
        return min(1.0, union_length(self.starts[idx], self.ends[idx]) / self.total)


@dataclass(frozen=True)
class FileVerdict:
    """Two files judged duplicates: ``a`` is the smaller (or the more contained)."""

    a: int
    b: int
    kind: str
    score: float  # how much of the smaller is duplicated, and how closely (0..1)
    a_in_b: float  # share of a's text present in b (lexically or as paraphrase)
    b_in_a: float
    in_order: float | None  # share of a's words found in b in the same order
    lexical: float  # share of a's shingles found in b
    contained: bool  # the larger file has much more besides
    shared_words: int


def _present(
    doc: FileDoc, other: FileDoc, links: list[tuple[int, int, float]]
) -> tuple[dict[int, float], dict[int, float]]:
    """``doc``'s passages present in ``other``: {position: closeness}, lexically (closeness =
    share of the passage's shingles in the other file) and as judged paraphrases
    (closeness = cosine with the best such passage). ``links``: (pos in doc, pos in
    other, cosine) candidate pairs.

    A paraphrase's chunks start and end elsewhere than the original's, so a passage is
    also judged against its neighbour joined with the passage before or after, and the
    passages next to a judged one are tried against those next to its match (in reading
    order, below the cosine threshold too: the judge decides).
    """
    lexical: dict[int, float] = {}
    for i in range(len(doc.ids)):
        if doc.passage_words(i) >= LEXICAL_MIN_WORDS:
            share = shingle_share(doc.passage_shingles(i), other.shingles)
            if share >= PASSAGE_PRESENT:
                lexical[i] = share
    judged: dict[int, tuple[float, int]] = {}
    vectors = doc.vectors is not None and other.vectors is not None

    def attempt(i: int, j: int, cos: float | None) -> None:
        if i in lexical or not (0 <= i < len(doc.ids)) or not (0 <= j < len(other.ids)):
            return
        if cos is None and vectors:
            cos = float(doc.vectors[i] @ other.vectors[j])
        tries = [] if cos is None else [(other.texts[j], other.facts(j), cos)]
        if vectors:
            for w in (j - 1, j):
                wcos = other.window_cosine(w, doc.vectors[i]) if w >= 0 else None
                if wcos is not None:
                    tries.append((*other.window(w), wcos))
        for text, facts, c in tries:
            if c <= judged.get(i, (-1.0, 0))[0]:
                continue
            kind = passage_kind(
                doc.texts[i], text, doc.facts(i), facts, c, threshold=FILE_PASSAGE_PROBABILITY
            )
            if kind is not None:
                judged[i] = (c, j)

    for i, j, cos in links:
        attempt(i, j, cos)
    if vectors:
        for i, (_, j) in sorted(judged.items()):
            for di in (-1, 1):
                if i + di not in judged:
                    attempt(i + di, j + di, None)
    return lexical, {i: c for i, (c, _) in judged.items()}


def verdict_json(v: FileVerdict | None, hash_of: dict[int, str]) -> str:
    """A verdict stored by content: which hash is the smaller side, and the numbers."""
    if v is None:
        return "null"
    d = {k: getattr(v, k) for k in FileVerdict.__dataclass_fields__ if k not in ("a", "b")}
    return json.dumps({"a_hash": hash_of[v.a], **d})


def verdict_from_json(text: str, x: int, y: int, hash_of: dict[int, str]) -> FileVerdict | None:
    d = json.loads(text)
    if d is None:
        return None
    a, b = (x, y) if hash_of[x] == d.pop("a_hash") else (y, x)
    return FileVerdict(a, b, **d)


def missing_names(a: FileDoc, b: FileDoc) -> float:
    """Share of ``a``'s names that ``b`` never mentions (in any case); 0 with under 3 names."""
    if len(a.names) < 3:
        return 0.0
    other = set(b.words)
    return sum(n not in other for n in a.names) / len(a.names)


def classify_files(
    a: FileDoc,
    b: FileDoc,
    links: list[tuple[int, int, float]],
    *,
    min_share: float = DEFAULT_MIN_CONTAINMENT,
) -> FileVerdict | None:
    """The kind of duplicate two files are, or None. ``links``: (pos in a, pos in b, cosine).

    ``min_share``: how much of the smaller file must be present in the other. The score is
    how much of the smaller file is present times how closely: words in order for an
    edited copy, shingles for a reordered one, and for a paraphrase the present share
    times the mean closeness of its passages (weighted by length).
    """
    if len(b.words) < len(a.words):
        a, b = b, a
        links = [(j, i, c) for i, j, c in links]
    lcs = common_in_order(a.words, b.words)
    order = None if lcs is None or not a.words else lcs / len(a.words)
    lexical = shingle_share(a.shingles, b.shingles)
    lex_a, judged_a = _present(a, b, links)
    lex_b, judged_b = _present(b, a, [(j, i, c) for i, j, c in links])
    a_in_b, b_in_a = a.share({**lex_a, **judged_a}), b.share({**lex_b, **judged_b})
    if len(a.words) < LEXICAL_MIN_WORDS and (order is None or order < STUB_EDITED_MIN):
        return None  # a stub: its few shared words are the template
    # Moved text keeps its shingles but loses word order: when the shingles say much more
    # than the order does, the copy was reordered, even if much still runs in order.
    moved = lexical >= REORDERED_MIN and (order is None or lexical > order + MOVED_MARGIN)
    if order is not None and order >= EDITED_MIN and not moved:
        kind, score, a_in_b = "edited", order, max(a_in_b, order)
    elif moved or lexical >= REORDERED_MIN or a.share(lex_a) >= REORDERED_MIN:
        kind, score = "reordered", lexical
        a_in_b = max(a_in_b, lexical)
    elif (
        a_in_b >= min_share
        and len(a.words) >= PARAPHRASE_MIN_WORDS
        and missing_names(a, b) <= PARAPHRASE_MAX_MISSING_NAMES
    ):
        closeness = {**lex_a, **judged_a}
        weights = np.array([len(a.texts[i]) for i in closeness], dtype=np.float64)
        values = np.array(list(closeness.values()), dtype=np.float64)
        kind, score = "paraphrase", a_in_b * float(np.average(values, weights=weights))
    else:
        return None
    shared = int(round(score * len(a.words)))
    contained = b_in_a < min_share and len(b.words) >= 1.5 * len(a.words)
    return FileVerdict(
        a.file_id,
        b.file_id,
        kind,
        float(score),
        float(a_in_b),
        float(b_in_a),
        order,
        float(lexical),
        contained,
        shared,
    )
