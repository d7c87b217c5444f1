"""Tools ▸ Adapt model: the question before it starts.

It says what Adapt does, how much material the library gives it and how long it will take
on this computer (``Engine.adapt_plan``, worked out in the indexing process while the
dialog is open), and refuses, with the reason, while indexing runs or when there is too
little to learn from. Cancel is the default button: Adapt keeps the computer busy.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from desktop_search.core.engine import AdaptPlan, format_duration

EXPLAIN = (
    "Adapt teaches the search model the vocabulary of your own documents. It pairs each "
    "heading or title in your files with the text under it, trains a copy of the current "
    "model to match the two, saves it in the index folder, and then re-embeds every passage "
    "with it.\n\nSearching works meanwhile, with the current model until the new one is "
    "ready. You can cancel at any time; the current model is kept until the new one has "
    "replaced it."
)


def material_text(plan: AdaptPlan) -> str:
    used = f" (it trains on {plan.used_pairs:,} of them)" if plan.used_pairs < plan.pairs else ""
    return (
        f"{plan.pairs:,} (heading, section) pairs from {plan.files:,} indexed files{used}; "
        f"{plan.passages:,} passages to re-embed."
    )


def time_text(plan: AdaptPlan) -> str:
    return (
        f"{format_duration(plan.seconds)} on this computer: reading the files "
        f"{format_duration(plan.read_s)}, training {format_duration(plan.train_s)}, "
        f"re-embedding {format_duration(plan.embed_s)} (measured: {plan.speed:.0f} "
        "passages per second)."
    )


class AdaptDialog(QDialog):
    def __init__(self, parent, busy: str = "") -> None:
        """``busy``: why Adapt cannot start now (indexing is running), or ""."""
        super().__init__(parent)
        self.setObjectName("adaptDialog")
        self.setWindowTitle("Adapt the model to your documents")
        self.plan: AdaptPlan | None = None
        self.req_id = 0  # the plan request this dialog waits for
        self.refused = False
        explain = QLabel(EXPLAIN)
        explain.setWordWrap(True)
        self.material = QLabel("Looking at your documents…")
        self.material.setObjectName("adaptMaterial")
        self.material.setWordWrap(True)
        self.time = QLabel("")
        self.time.setObjectName("adaptTime")
        self.time.setWordWrap(True)
        self.refusal = QLabel("")
        self.refusal.setObjectName("folderWarning")  # the wizard's warning style
        self.refusal.setWordWrap(True)
        self.refusal.hide()
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setFixedHeight(4)
        buttons = QDialogButtonBox()
        self.adapt_btn = QPushButton("Adapt")
        self.adapt_btn.setObjectName("adaptButton")
        self.adapt_btn.setEnabled(False)
        self.adapt_btn.setAutoDefault(False)
        self.cancel_btn = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_btn.setDefault(True)
        buttons.addButton(self.adapt_btn, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addSpacing(8)
        layout.addWidget(self.material)
        layout.addWidget(self.time)
        layout.addWidget(self.busy)
        layout.addWidget(self.refusal)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.resize(560, 320)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if busy:
            self.refuse(busy)

    def on_plan(self, req_id: int, plan: AdaptPlan) -> None:
        if req_id == self.req_id:
            self.set_plan(plan)

    def on_plan_failed(self, req_id: int, why: str) -> None:
        if req_id == self.req_id:
            self.refuse(why)

    def set_plan(self, plan: AdaptPlan) -> None:
        if self.refused:
            return
        self.plan = plan
        self.busy.hide()
        self.material.setText("<b>Material:</b> " + material_text(plan))
        self.time.setText("<b>Time:</b> " + time_text(plan))
        if plan.refusal:
            self.refuse(plan.refusal)
        else:
            self.adapt_btn.setEnabled(True)

    def refuse(self, why: str) -> None:
        self.refused = True
        self.busy.hide()
        if self.plan is None:
            self.material.setText("")
        self.refusal.setText("⚠ " + why)
        self.refusal.show()
        self.adapt_btn.setEnabled(False)
