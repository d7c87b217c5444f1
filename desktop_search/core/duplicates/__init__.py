"""Duplicates by kind: identical, edited, reordered and paraphrased passages and files.

The core is plain functions over id and vector arrays and texts; ``DuplicateFinder``
feeds them from a ``Store`` and the live vector index.

Modules: ``constants`` (thresholds and limits), ``pairs`` (scored pairs, the same-file
rule, k-NN and brute-force pair finding), ``groups`` (union-find and community
detection), ``lexical`` (word measures: in-order share via rapidfuzz, shingles),
``judge`` (the pair judge: cosine + lexical features, a logistic model fitted on STS-B),
``kinds`` (the kind of a passage pair and of a file pair, with honest scores),
``passagelevel`` and ``filelevel`` (groups at each level), ``files`` (identical files in
O(N) and candidate file pairs), ``report`` (results, ranking, export), ``progress``
(phase, count and time left as text), ``finder`` (``DuplicateFinder``).

How it works, and the rules it follows:

* **Candidates**: every passage asks the HNSW index for its k nearest neighbours; pairs
  with cosine >= threshold are kept (adaptive k up to ``max_k`` for passages with many
  copies; a pair is found if either side finds the other; no all-pairs matrix).
  Passages with the same text are always paired (a star for big groups: O(N)).
* **Same-file rule**: overlapping or neighbouring chunks of one file (or of identical
  copies of it) are never a pair; far-apart repeats in one file can be.
* **Kinds** (``kinds``): identical text; edited (most words in the same order);
  reordered (the shingles present, the order not); paraphrase (the judge says the
  same meaning). A candidate that is none of these (same topic, same template) drops.
* **Passage groups**: community detection over the judged pairs (as
  sentence-transformers' ``util.community_detection``); a group's kind is its loosest
  link's, and each member carries its own kind with the group's first member.
* **File groups**: identical files by content hash, O(N) per group (no pairs listed);
  other file pairs are candidates when a share of one has near neighbours in the other,
  and are duplicates only when most of the smaller file is present in the other,
  lexically or as judged paraphrases (``kinds.classify_files``). The score is the
  present share times how closely.
* **Ranking**: by kind (identical, edited, reordered, paraphrase), then score, then the
  amount of shared text, then size, then path.
* **Ignore list** (``cache.IgnoreList``, in SQLite): ignored files leave every
  result; an ignored passage pair (by text hashes) leaves passage results; an ignored
  file pair (by paths) leaves file results.
* **Incremental**: passage ids only grow, so a full scan's candidate pairs are cached in
  SQLite with the highest id scanned; a later scan at the same or a higher threshold
  queries only passages added since and drops pairs of removed passages. Verdicts on
  file pairs are cached by both files' content hashes (``cache.VerdictCache``).
  ``DuplicateFinder.check_file`` checks one file against the index on its own.
"""

from __future__ import annotations

from .constants import (
    DEFAULT_K,
    DEFAULT_MIN_CONTAINMENT,
    DEFAULT_THRESHOLD,
    LEVELS,
    MAX_K,
    MIN_THRESHOLD,
)
from .files import FileMatch, exact_file_groups, file_containment, identical_groups
from .finder import DuplicateFinder, file_text
from .groups import Community, cluster_pairs, communities_from_pairs, community_detection
from .judge import JUDGE_THRESHOLD, TextFacts, judge_pair
from .kinds import KINDS, FileDoc, FileVerdict, classify_files, passage_kind
from .pairs import (
    Pairs,
    PassageTable,
    Progress,
    ScanCancelled,
    apply_same_file_rule,
    brute_force_pairs,
    knn_query,
    near_duplicate_pairs,
    same_file_conflicts,
)
from .progress import ProgressText
from .report import Group, Member, Report, rank_groups

__all__ = [
    "Community",
    "DEFAULT_K",
    "DEFAULT_MIN_CONTAINMENT",
    "DEFAULT_THRESHOLD",
    "DuplicateFinder",
    "FileDoc",
    "FileMatch",
    "FileVerdict",
    "JUDGE_THRESHOLD",
    "KINDS",
    "TextFacts",
    "Group",
    "LEVELS",
    "MAX_K",
    "MIN_THRESHOLD",
    "Member",
    "Pairs",
    "PassageTable",
    "Progress",
    "ProgressText",
    "Report",
    "ScanCancelled",
    "apply_same_file_rule",
    "brute_force_pairs",
    "classify_files",
    "cluster_pairs",
    "communities_from_pairs",
    "community_detection",
    "exact_file_groups",
    "file_containment",
    "file_text",
    "identical_groups",
    "judge_pair",
    "knn_query",
    "near_duplicate_pairs",
    "passage_kind",
    "rank_groups",
    "same_file_conflicts",
]
