"""Paints a result row: icon, name, folder and date, the snippet with highlights, a score bar."""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QPainter,
    QPalette,
    QTextDocument,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from .model import Entry, entry_at

FILE_ROW_HEIGHT = 84
PASSAGE_ROW_HEIGHT = 52
PAD = 8
ICON = 32
BAR_W = 54


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    return QColor(
        round(a.red() + (b.red() - a.red()) * t),
        round(a.green() + (b.green() - a.green()) * t),
        round(a.blue() + (b.blue() - a.blue()) * t),
    )


class ResultDelegate(QStyledItemDelegate):
    """Snippet layouts are cached: repaints (hover, scrolling, selection) cost no text layout.

    PySide6 6.11 takes a reference to None, for good, at each first call of a virtual method
    on a new object: 6 for every QPainter begun on a new image or pixmap, 3 for every new
    QTextDocument. A row drawn into a fresh pixmap made None's count climb by ~50 a scroll
    (issue 23's soak). So rows are drawn into one scratch image and copied out, and the
    cache's oldest snippet document is reused for a new snippet instead of a new one made.
    """

    CACHE_SIZE = 256

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._docs: OrderedDict[tuple, QTextDocument] = OrderedDict()
        self._rows: OrderedDict[tuple, QImage] = OrderedDict()
        self._scratch = QImage()

    def _document(self, html: str, width: float, font: QFont, colour: QColor) -> QTextDocument:
        key = (html, round(width), font.key(), colour.rgba())
        doc = self._docs.get(key)
        if doc is not None:
            self._docs.move_to_end(key)
            return doc
        if len(self._docs) >= self.CACHE_SIZE:  # the oldest document, reused
            doc = self._docs.popitem(last=False)[1]
        else:
            doc = QTextDocument()
            doc.setDocumentMargin(0)
        doc.setDefaultFont(font)
        doc.setTextWidth(width)
        doc.setHtml(f'<span style="color:{colour.name()};">{html}</span>')
        self._docs[key] = doc
        return doc

    def _row_image(self, w: int, h: int, dpr: float, draw) -> QImage:
        """``draw(painter)`` into the scratch image, copied out at ``w`` x ``h``."""
        pw, ph = max(1, round(w * dpr)), max(1, round(h * dpr))
        if self._scratch.width() < pw or self._scratch.height() < ph:  # room to grow:
            self._scratch = QImage(  # a window dragged wider needs no new image per pixel
                max(pw + 512, self._scratch.width()),
                max(ph + 64, self._scratch.height()),
                QImage.Format.Format_ARGB32_Premultiplied,
            )
        self._scratch.setDevicePixelRatio(dpr)
        self._scratch.fill(Qt.GlobalColor.transparent)
        p = QPainter(self._scratch)
        draw(p)
        p.end()
        image = self._scratch.copy(0, 0, pw, ph)
        image.setDevicePixelRatio(dpr)
        return image

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        entry = entry_at(index)
        h = FILE_ROW_HEIGHT if entry is None or entry.is_file else PASSAGE_ROW_HEIGHT
        return QSize(max(200, option.rect.width()), h)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        """Rows are drawn once into an image and reused: a repaint is one call per row, which
        keeps the GUI thread's share of the GIL small while workers run Python. The row is read
        from the model in Python (``entry_at``), never through QVariant roles."""
        entry = entry_at(index)
        if entry is None:
            return
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        w, h = option.rect.width(), option.rect.height()
        dpr = painter.device().devicePixelRatioF() if painter.device() else 1.0
        key = (
            entry.result.path,
            entry.hit.id,
            entry.snippet,
            round(entry.score * 100),
            selected,
            hovered,
            w,
            h,
            dpr,
            option.palette.cacheKey(),
            option.font.key(),
        )
        image = self._rows.get(key)
        if image is None:
            opt = QStyleOptionViewItem(option)
            opt.rect = QRect(0, 0, w, h)
            image = self._row_image(
                w, h, dpr, lambda p: self._paint_row(p, opt, entry, selected, hovered)
            )
            self._rows[key] = image
            while len(self._rows) > self.CACHE_SIZE:
                self._rows.popitem(last=False)
        else:
            self._rows.move_to_end(key)
        painter.drawImage(option.rect.topLeft(), image)

    def _paint_row(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        entry: Entry,
        selected: bool,
        hovered: bool,
    ) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal: QPalette = option.palette
        rect = QRectF(option.rect).adjusted(2, 2, -4, -2)
        base = pal.color(QPalette.ColorRole.Base)
        accent = pal.color(QPalette.ColorRole.Highlight)
        text_c = pal.color(QPalette.ColorRole.Text)
        dim = _mix(text_c, base, 0.45)
        if selected:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(_mix(base, accent, 0.16))
            painter.drawRoundedRect(rect, 6, 6)
            painter.setBrush(accent)
            painter.drawRoundedRect(
                QRectF(rect.left(), rect.top() + 6, 3, rect.height() - 12), 1.5, 1.5
            )
        elif hovered:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(_mix(base, text_c, 0.05))
            painter.drawRoundedRect(rect, 6, 6)

        is_file = entry.is_file
        font = QFont(option.font)
        small = QFont(option.font)
        small.setPointSizeF(max(7.0, font.pointSizeF() * 0.9))
        x = rect.left() + PAD
        right = rect.right() - PAD
        y = rect.top() + PAD - 1

        if is_file:
            icon = entry.icon()
            if icon is not None:
                icon.paint(painter, int(x), int(y + 4), ICON, ICON)
            x += ICON + 10
            # score bar, right-aligned on the title line
            score = entry.score
            bar = QRectF(right - BAR_W, y + 7, BAR_W, 5)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(_mix(base, text_c, 0.12))
            painter.drawRoundedRect(bar, 2.5, 2.5)
            painter.setBrush(_mix(QColor("#2f9e8f"), accent, 0.35))
            painter.drawRoundedRect(
                QRectF(bar.left(), bar.top(), max(5.0, BAR_W * score), 5), 2.5, 2.5
            )
            # name
            bold = QFont(font)
            bold.setBold(True)
            bold.setPointSizeF(font.pointSizeF() * 1.05)
            painter.setFont(bold)
            painter.setPen(text_c)
            fm = QFontMetrics(bold)
            name = fm.elidedText(
                entry.title,
                Qt.TextElideMode.ElideMiddle,
                int(right - BAR_W - 12 - x),
            )
            painter.drawText(
                QRectF(x, y, right - BAR_W - 12 - x, fm.height()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                name,
            )
            y += fm.height() + 2
            # folder · modified · more
            painter.setFont(small)
            sfm = QFontMetrics(small)
            extra = [entry.file.modified]
            if entry.span:
                extra.append(entry.span)
            more = entry.more
            if more:
                extra.append(f"{more} more matching passage{'s' if more > 1 else ''}")
            tail = "  ·  " + "  ·  ".join(e for e in extra if e)
            tail_w = sfm.horizontalAdvance(tail)
            folder = sfm.elidedText(
                entry.file.folder,
                Qt.TextElideMode.ElideMiddle,
                int(max(40, right - x - tail_w)),
            )
            painter.setPen(dim)
            painter.drawText(
                QRectF(x, y, right - x, sfm.height()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                folder + tail,
            )
            y += sfm.height() + 3
        else:
            painter.setFont(small)
            sfm = QFontMetrics(small)
            page = entry.hit.page
            label = f"p. {page}" if page else _short(entry.span)
            painter.setPen(dim)
            painter.drawText(QRectF(x, y + 1, 34, sfm.height()), Qt.AlignmentFlag.AlignLeft, label)
            x += 38

        self._draw_snippet(
            painter,
            entry.snippet,
            QRectF(x, y, right - x, rect.bottom() - y - 4),
            option,
            dim if not is_file else _mix(text_c, base, 0.2),
        )
        painter.restore()

    def _draw_snippet(
        self, painter: QPainter, html: str, area: QRectF, option, colour: QColor
    ) -> None:
        doc = self._document(html, area.width(), option.font, colour)
        painter.save()
        painter.translate(area.topLeft())
        line = QFontMetrics(option.font).lineSpacing()
        clip = QRectF(0, 0, area.width(), max(1, int(area.height() // line)) * line)
        painter.setClipRect(clip)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        ctx.clip = clip
        doc.documentLayout().draw(painter, ctx)
        painter.restore()


def _short(span: str | None) -> str:
    """A span in the passage row's narrow margin: "sl. 7" for a slide, else a dot (the
    file row above names sheets and messages in full)."""
    if span and span.startswith("slide "):
        return "sl. " + span[6:]
    return "·"
