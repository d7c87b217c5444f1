"""What part of a file a passage comes from: a page, a slide, a sheet, a message...

A span has a kind, a number within its file (the page, the slide, the sheet's or message's
place) and, where a number says too little, a label (a sheet's name, a message's subject,
sender and date, an archive member's path). The number is what keeps chunks and keyword
blocks inside one span; the label is only shown.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("page", "slide", "sheet", "message", "member", "chapter")
"""``page``: a PDF page (its label is "recognised text" where OCR read it); ``slide``: a
presentation's slide; ``sheet``: a spreadsheet's sheet (label: its name); ``message``: one
e-mail (label: subject, sender, date); ``member``: a file inside an archive (label: its
path there); ``chapter``: an EPUB chapter (label: its title)."""


@dataclass(frozen=True)
class Span:
    kind: str
    n: int | None
    label: str | None = None

    @classmethod
    def of(cls, n: int | None, kind: str | None, label: str | None) -> Span | None:
        """The span of a stored passage; a number without a kind is a PDF page (an index
        written before span kinds existed stored only that)."""
        if kind is None and n is None:
            return None
        return cls(kind or "page", n, label)

    @property
    def page(self) -> int | None:
        """The PDF page to open at, if this span is one."""
        return self.n if self.kind == "page" else None

    def text(self) -> str:
        """How results name the span: "page 7", "slide 7", "sheet Costs", a subject..."""
        if self.kind == "page":
            head = f"page {self.n}"
            return f"{head} · {self.label}" if self.label else head
        if self.kind == "slide":
            return f"slide {self.n}"
        if self.kind == "sheet":
            return f"sheet {self.label}" if self.label else f"sheet {self.n}"
        if self.kind == "member" and self.label:  # after the archive's name: a.zip ▸ b/c.pdf
            return f"▸ {self.label}"
        if self.label:
            return self.label
        return f"{self.kind} {self.n}"

    def as_json(self) -> dict:
        return {"kind": self.kind, "n": self.n, "label": self.label}
