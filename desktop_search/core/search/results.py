"""What a search returns: files best first, each with its best passages.

Plain values with their JSON form (a public interface: see the README's JSON section).
Scores are absolute (see ``confidence``), not the fusion's ranking score.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import confidence
from .spans import Span


@dataclass
class PassageHit:
    id: int
    text: str
    page: int | None
    start: int
    end: int
    score: float  # 0..1, how well this passage matches (see ``confidence``)
    highlights: list[tuple[int, int]] = field(default_factory=list)  # spans within ``text``
    span: Span | None = None  # the page, slide, sheet, message... it comes from

    def __post_init__(self) -> None:
        if self.span is None and self.page is not None:
            self.span = Span("page", self.page)

    def as_json(self) -> dict:
        return {
            "text": self.text,
            "page": self.page,
            "span": self.span.as_json() if self.span else None,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
            "highlights": [list(h) for h in self.highlights],
        }


@dataclass
class FileResult:
    path: str
    score: float  # 0..1, absolute: the best of its passages' scores
    kind: str | None
    mtime: float
    size: int
    passages: list[PassageHit]
    matches: int = 0  # passages of this file that match (``confidence.WEAK`` or better)

    @property
    def weak(self) -> bool:
        return self.score < confidence.WEAK

    @property
    def more(self) -> int:
        """Matching passages besides the one shown first (the app's "N more matches")."""
        lead = bool(self.passages) and self.passages[0].score >= confidence.WEAK
        return max(0, self.matches - lead)

    def as_json(self) -> dict:
        return {
            "path": self.path,
            "score": round(self.score, 4),
            "weak": self.weak,
            "matches": self.matches,
            "passages": [p.as_json() for p in self.passages],
        }
