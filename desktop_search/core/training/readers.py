"""Readers for training data: tab-separated text files, one example a line.

Three kinds, as the losses need them:

- scored pairs ``text1<TAB>text2<TAB>score``: the score is on a stated scale (0..1 or 0..5)
  and is mapped to 0..1, because CosineSimilarityLoss regresses a cosine onto it;
- triplets ``anchor<TAB>positive<TAB>negative``;
- positive pairs ``anchor<TAB>positive`` (an optional third column is a hard negative).

Blank lines and lines that start with ``#`` are skipped; a first line whose score is not a
number is taken as a header. Every other malformed line is a ``DataError`` naming the line,
so that a user can fix the file instead of training on half of it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from desktop_search.core.errors import DataError

KINDS = ("scored", "triplets", "pairs")


@dataclass(frozen=True)
class Example:
    """One training example: the texts of its columns and, for scored pairs, a 0..1 label."""

    texts: tuple[str, ...]
    label: float | None = None


def _lines(path: str | os.PathLike) -> Iterator[tuple[int, list[str]]]:
    """(line number, tab-separated fields) for the lines that carry data."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise DataError(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text") from exc
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        yield number, [field.strip() for field in line.split("\t")]


def _check_texts(path: str | os.PathLike, number: int, fields: list[str]) -> tuple[str, ...]:
    if any(not field for field in fields):
        raise DataError(f"{path}:{number}: empty text in a column")
    return tuple(fields)


def _parse_score(raw: str) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def read_scored_pairs(path: str | os.PathLike, scale: float | None = None) -> list[Example]:
    """``text1<TAB>text2<TAB>score`` lines; labels come back divided by ``scale``.

    ``scale`` is the top of the score range (1 or 5, say). ``None`` infers it: 5 when any
    score exceeds 1, else 1, which is right for the two scales in common use.
    """
    raw: list[tuple[int, tuple[str, ...], float]] = []
    for index, (number, fields) in enumerate(_lines(path)):
        if len(fields) != 3:
            raise DataError(
                f"{path}:{number}: expected 3 tab-separated columns (text1, text2, score), "
                f"found {len(fields)}"
            )
        score = _parse_score(fields[2])
        if score is None:
            if index == 0:
                continue  # a header line
            raise DataError(f"{path}:{number}: score {fields[2]!r} is not a number")
        raw.append((number, _check_texts(path, number, fields[:2]), score))
    if not raw:
        raise DataError(f"{path}: no scored pairs found")
    top = scale if scale is not None else (5.0 if max(s for _, _, s in raw) > 1.0 else 1.0)
    if top <= 0:
        raise DataError(f"score scale must be positive, got {top}")
    out = []
    for number, texts, score in raw:
        if not 0.0 <= score <= top:
            raise DataError(f"{path}:{number}: score {score} is outside the scale 0..{top:g}")
        out.append(Example(texts, score / top))
    return out


def read_triplets(path: str | os.PathLike) -> list[Example]:
    """``anchor<TAB>positive<TAB>negative`` lines."""
    out = []
    for number, fields in _lines(path):
        if len(fields) != 3:
            raise DataError(
                f"{path}:{number}: expected 3 tab-separated columns (anchor, positive, negative), "
                f"found {len(fields)}"
            )
        out.append(Example(_check_texts(path, number, fields)))
    if not out:
        raise DataError(f"{path}: no triplets found")
    return out


def read_pairs(path: str | os.PathLike) -> list[Example]:
    """``anchor<TAB>positive`` lines, or three columns with a hard negative, but not mixed."""
    out: list[Example] = []
    for number, fields in _lines(path):
        if len(fields) not in (2, 3):
            raise DataError(
                f"{path}:{number}: expected 2 tab-separated columns (anchor, positive), "
                f"found {len(fields)}"
            )
        if out and len(fields) != len(out[0].texts):
            raise DataError(
                f"{path}:{number}: {len(fields)} columns where earlier lines have "
                f"{len(out[0].texts)}; use one layout for the whole file"
            )
        out.append(Example(_check_texts(path, number, fields)))
    if not out:
        raise DataError(f"{path}: no pairs found")
    return out


def read_stsb_rows(path: str | os.PathLike) -> list[tuple[str, str, float]]:
    """(sentence1, sentence2, score 0..5) from the STS Benchmark layout
    (genre, file, year, id, score, s1, s2, extras...)."""
    out = []
    for number, fields in _lines(path):
        if len(fields) < 7:
            raise DataError(f"{path}:{number}: expected at least 7 columns, found {len(fields)}")
        score = _parse_score(fields[4])
        if score is None or not 0.0 <= score <= 5.0:
            raise DataError(f"{path}:{number}: score {fields[4]!r} is not a number in 0..5")
        a, b = _check_texts(path, number, fields[5:7])
        out.append((a, b, score))
    return out


def read_stsb(path: str | os.PathLike) -> list[Example]:
    """STS Benchmark pairs as scored examples, labels scaled to 0..1."""
    return [Example((a, b), score / 5.0) for a, b, score in read_stsb_rows(path)]


def read_examples(path: str | os.PathLike, kind: str, scale: float | None = None) -> list[Example]:
    """Dispatch on the kind of data a loss needs (see ``KINDS``)."""
    if kind == "scored":
        return read_scored_pairs(path, scale)
    if kind == "triplets":
        return read_triplets(path)
    if kind == "pairs":
        return read_pairs(path)
    raise ValueError(f"unknown data kind {kind!r}; valid kinds: {', '.join(KINDS)}")
