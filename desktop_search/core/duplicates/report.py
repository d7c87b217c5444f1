"""Results: members, groups, the report (JSON and CSV export) and ranking."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from .kinds import KIND_RANK


@dataclass
class Member:
    path: str
    page: int | None = None
    start: int | None = None
    end: int | None = None
    text: str | None = None
    passage_id: int | None = None
    file_id: int | None = None
    text_hash: str | None = None
    score: float | None = None  # similarity with the group's first member (or its link)
    kind: str | None = None  # passage level: this member's kind of duplicate with the first

    def as_json(self) -> dict:
        return {
            "path": self.path,
            "page": self.page,
            "start": self.start,
            "end": self.end,
            "text": self.text,
        }


@dataclass
class Group:
    score: float
    members: list[Member]
    kind: str = "paraphrase"  # one of kinds.KINDS
    detail: dict = field(default_factory=dict)  # file level: shares, "contained", "shared" words

    def as_json(self) -> dict:
        out = {
            "score": round(float(self.score), 4),
            "kind": self.kind,
            "members": [m.as_json() for m in self.members],
        }
        if "a_in_b" in self.detail:
            out["shares"] = [round(self.detail["a_in_b"], 4), round(self.detail["b_in_a"], 4)]
            out["contained"] = bool(self.detail.get("contained"))
        return out


@dataclass
class Report:
    level: str
    threshold: float
    groups: list[Group]
    stats: dict = field(default_factory=dict)
    pending: dict = field(default_factory=lambda: {"passages": 0, "files": 0})
    """What the scan could not see: passages (and files) without a vector yet."""

    def as_json(self) -> dict:
        return {
            "level": self.level,
            "threshold": float(self.threshold),
            "pending": dict(self.pending),
            "groups": [g.as_json() for g in self.groups],
        }

    def to_csv(self) -> str:
        """One row per member: group number, group score and kind, then the member."""
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["group", "score", "kind", "size", "path", "page", "start", "end", "text"])
        for n, g in enumerate(self.groups, 1):
            for m in g.members:
                w.writerow(
                    [
                        n,
                        f"{g.score:.4f}",
                        g.kind,
                        len(g.members),
                        m.path,
                        "" if m.page is None else m.page,
                        "" if m.start is None else m.start,
                        "" if m.end is None else m.end,
                        m.text or "",
                    ]
                )
        return buf.getvalue()


def rank_groups(groups: list[Group]) -> list[Group]:
    """By kind (identical, edited, reordered, paraphrase), then within a kind by how much
    text is shared (score, then amount, then members), then by first path (stable output)."""
    return sorted(
        groups,
        key=lambda g: (
            KIND_RANK.get(g.kind, len(KIND_RANK)),
            -round(g.score, 4),
            -g.detail.get("shared", 0),
            -len(g.members),
            g.members[0].path if g.members else "",
        ),
    )
