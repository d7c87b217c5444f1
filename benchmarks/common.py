"""Helpers shared by the benchmark scripts: real passages from ../shared/data/docs."""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# ../shared/data beside the checkout; a worktree elsewhere names it in DESKTOP_SEARCH_SHARED.
SHARED = ROOT.parent / "shared" / "data"
if not SHARED.is_dir() and os.environ.get("DESKTOP_SEARCH_SHARED"):
    SHARED = Path(os.environ["DESKTOP_SEARCH_SHARED"])
DOCS = SHARED / "docs"


def real_passages(encoder, limit: int, kinds=("rst",)) -> list[str]:
    """Passages exactly as the indexer would make them, from the shared real documents."""
    from desktop_search.core.encode.token_counter import HFTokenCounter
    from desktop_search.core.extract.dispatch import ExtractionError, extract_file
    from desktop_search.core.index.chunking import ChunkConfig, chunk_extracted

    counter = HFTokenCounter(encoder.tokenizer)
    hard, base = encoder.max_seq_length - 2, ChunkConfig()
    cfg = ChunkConfig(  # as phase1.Indexer makes it
        max_tokens=min(base.max_tokens, hard),
        overlap_tokens=min(base.overlap_tokens, hard // 2),
        hard_limit=hard,
    )
    out: list[str] = []
    for kind in kinds:
        for path in sorted((DOCS / kind).rglob("*")):
            if not path.is_file():
                continue
            try:
                doc = extract_file(path)
            except ExtractionError:
                continue
            out += [c.text for c in chunk_extracted(doc, counter, cfg)]
            if len(out) >= limit:
                return out[:limit]
    return out


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Timer:
    def __enter__(self):
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.s = time.perf_counter() - self.t0


def table(rows: list[list], header: list[str]) -> str:
    cols = [header, *[[str(c) for c in r] for r in rows]]
    widths = [max(len(r[i]) for r in cols) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in cols]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
