"""Near-duplicate detection: exact copies, re-worded passages, and files that contain others.

The core is plain functions over id and vector arrays; ``DuplicateFinder`` feeds them
from a ``Store`` and the live vector index.

Modules: ``constants`` (thresholds and limits), ``pairs`` (scored pairs, the same-file
rule, k-NN and brute-force pair finding), ``groups`` (union-find and community
detection), ``files`` (exact copies and containment), ``report`` (results and export),
``finder`` (``DuplicateFinder`` over a Store and the live index).

How it works, and the rules it follows:

* **Exact files**: files with the same content hash (score 1.0).
* **Near-duplicate passages**: every passage asks the HNSW index for its k nearest
  neighbours; the pairs with cosine >= threshold are kept. When a passage's k-th neighbour
  is still above the threshold it asks again with a larger k (up to ``max_k``), so a
  passage with many copies keeps all its pairs. A pair is found if either side finds the
  other. No all-pairs matrix is ever formed (``brute_force_pairs`` is the reference).
* **Same-file rule**: two passages of one file whose character spans overlap, or that
  are neighbours in reading order (ord differs by 1), are never a pair: the chunker makes
  them share sentences. Byte-identical files count as one file here (chunk 3 of a copy
  pairs with chunk 3 of the original, not with chunks 2 and 4). Two passages of one file
  that are apart *can* be a pair (repeated boilerplate, a paragraph pasted twice); they
  are reported at passage level.
* **Groups**: pairs are grouped by community detection (as sentence-transformers'
  ``util.community_detection``: the passage with the most near-duplicates is a centre, its
  neighbours above the threshold its community, taken out greedily, largest first), so
  groups do not chain A~B~C~D into one blob. Passages left out of every community but
  paired with a grouped one join that group (``attach_leftovers``), so no pair is lost.
  Union-find connected components (``cluster_pairs``) are there too.
* **Near-duplicate files**: for two files A and B, containment(A in B) is the share of A's
  text (characters, overlapping chunks counted once) covered by passages that have a
  near-duplicate in B. A file pair is reported when either direction reaches
  ``min_containment``; its score is the larger direction. An edited copy scores high both
  ways; a document that embeds another scores 1.0 one way.
* **Ranking**: largest groups first, then closest (score), then path.
* **Ignore list** (``dup_store.IgnoreList``, in SQLite): ignored files leave every
  result; an ignored passage pair (by the two texts' hashes, so it survives re-indexing
  and renames) leaves passage results; an ignored file pair (by paths) leaves file results.
* **Incremental**: passage ids only grow (AUTOINCREMENT), so a full scan's pairs are
  cached in SQLite with the highest id scanned; a later scan at the same or a higher
  threshold only queries passages added since and drops pairs of removed passages.
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
