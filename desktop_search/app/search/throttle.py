"""Debounce: call a function once input has been quiet for a while (qutebrowser's Throttle idea)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer


class Throttle(QObject):
    """``throttle(*args)`` schedules ``func(*args)`` after ``delay_ms`` of quiet.

    Every call restarts the timer and replaces the arguments, so a burst of calls (a
    person typing) ends in one call with the latest arguments. ``flush()`` runs a pending
    call now (Enter in the search box); ``cancel()`` drops it.
    """

    def __init__(self, func: Callable, delay_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._func = func
        self._args: tuple | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._fire)

    def __call__(self, *args) -> None:
        self._args = args
        self._timer.start()

    @property
    def pending(self) -> bool:
        return self._args is not None

    def flush(self) -> None:
        if self._args is not None:
            self._timer.stop()
            self._fire()

    def cancel(self) -> None:
        self._timer.stop()
        self._args = None

    def _fire(self) -> None:
        args, self._args = self._args, None
        if args is not None:
            self._func(*args)
