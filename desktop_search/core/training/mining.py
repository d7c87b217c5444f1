"""Mine training pairs from a person's own documents, and adapt the encoder to them.

A heading names what its section is about, and a title names what its opening passage is
about: both are free (query, passage) pairs in the user's own vocabulary. Fine-tuning on
them with MultipleNegativesRankingLoss teaches the encoder that vocabulary without any
labelling. Everything up to ``adapt`` is pure text processing over ``(path, text)`` pairs,
so the caller decides where the texts come from (a folder, the index).

Headings understood: reStructuredText (underlined, or over- and underlined, with a repeated
punctuation character), Markdown (``#`` lines and ``===``/``---`` underlines), and a short
first line followed by a blank line, which is how extracted HTML carries its ``<title>``.
"""

from __future__ import annotations

import os
import random
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .trainer import Progress, TrainResult

_ADORNMENT = re.compile(r"([=\-`:'\"~^_*+#<>.!$%&(),/;?@\[\]\\{}|])\1{2,}\s*")
_ATX = re.compile(r"(#{1,6})\s+(\S.*?)\s*#*\s*$")
_FENCE = re.compile(r"\s*(```|~~~)")
_DIRECTIVE = re.compile(r"\.\.\s+([\w:-]+)::\s*(.*)$")
# Directives whose whole block is markup, not prose.
_DROP_BLOCK_NAMES = """index toctree module currentmodule sectionauthor moduleauthor highlight
    testsetup testcleanup include literalinclude image figure raw tabularcolumns only program
    productionlist"""
_DROP_BLOCKS = frozenset(_DROP_BLOCK_NAMES.split())
# Directives that describe an API object: their argument (a signature) is worth keeping.
_OBJECT_DIRECTIVE_NAMES = """function method class data attribute exception decorator classmethod
    staticmethod coroutinefunction coroutinemethod opcode cmdoption envvar describe object"""
_OBJECT_DIRECTIVES = frozenset(_OBJECT_DIRECTIVE_NAMES.split())
_ROLE = re.compile(r":[\w:+.-]+:`([^`]*)`")
_LINK = re.compile(r"`([^`<]*?)\s*<[^`>]*>`__?")
_REF = re.compile(r"`([^`]+)`__?")
_LITERAL = re.compile(r"``([^`]+)``")
_TICKS = re.compile(r"`([^`]+)`")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(?<![\w*])(\*\*|\*)(\S(?:.*?\S)?)\1(?![\w*])")
_FOOTNOTE = re.compile(r"\s*\[(?:#\w*|\d+|\*)\]_")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Section:
    """A heading and the prose under it, up to the next heading of any level."""

    path: str
    heading: str
    level: int
    paragraphs: tuple[str, ...]
    is_title: bool = False

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class MinedPair:
    """A (query, passage) pair and where it came from: ``kind`` is 'heading' or 'title'."""

    query: str
    passage: str
    path: str
    kind: str


def clean_inline(text: str) -> str:
    """Strip inline markup (rst roles, links, literals, emphasis; Markdown links) to plain words."""

    def role(m: re.Match) -> str:
        inner = m.group(1)
        inner = re.sub(r"\s*<[^>]*>$", "", inner)  # :ref:`text <target>` -> text
        return inner.lstrip("~!")

    text = _ROLE.sub(role, text)
    text = _LITERAL.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _REF.sub(r"\1", text)
    text = _TICKS.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = _FOOTNOTE.sub("", text)
    text = text.replace("\\ ", "").replace(" --- ", " \u2014 ")
    return _SPACES.sub(" ", text).strip()


def _is_adornment(line: str) -> bool:
    return bool(_ADORNMENT.fullmatch(line))


def _skip_front_matter(lines: list[str]) -> int:
    if lines and lines[0].strip() == "---":
        for i in range(1, min(len(lines), 200)):
            if lines[i].strip() in ("---", "..."):
                return i + 1
    return 0


def find_headings(lines: list[str]) -> list[tuple[int, int, str, tuple[str, bool]]]:
    """(first line, line after the heading, raw heading text, adornment style) in order."""
    out: list[tuple[int, int, str, tuple[str, bool]]] = []
    i = _skip_front_matter(lines)
    in_fence = False
    last_end = i
    while i < len(lines):
        line = lines[i]
        if _FENCE.match(line):
            in_fence = not in_fence
            i += 1
            continue
        if in_fence:
            i += 1
            continue
        after_blank = i == last_end or not lines[i - 1].strip()
        if (
            after_blank
            and _is_adornment(line)
            and i + 2 < len(lines)
            and lines[i + 1].strip()
            and not _is_adornment(lines[i + 1])
            and lines[i + 2].rstrip() == line.rstrip()
        ):
            out.append((i, i + 3, lines[i + 1].strip(), (line.strip()[0], True)))
            i = last_end = i + 3
            continue
        if (
            after_blank
            and line.strip()
            and not line[0].isspace()
            and not _is_adornment(line)
            and i + 1 < len(lines)
            and _is_adornment(lines[i + 1])
        ):
            under = lines[i + 1].rstrip()
            if len(under) >= len(line.rstrip()) or under[0] in "=-":
                out.append((i, i + 2, line.strip(), (under[0], False)))
                i = last_end = i + 2
                continue
        match = _ATX.match(line)
        if match:
            out.append((i, i + 1, match.group(2), ("#" * len(match.group(1)), False)))
            i = last_end = i + 1
            continue
        i += 1
    return out


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def clean_body(lines: list[str]) -> list[str]:
    """Prose paragraphs of a section: directives' markup dropped, inline markup stripped."""
    kept: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith(".. "):
            base = _indent(line)
            directive = _DIRECTIVE.match(stripped)
            drop_block = directive is None or directive.group(1).split(":")[-1] in _DROP_BLOCKS
            if directive and directive.group(1).split(":")[-1] in _OBJECT_DIRECTIVES:
                kept.append(directive.group(2))
            i += 1
            # The directive's options, then (for dropped blocks and comments) its indented body.
            while (
                i < len(lines) and _indent(lines[i]) > base and re.match(r"\s*:[\w -]+:", lines[i])
            ):
                i += 1
            if drop_block:
                while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > base):
                    i += 1
            continue
        if _is_adornment(line) or stripped in ("::",):
            kept.append("")
        else:
            kept.append(stripped.removesuffix("::") + (":" if stripped.endswith("::") else ""))
        i += 1
    paragraphs: list[str] = []
    current: list[str] = []
    for line in [*kept, ""]:
        if line:
            current.append(line)
        elif current:
            text = clean_inline(" ".join(current))
            if text:
                paragraphs.append(text)
            current = []
    return paragraphs


def _looks_like_title(line: str, max_words: int) -> bool:
    words = line.split()
    return 0 < len(words) <= max_words and not line.rstrip().endswith((".", ",", ";", ":"))


def document_sections(path: str, text: str, max_heading_words: int = 16) -> list[Section]:
    """The sections of one document; the first heading (or a title-like first line) is its title."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    headings = find_headings(lines)
    sections: list[Section] = []
    if not headings:
        # Extracted HTML and many notes: a short first line, a blank line, then the body.
        start = _skip_front_matter(lines)
        while start < len(lines) and not lines[start].strip():
            start += 1
        if (
            start + 1 < len(lines)
            and not lines[start + 1].strip()
            and _looks_like_title(lines[start], max_heading_words)
        ):
            paragraphs = tuple(clean_body(lines[start + 1 :]))
            sections.append(Section(path, clean_inline(lines[start]), 0, paragraphs, True))
        return sections
    styles: dict[tuple[str, bool], int] = {}
    for k, (_, end, raw, style) in enumerate(headings):
        level = styles.setdefault(style, len(styles))
        stop = headings[k + 1][0] if k + 1 < len(headings) else len(lines)
        heading = clean_inline(raw)
        if not heading:
            continue
        sections.append(Section(path, heading, level, tuple(clean_body(lines[end:stop])), k == 0))
    return sections


def _truncate(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    return cut[: cut.rfind(" ")] if " " in cut else cut


def opening_passage(paragraphs: Iterable[str], max_chars: int, min_words: int) -> str:
    """The first paragraphs, up to ``max_chars``; skips leading scraps shorter than ``min_words``."""
    parts: list[str] = []
    size = 0
    for para in paragraphs:
        if not parts and len(para.split()) < min_words:
            continue
        parts.append(para)
        size += len(para) + 1
        if size >= max_chars:
            break
    return _truncate(" ".join(parts), max_chars)


def mine_pairs(
    docs: Iterable[tuple[str, str]],
    *,
    min_words: int = 8,
    max_passage_chars: int = 1200,
    max_heading_words: int = 16,
    max_heading_repeats: int = 2,
) -> list[MinedPair]:
    """(heading, section) and (title, opening passage) pairs from ``(path, text)`` documents.

    A heading that recurs in more than ``max_heading_repeats`` places ("Examples", "Notes")
    names none of its sections in particular, so it is dropped; so are sections with fewer
    than ``min_words`` words of prose. Duplicate pairs are kept once.
    """
    candidates: list[MinedPair] = []
    repeats: Counter[str] = Counter()
    for path, text in docs:
        for section in document_sections(str(path), text, max_heading_words):
            repeats[section.heading.casefold()] += 1
            if len(section.heading.split()) > max_heading_words or not re.search(
                r"\w", section.heading
            ):
                continue
            if section.is_title:
                passage = opening_passage(section.paragraphs, max_passage_chars, min_words)
                kind = "title"
            else:
                passage = _truncate(" ".join(section.paragraphs), max_passage_chars)
                kind = "heading"
            if len(passage.split()) < min_words:
                continue
            candidates.append(MinedPair(section.heading, passage, str(path), kind))
    seen: set[tuple[str, str]] = set()
    out: list[MinedPair] = []
    for pair in candidates:
        key = (pair.query.casefold(), pair.passage)
        if repeats[key[0]] > max_heading_repeats or key in seen:
            continue
        seen.add(key)
        out.append(pair)
    return out


def split_holdout(
    pairs: list[MinedPair], fraction: float, seed: int = 42
) -> tuple[list[MinedPair], list[MinedPair]]:
    """(train, held out): a seeded random ``fraction`` of the pairs is held out for evaluation."""
    order = list(range(len(pairs)))
    random.Random(seed).shuffle(order)
    n_out = round(len(pairs) * fraction)
    held = set(order[:n_out])
    return [p for i, p in enumerate(pairs) if i not in held], [pairs[i] for i in sorted(held)]


@dataclass
class AdaptResult:
    """Where the model went (None when cancelled), how many pairs it learnt from, and how."""

    out_dir: Path | None
    pairs: int
    train: TrainResult | None = None
    info: dict = field(default_factory=dict)


def adapt_pairs(
    pairs: list[MinedPair],
    base_model: str | os.PathLike | None,
    out_dir: str | os.PathLike,
    *,
    epochs: int = 1,
    batch_size: int = 16,
    lr: float = 2e-5,
    max_pairs: int | None = None,
    max_seq_length: int | None = 128,
    seed: int = 42,
    overwrite: bool = False,
    progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
) -> AdaptResult:
    """Fine-tune ``base_model`` on mined pairs with MNRL and save it; a cancelled run saves nothing.

    ``max_seq_length`` truncates texts while training only (128 tokens keep a CPU run short
    and hold a section's gist); the saved model keeps the base model's limit.
    """
    from .losses import MultipleNegativesRankingLoss
    from .readers import Example
    from .save import save_model
    from .trainer import SentenceModel, TrainConfig, TrainingError, train

    if len(pairs) < 2:
        raise TrainingError(
            f"found {len(pairs)} (heading, section) pairs; at least 2 are needed "
            "(documents need headings or titles over a few sentences of text)"
        )
    if max_pairs and len(pairs) > max_pairs:
        pairs = random.Random(seed).sample(pairs, max_pairs)
    model = SentenceModel.load(base_model)
    examples = [Example((p.query, p.passage)) for p in pairs]
    config = TrainConfig(
        epochs=epochs, batch_size=batch_size, lr=lr, seed=seed, max_seq_length=max_seq_length
    )
    result = train(
        model,
        MultipleNegativesRankingLoss(model),
        examples,
        config,
        progress=progress,
        cancel=cancel,
    )
    info = {
        "task": "adapt",
        "loss": "MultipleNegativesRankingLoss",
        "base_model": str(base_model) if base_model else "default",
        "pairs": len(pairs),
        "epochs": epochs,
        "batch_size": batch_size,
        "lr": lr,
        "seed": seed,
        "train_max_seq_length": max_seq_length,
        "steps": result.steps,
        "seconds": round(result.seconds, 1),
        "final_loss": result.losses[-1] if result.losses else None,
    }
    if result.cancelled:
        return AdaptResult(None, len(pairs), result, info)
    out = save_model(model, out_dir, info=info, overwrite=overwrite)
    return AdaptResult(out, len(pairs), result, info)


def adapt(
    texts: Iterable[tuple[str, str]],
    base_model: str | os.PathLike | None,
    out_dir: str | os.PathLike,
    **kwargs,
) -> AdaptResult:
    """Mine pairs from ``(path, text)`` documents and fine-tune on them (see ``adapt_pairs``)."""
    return adapt_pairs(mine_pairs(texts), base_model, out_dir, **kwargs)
