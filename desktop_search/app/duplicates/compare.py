"""The Duplicates tab's right half: two members side by side, their differences marked.

It owns what showing a pair takes: the two sides with Open and Show in folder, the label
that says how alike they are, whether each side may go to the trash yet (only once the
differences are on screen, see ``trash_allowed``), and the thread that reads and diffs two
files' indexed texts so a file-level pair never blocks the GUI. What a pair *does* (ignore,
trash, rescan) stays with the panel, which holds the list and the scans.
"""

from __future__ import annotations

import functools
import os

from PySide6.QtCore import Qt, QThread, Signal
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_search.app.common.desktop import open_file, reveal_in_folder
from desktop_search.core.engine import Group, Member

from .model import KIND_LABELS, KIND_TIPS, diff_html, kind_label, trash_allowed
from .worker import CompareRequest, CompareWorker

TRASH_TIP = "Move this file to the desktop's trash (you can restore it)"


def _stop_thread(thread: QThread) -> None:
    try:
        if not thread.isRunning():
            return
    except RuntimeError:  # already deleted
        return
    thread.quit()
    thread.wait(60_000)


class CompareSide(QWidget):
    """One member of the comparison: where it is, its text, and what to do with it."""

    def __init__(self, name: str, parent=None) -> None:
        super().__init__(parent)
        self.member: Member | None = None
        self.title = QLabel()
        self.title.setObjectName(f"dupTitle{name}")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text = QTextBrowser()
        self.text.setObjectName(f"dupText{name}")
        self.text.setOpenLinks(False)
        self.open_btn = QPushButton("Open")
        self.reveal_btn = QPushButton("Show in folder")
        self.trash_btn = QPushButton("Move to trash…")
        self.trash_btn.setToolTip(TRASH_TIP)
        self.open_btn.setObjectName(f"dupOpen{name}")
        self.reveal_btn.setObjectName(f"dupReveal{name}")
        self.trash_btn.setObjectName(f"dupTrash{name}")
        buttons = QHBoxLayout()
        for b in (self.open_btn, self.reveal_btn, self.trash_btn):
            buttons.addWidget(b)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.title)
        lay.addWidget(self.text, 1)
        lay.addLayout(buttons)
        self.open_btn.clicked.connect(lambda _=False: self.member and open_file(self.member.path))
        self.reveal_btn.clicked.connect(
            lambda _=False: self.member and reveal_in_folder(self.member.path)
        )
        self.show_member(None)

    def show_member(self, member: Member | None, html: str = "") -> None:
        self.member = member
        for b in (self.open_btn, self.reveal_btn):
            b.setEnabled(member is not None)
        self.trash_btn.setEnabled(False)  # the pane decides (see trash_allowed)
        if member is None:
            self.title.setText("")
            self.text.setHtml("")
            return
        where = f" · page {member.page}" if member.page else ""
        span = f" · characters {member.start}–{member.end}" if member.start is not None else ""
        self.title.setText(
            f"<b>{os.path.basename(member.path)}</b>{where}{span}<br>"
            f"<small>{os.path.dirname(member.path)}</small>"
        )
        self.title.setToolTip(member.path)
        self.text.setHtml(html)


class ComparePane(QWidget):
    """Shows one pair of a group; file texts are read and diffed on its own thread."""

    compareRequested = Signal(object)  # CompareRequest, to the compare thread
    engineSet = Signal(object)  # the app's reading Engine, to the compare thread

    def __init__(self, engine, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("dupCompare")
        self.pair: tuple[Group, Member, Member] | None = None
        self.diff_shown = False
        self._compare_id = 0
        self.left = CompareSide("A")
        self.right = CompareSide("B")
        self.label = QLabel("")
        self.label.setObjectName("dupCompareLabel")
        self.label.setWordWrap(True)  # a long label must not widen the window
        self.ignore_btn = QPushButton("&Ignore this pair")
        self.ignore_btn.setObjectName("dupIgnore")
        self.ignore_btn.setToolTip(
            "Never show these two as duplicates again (kept in the index database)"
        )
        self.ignore_btn.setEnabled(False)
        sides = QSplitter(Qt.Orientation.Horizontal)
        sides.addWidget(self.left)
        sides.addWidget(self.right)
        bar = QHBoxLayout()
        bar.addWidget(self.label, 1)
        bar.addWidget(self.ignore_btn)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(sides, 1)
        lay.addLayout(bar)
        self._start_worker(engine)

    def _start_worker(self, engine) -> None:
        # File comparisons on their own thread: a long scan must never hold them up.
        self._thread = QThread()
        self._thread.setObjectName("duplicates-compare")
        self.worker = CompareWorker(engine)
        self.worker.moveToThread(self._thread)
        self.compareRequested.connect(self.worker.compare_files)
        self.engineSet.connect(self.worker.set_engine)
        self.worker.compared.connect(self._on_compared)
        self._thread.start()
        # The thread must end before Qt deletes it, however the pane goes: closed,
        # deleted with its window, or at application exit.
        self.destroyed.connect(functools.partial(_stop_thread, self._thread))
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(functools.partial(_stop_thread, self._thread))

    def show_pair(
        self, group: Group | None, a: Member | None = None, b: Member | None = None
    ) -> None:
        """Show a and b of group side by side, or nothing when any of them is None."""
        self.diff_shown = False
        if group is None or a is None or b is None:
            self.pair = None
            self.left.show_member(None)
            self.right.show_member(None)
            self.label.setText("")
            self.ignore_btn.setEnabled(False)
            return
        self.pair = (group, a, b)
        self.ignore_btn.setEnabled(True)
        kind = kind_label(group)
        if a.text is not None and b.text is not None:
            html_a, html_b, ratio = diff_html(a.text, b.text, reflow=True)
            self.left.show_member(a, html_a)
            self.right.show_member(b, html_b)
            self.diff_shown = True
            if b.kind and b.kind != group.kind:  # this pair is closer than the group's loosest
                kind = f"{KIND_LABELS.get(b.kind, b.kind)} (group: {kind})"
            self._set_label(group, kind, ratio)
        else:  # file level: the texts come from the index, off this thread
            self.left.show_member(a, "<i>Loading…</i>")
            self.right.show_member(b, "<i>Loading…</i>")
            self._set_label(group, kind, None)
            self._compare_id += 1
            self.worker.latest = self._compare_id
            self.compareRequested.emit(CompareRequest(self._compare_id, a.path, b.path))
        self._update_trash_buttons()

    def _update_trash_buttons(self) -> None:
        for side in (self.left, self.right):
            if self.pair is None or side.member is None:
                side.trash_btn.setEnabled(False)
                continue
            ok, why = trash_allowed(self.pair[0], side.member, self.diff_shown)
            side.trash_btn.setEnabled(ok)
            side.trash_btn.setToolTip(TRASH_TIP if ok else why)

    def _set_label(self, group: Group, kind: str, ratio: float | None) -> None:
        parts = [f"{kind.capitalize()} · score {group.score:.3f}"]
        self.label.setToolTip(KIND_TIPS.get(group.kind, ""))
        if "a_in_b" in group.detail:
            parts.append(
                f"{group.detail['a_in_b']:.0%} of the left is in the right, "
                f"{group.detail['b_in_a']:.0%} of the right is in the left"
            )
        if ratio is not None:
            parts.append(f"{ratio:.0%} of the words match")
        self.label.setText(" · ".join(parts))

    def _on_compared(self, req_id: int, html_a: str, html_b: str, ratio: float) -> None:
        if req_id != self._compare_id or self.pair is None:
            return
        group, a, b = self.pair
        self.left.show_member(a, html_a)
        self.right.show_member(b, html_b)
        self.diff_shown = True
        self._set_label(group, kind_label(group), ratio)
        self._update_trash_buttons()

    def shown_texts(self) -> tuple[str, str]:
        return self.left.text.toPlainText(), self.right.text.toPlainText()

    def set_engine(self, engine) -> None:
        """Compare through this Engine from now on (queued: before any later request)."""
        self.engineSet.emit(engine)

    def shutdown(self) -> None:
        """Stop the comparison thread; safe to call twice."""
        _stop_thread(self._thread)
