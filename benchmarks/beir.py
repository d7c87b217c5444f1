"""BEIR SciFact (../shared/data/beir/scifact): scientific claims as queries, paper abstracts
as documents, relevance judged by people. Each abstract becomes one file (title, a blank
line, the abstract), so the engine indexes it as a person's folder of papers would be."""

from __future__ import annotations

import csv
import gzip
import json
import random
from pathlib import Path

from common import SHARED

SCIFACT = SHARED / "beir" / "scifact"
PUBLISHED_MINILM_NDCG10 = 0.6451  # all-MiniLM-L6-v2 on the test split (MTEB)


def _jsonl(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def scifact(folder: Path, docs: int | None = None, seed: int = 0) -> list[tuple[str, set[str]]]:
    """Write the abstracts under ``folder`` (once) and return (claim, relevant files) pairs.

    ``docs``: keep every abstract judged relevant to a test claim plus a seeded random
    sample of the others up to this many (the whole corpus when None): the full set is about
    1.8 M tokens through the encoder, two hours at the 240 tokens a second that a 2-core
    machine shared by seven jobs gave.
    """
    corpus = _jsonl(SCIFACT / "corpus.jsonl.gz")
    queries = {q["_id"]: q["text"] for q in _jsonl(SCIFACT / "queries.jsonl.gz")}
    qrels: dict[str, set[str]] = {}
    with open(SCIFACT / "test.tsv", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if int(row["score"]) > 0:
                qrels.setdefault(row["query-id"], set()).add(row["corpus-id"])
    if docs is not None and docs < len(corpus):
        relevant = set().union(*qrels.values())
        others = [d for d in corpus if d["_id"] not in relevant]
        random.Random(seed).shuffle(others)
        keep = relevant | {d["_id"] for d in others[: max(0, docs - len(relevant))]}
        corpus = [d for d in corpus if d["_id"] in keep]
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {f"{d['_id']}.txt" for d in corpus}
    for stale in set(p.name for p in folder.iterdir()) - wanted:
        (folder / stale).unlink()
    for d in corpus:
        path = folder / f"{d['_id']}.txt"
        if not path.exists():
            path.write_text(f"{d['title']}\n\n{d['text']}\n", encoding="utf-8")
    return [(queries[q], {f"{c}.txt" for c in rel}) for q, rel in sorted(qrels.items())]
