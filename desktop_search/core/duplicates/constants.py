"""Thresholds and limits of the duplicate finder (no imports, so every module can use them)."""

#: Cosine threshold for a near-duplicate pair. Chosen from data: the F1-best threshold on
#: STS Benchmark train pairs (gold >= 4.0 duplicate, <= 2.0 not); see
#: benchmarks/results/duplicates_threshold.txt and benchmarks/bench_dup_threshold.py.
DEFAULT_THRESHOLD = 0.73
#: The lowest threshold the CLI and the panel accept (below it nearly everything pairs up).
MIN_THRESHOLD = 0.5
DEFAULT_K = 16
MAX_K = 128
#: Share of the smaller file's text that must be present in the other (lexically, or as
#: passages the pair judge calls paraphrases) for two files to be duplicates.
DEFAULT_MIN_CONTAINMENT = 0.6
LEVELS = ("passage", "file")
