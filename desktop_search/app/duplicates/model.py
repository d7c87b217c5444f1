"""The duplicates panel's data: the group tree model, and the word diff for the compare view.

``diff_html`` is plain Python (difflib), testable without a display.
"""

from __future__ import annotations

import difflib
import html
import os
import re

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt

from desktop_search.core.engine import Group, Member

_WORD = re.compile(r"\S+")
DELETED_STYLE = "background-color:#ffd2d2; color:#7a0000;"
INSERTED_STYLE = "background-color:#cdf5cd; color:#004d00;"


_LONE_NEWLINE = re.compile(r"(?<!\n)[ \t]*\n[ \t]*(?!\n)")


def diff_html(
    a: str, b: str, *, max_chars: int = 30_000, reflow: bool = False
) -> tuple[str, str, float]:
    """Both texts as HTML with the words that differ highlighted, and the word-level ratio.

    Words are compared case-insensitively (whitespace and case are not differences worth
    showing); the texts keep their line breaks, or with ``reflow`` only their paragraph
    breaks (hard-wrapped lines join up). Texts longer than ``max_chars`` are cut.
    """
    a, b = a[:max_chars], b[:max_chars]
    if reflow:
        a, b = _LONE_NEWLINE.sub(" ", a), _LONE_NEWLINE.sub(" ", b)
    wa, wb = list(_WORD.finditer(a)), list(_WORD.finditer(b))
    sm = difflib.SequenceMatcher(
        None, [m.group().lower() for m in wa], [m.group().lower() for m in wb], autojunk=False
    )
    mark_a: set[int] = set()
    mark_b: set[int] = set()
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op != "equal":
            mark_a.update(range(i1, i2))
            mark_b.update(range(j1, j2))
    return _render(a, wa, mark_a, DELETED_STYLE), _render(b, wb, mark_b, INSERTED_STYLE), sm.ratio()


def _render(text: str, words: list, marked: set[int], style: str) -> str:
    out: list[str] = []
    pos = 0
    run_open = False
    for i, m in enumerate(words):
        gap = html.escape(text[pos : m.start()])
        if i in marked:
            if run_open and "\n" not in gap:
                out.append(gap)
            else:
                if run_open:
                    out.append("</span>")
                out.append(gap)
                out.append(f'<span style="{style}">')
                run_open = True
        else:
            if run_open:
                out.append("</span>")
                run_open = False
            out.append(gap)
        out.append(html.escape(m.group()))
        pos = m.end()
    if run_open:
        out.append("</span>")
    out.append(html.escape(text[pos:]))
    body = "".join(out).replace("\n", "<br>")
    return f'<div style="white-space:pre-wrap">{body}</div>'


def group_title(g: Group) -> str:
    names = [os.path.basename(m.path) for m in g.members]
    if len(set(names)) == 1:
        return f"{names[0]}  × {len(names)}"
    if len(names) == 2:
        title = f"{names[0]}  ↔  {names[1]}"
    else:
        title = f"{names[0]}  + {len(names) - 1} more"
    return title


KIND_LABELS = {
    "identical": "identical",
    "edited": "edited copy",
    "reordered": "reordered copy",
    "paraphrase": "paraphrase",
}
KIND_TIPS = {
    "identical": "The same text (files: the same bytes).",
    "edited": "Mostly the same words in the same order: a copy with some words changed.",
    "reordered": "The same passages in another order.",
    "paraphrase": "The same meaning in other words (judged passage by passage).",
}
#: Kinds whose members can be trashed straight away; the others only after the diff.
TRASH_AT_ONCE = ("identical", "edited")


def kind_label(g: Group) -> str:
    label = KIND_LABELS.get(g.kind, g.kind)
    return f"{label}, inside" if g.detail.get("contained") else label


def trash_allowed(group: Group, member: Member, diff_shown: bool) -> tuple[bool, str]:
    """May ``member``'s file go to the trash from this group, and if not, why not.

    The rules that keep a clean-up safe: a group always keeps a member in another file;
    a file that holds more than its partner (the larger of a "contained" pair) stays; and
    only identical and edited copies can go before the two were compared word by word.
    """
    if not any(m.path != member.path for m in group.members):
        return False, "every member of this group is in this file"
    if group.detail.get("contained") and group.members and member.path != group.members[0].path:
        return False, "this file holds more than the other: keep it"
    if group.kind not in TRASH_AT_ONCE and not diff_shown:
        return False, "compare the two first (the diff is loading)"
    return True, ""


def member_label(m: Member, group: Group | None = None) -> str:
    """The file's name; with its folder's name when the group has another of that name."""
    name = os.path.basename(m.path)
    if group is not None and sum(os.path.basename(x.path) == name for x in group.members) > 1:
        name = f"{name}  ({os.path.basename(os.path.dirname(m.path))})"
    return f"{name}  (p. {m.page})" if m.page else name


_ROOT = QModelIndex()


class GroupsModel(QAbstractItemModel):
    """Two levels: groups, then their members. Columns: title, kind, score.

    A member row shows its file's name, the share of it present in the other (file level)
    and its score; its folder is in the tooltip and in the compare pane.
    """

    HEADERS = ("Duplicates", "Kind", "Score")
    GroupRole = Qt.ItemDataRole.UserRole + 1
    MemberRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.groups: list[Group] = []
        self.level = "passage"

    # -- content -------------------------------------------------------------------

    def set_groups(self, groups: list[Group], level: str) -> None:
        self.beginResetModel()
        self.groups = list(groups)
        self.level = level
        self.endResetModel()

    def group_at(self, index: QModelIndex) -> Group | None:
        if not index.isValid():
            return None
        row = index.row() if index.internalId() == 0 else index.internalId() - 1
        return self.groups[row] if 0 <= row < len(self.groups) else None

    def member_at(self, index: QModelIndex) -> Member | None:
        if not index.isValid() or index.internalId() == 0:
            return None
        g = self.group_at(index)
        return g.members[index.row()] if g and index.row() < len(g.members) else None

    def remove_member(self, group: Group, member: Member) -> None:
        """Take one member out of a group; a group left with one member goes."""
        self.beginResetModel()
        if member in group.members:
            group.members.remove(member)
        if len(group.members) < 2 and group in self.groups:
            self.groups.remove(group)
        self.endResetModel()

    def remove_path(self, path: str) -> None:
        """A file went (trash): it leaves every group."""
        self.beginResetModel()
        for g in self.groups:
            g.members = [m for m in g.members if m.path != path]
        self.groups = [g for g in self.groups if len(g.members) >= 2]
        self.endResetModel()

    # -- QAbstractItemModel ------------------------------------------------------------

    def index(self, row: int, column: int, parent: QModelIndex = _ROOT) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: QModelIndex) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: QModelIndex = _ROOT) -> int:
        if not parent.isValid():
            return len(self.groups)
        if parent.internalId() == 0 and parent.column() == 0:
            return len(self.groups[parent.row()].members)
        return 0

    def columnCount(self, parent: QModelIndex = _ROOT) -> int:
        return len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        g = self.group_at(index)
        if g is None:
            return None
        m = self.member_at(index)
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if m is None:
                return (group_title(g), kind_label(g), f"{g.score:.3f}")[col]
            if "a_in_b" in g.detail and m.score is not None:  # file pair: the share says it
                return (member_label(m, g), f"{m.score:.0%} in the other", "")[col]
            kind = KIND_LABELS.get(m.kind, "") if m.kind and m is not g.members[0] else ""
            score = "" if m.score is None else f"{m.score:.3f}"
            return (member_label(m, g), kind, score)[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            if m is None:
                unit = "files" if self.level == "file" else "passages"
                return (
                    f"{len(g.members)} {unit} · {kind_label(g)} · score {g.score:.3f}\n"
                    f"{KIND_TIPS.get(g.kind, '')}"
                )
            snippet = " ".join((m.text or "").split())[:300]
            return m.path + (f"\n\n{snippet}" if snippet else "")
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == self.GroupRole:
            return g
        if role == self.MemberRole:
            return m
        return None
