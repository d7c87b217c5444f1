"""Check questions.jsonl against the shared docs, and show how many words each question copies.

Run by hand after editing the questions (no test depends on it):

    python benchmarks/data/check_questions.py [--data ../shared/data]

Without --data it reads $DESKTOP_SEARCH_SHARED/data, else ../shared/data beside the checkout.

Checks: unique ids, known corpus and kind, every relevant file exists, pages only for PDFs and
within the page count. Then prints, per question, the share of its content words (stop words
removed) that occur verbatim in the target text. A natural question should copy few of them,
so anything at 0.5 or above is worth rewording. Long files contain most common words, so the
share is also given for the best 200-word window of the target ("passage"), which is what a
reader would have in mind.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

from pypdf import PdfReader

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = Path(os.environ.get("DESKTOP_SEARCH_SHARED", HERE.parents[2] / "shared")) / "data"
CORPORA = {"pdf", "html", "rst"}
KINDS = {"howto", "problem", "paraphrase"}
STOP_WORDS = """a about above after again all also am an and any are as at be because been before being
    below between both but by can could did do does doesn don down during each few for from
    further get gets got had has have having he her here how i if in into is isn it its itself
    just let like ll me more most my no nor not of off on once one only or other our out over
    own same she should so some such than that the their them then there these they this those
    through to too under until up very want was way we were what when where which while who
    why will with won would you your"""
STOP = set(STOP_WORDS.split())


class _Text(HTMLParser):
    """Collects the visible text of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOP and len(w) > 1]


def passage_share(question: list[str], target: list[str], size: int = 200, step: int = 50) -> float:
    """The largest share of the question's words found in any one window of the target."""
    if not question:
        return 0.0
    best = 0
    for start in range(0, max(1, len(target) - size + step), step):
        window = set(target[start : start + size])
        best = max(best, sum(w in window for w in question))
    return best / len(question)


class Docs:
    """Reads target text once per file; PDFs are kept as page lists."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._pdf: dict[str, list[str]] = {}

    def pages(self, rel: str) -> list[str]:
        if rel not in self._pdf:
            self._pdf[rel] = [p.extract_text() or "" for p in PdfReader(self.root / rel).pages]
        return self._pdf[rel]

    def text(self, item: dict) -> str:
        rel = item["file"]
        if rel.endswith(".pdf"):
            pages = self.pages(rel)
            return "\n".join(pages[p - 1] for p in item["pages"])
        raw = (self.root / rel).read_text(encoding="utf-8", errors="replace")
        if rel.endswith(".html"):
            parser = _Text()
            parser.feed(raw)
            return " ".join(parser.parts)
        return raw


def problems(q: dict, docs: Docs, seen: set[str]) -> list[str]:
    out = []
    if q["id"] in seen:
        out.append("duplicate id")
    if q["corpus"] not in CORPORA or q["kind"] not in KINDS:
        out.append(f"bad corpus/kind {q['corpus']}/{q['kind']}")
    for item in q["relevant"]:
        rel = item["file"]
        if not rel.startswith(q["corpus"] + "/"):
            out.append(f"{rel} is not in corpus {q['corpus']}")
        if not (docs.root / rel).is_file():
            out.append(f"missing file {rel}")
            continue
        if rel.endswith(".pdf"):
            n = len(docs.pages(rel))
            bad = [p for p in item.get("pages", []) if not 1 <= p <= n]
            if not item.get("pages") or bad:
                out.append(f"{rel}: pages {item.get('pages')} not within 1..{n}")
        elif "pages" in item:
            out.append(f"{rel}: pages given for a non-PDF")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--questions", type=Path, default=HERE / "questions.jsonl")
    args = ap.parse_args()
    docs = Docs(args.data / "docs")
    questions = [json.loads(line) for line in args.questions.read_text().splitlines() if line]

    seen: set[str] = set()
    errors = 0
    ratios: dict[str, list[float]] = {c: [] for c in sorted(CORPORA)}
    passages: dict[str, list[float]] = {c: [] for c in sorted(CORPORA)}
    print("id     file passage  words  question  [content words found in the target]")
    for q in questions:
        for p in problems(q, docs, seen):
            print(f"ERROR {q['id']}: {p}")
            errors += 1
        seen.add(q["id"])
        texts = [words(docs.text(i)) for i in q["relevant"] if (docs.root / i["file"]).is_file()]
        target = {w for t in texts for w in t}
        cw = content_words(q["question"])
        copied = [w for w in cw if w in target]
        ratio = len(copied) / len(cw) if cw else 0.0
        local = max((passage_share(cw, t) for t in texts), default=0.0)
        ratios[q["corpus"]].append(ratio)
        passages[q["corpus"]].append(local)
        flag = "  <-- reword" if local >= 0.5 else ""
        n = len(words(q["question"]))
        print(
            f"{q['id']}  {ratio:4.2f} {local:4.2f}  {n:2d}w  {q['question']}  [{' '.join(copied)}]{flag}"
        )

    print()
    print(f"{len(questions)} questions: {dict(Counter(q['corpus'] for q in questions))}")
    print(f"kinds: {dict(Counter(q['kind'] for q in questions))}")
    ratios["all"] = [r for c in sorted(CORPORA) for r in ratios[c]]
    passages["all"] = [r for c in sorted(CORPORA) for r in passages[c]]
    for corpus in ratios:
        for name, rs in (("file", ratios[corpus]), ("passage", passages[corpus])):
            if rs:
                print(
                    f"{corpus:5s} {name:7s} n={len(rs):3d}  mean {statistics.mean(rs):.2f}  "
                    f"median {statistics.median(rs):.2f}  max {max(rs):.2f}  >=0.5: {sum(r >= 0.5 for r in rs)}"
                )
    print(f"{errors} errors")
    raise SystemExit(1 if errors else 0)


if __name__ == "__main__":
    main()
