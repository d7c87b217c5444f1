"""The *Topics* tab: a 2-D map of the library (one point per file, coloured by topic) and
the list of topics with their words and sizes.

The map is a QGraphicsView: the wheel zooms, hovering a point names its file, clicking
it previews the file. Choosing a topic in the list filters the search to it. The data
come from ``RelatedJob.load_topics`` (read off the GUI thread); drawing a few thousand
points is a single pass over them here.
"""

from __future__ import annotations

import html
import os

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsScene,
    QGraphicsView,
    QLabel,
    QListWidget,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop_search.app.common.list_rows import add_row
from desktop_search.core.sanitize import display_name

SIZE = 600.0  # scene units across the map
DOT = 9.0
ROLE_TOPIC = Qt.ItemDataRole.UserRole + 1
ROLE_PATH = Qt.ItemDataRole.UserRole + 2


def topic_colour(topic: int) -> QColor:
    """A distinct, stable colour per topic (golden-angle hues)."""
    return QColor.fromHsv(int(topic * 137.508) % 360, 170, 215)


class TopicMap(QGraphicsView):
    fileChosen = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("topicMap")
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.dots: list[QGraphicsEllipseItem] = []

    def show_points(self, points) -> None:
        scene = self.scene()
        scene.clear()
        self.dots = []
        half = SIZE / 2
        for p in points:
            x, y = half + p.x * half, half - p.y * half
            dot = scene.addEllipse(
                QRectF(x - DOT / 2, y - DOT / 2, DOT, DOT),
                QPen(Qt.PenStyle.NoPen),
                QBrush(topic_colour(p.topic)),
            )
            dot.setToolTip(display_name(os.path.basename(p.path)))
            dot.setData(0, p.path)
            dot.setData(1, p.topic)
            dot.setData(2, p.sub)
            dot.setCursor(Qt.CursorShape.PointingHandCursor)
            self.dots.append(dot)
        scene.setSceneRect(QRectF(-DOT, -DOT, SIZE + 2 * DOT, SIZE + 2 * DOT))
        self.fitInView(scene.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def highlight(self, topic: int | None) -> None:
        """Dim every point outside ``topic`` (None: show all)."""
        for dot in self.dots:
            inside = topic is None or topic in (dot.data(1), dot.data(2))
            dot.setOpacity(1.0 if inside else 0.15)

    def zoom(self, factor: float) -> None:
        self.scale(factor, factor)

    def wheelEvent(self, event) -> None:
        self.zoom(1.25 if event.angleDelta().y() > 0 else 0.8)

    def mousePressEvent(self, event) -> None:
        item = self.itemAt(event.position().toPoint())
        if isinstance(item, QGraphicsEllipseItem) and item.data(0):
            self.fileChosen.emit(item.data(0))
            return
        super().mousePressEvent(event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.dots:
            self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)


class TopicsPanel(QWidget):
    topicChosen = Signal(int)  # filter the search to this topic
    fileChosen = Signal(str)  # preview this file

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("topicsPanel")
        self.map = TopicMap()
        self.map.fileChosen.connect(self.fileChosen)
        self.list = QListWidget()
        self.list.setObjectName("topicList")
        self.list.setWordWrap(True)
        self.list.currentItemChanged.connect(self._on_current)
        self.list.itemActivated.connect(self._on_activated)
        self.note = QLabel(
            "Topics are computed once indexing has embedded your files. "
            "Double-click a topic to search in it."
        )
        self.note.setWordWrap(True)
        side = QWidget()
        side.setMinimumWidth(260)
        side.setMaximumWidth(420)
        sl = QVBoxLayout(side)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(self.note)
        sl.addWidget(self.list, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.map)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([900, 320])
        self.map.setMinimumWidth(300)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 6)
        layout.addWidget(splitter)

    def show_topics(self, outcome) -> None:
        self.list.clear()
        children: dict[int, list] = {}
        for t in outcome.topics:
            children.setdefault(t.parent or 0, []).append(t)
        ordered = [
            u for t in children.get(0, []) for u in [t, *children.get(t.id, [])]
        ]  # each topic followed by its sub-topics
        for t in ordered:
            indent = "      " if t.parent is not None else ""
            names = "<br>".join(html.escape(os.path.basename(p)) for p in t.central)
            item = add_row(
                self.list,
                f"{indent}{t.id}. {', '.join(t.label)}  ({t.size})",
                tooltip=f"<b>Most central files</b><br>{names}",
                data={ROLE_TOPIC: t.id},
            )
            if t.parent is None:
                item.setData(Qt.ItemDataRole.ForegroundRole, topic_colour(t.id).darker(140))
        self.map.show_points(outcome.points)
        if outcome.topics:
            self.note.setText("Double-click a topic to search in it; click a point to preview.")

    def _on_current(self, item, _previous) -> None:
        self.map.highlight(item.data(ROLE_TOPIC) if item else None)

    def _on_activated(self, item) -> None:
        self.topicChosen.emit(int(item.data(ROLE_TOPIC)))
