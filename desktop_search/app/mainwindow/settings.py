"""What the app remembers between runs, in a QSettings INI file next to the index.

Keeping it in the data directory means one index, one set of settings (and tests that
use a temporary data directory never touch the user's).

The file is read once, at start; after that the window reads from memory and a thread of
its own writes. QSettings saves through a temporary file with two ``fdatasync`` calls,
and while the indexing process commits, a sync can wait on the disk for over 100 ms: the
GUI thread, which sets the measured encoder speed on every batch, must not be the one
that waits.
"""

from __future__ import annotations

import os
import queue
import threading
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

DEFAULT_TYPES = ("documents", "slides", "sheets", "books", "mail", "web", "text", "archives")
"""Checked in the wizard until the person chooses; images (OCR) only when chosen."""


class AppSettings:
    def __init__(self, data_dir: Path) -> None:
        try:
            Path(data_dir).mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError:
            pass  # the engine reports an unusable data folder in words
        keep_qt_settings_in(Path(data_dir))
        path = Path(data_dir) / "app-settings.ini"
        _create_private(path)  # Qt rewrites it through a temp file that keeps these bits
        reader = QSettings(str(path), QSettings.Format.IniFormat)
        self._values = {key: reader.value(key) for key in reader.allKeys()}
        del reader  # from here on only the writer's QSettings touches the file
        self._writer = _Writer(path)

    def _value(self, key: str, default=None):
        return self._values.get(key, default)

    def _set(self, key: str, value) -> None:
        if key in self._values and self._values[key] == value:
            return
        self._values[key] = value
        self._writer.put(key, value)

    def sync(self) -> None:
        """Wait until everything set so far is on disk."""
        self._writer.flush()

    def close(self) -> None:
        """Write what is left and end the writing thread (at quit)."""
        self._writer.close()

    # -- folders and rules -------------------------------------------------------------

    @property
    def folders(self) -> list[str]:
        return _list(self._value("index/folders", []))

    @folders.setter
    def folders(self, paths: list[str]) -> None:
        self._set("index/folders", list(paths))

    @property
    def type_groups(self) -> list[str]:
        value = self._value("index/types", None)
        return list(DEFAULT_TYPES) if value is None else _list(value)

    @type_groups.setter
    def type_groups(self, groups: list[str]) -> None:
        self._set("index/types", list(groups))

    @property
    def exclude(self) -> list[str]:
        return _list(self._value("index/exclude", []))

    @exclude.setter
    def exclude(self, patterns: list[str]) -> None:
        self._set("index/exclude", list(patterns))

    @property
    def first_run(self) -> bool:
        return not _bool(self._value("app/wizard_done", False))

    def mark_wizard_done(self) -> None:
        self._set("app/wizard_done", True)

    # -- window ------------------------------------------------------------------------

    @property
    def mode(self) -> str:
        return str(self._value("search/mode", "hybrid"))

    @mode.setter
    def mode(self, mode: str) -> None:
        self._set("search/mode", mode)

    @property
    def rerank(self) -> bool:
        return _bool(self._value("search/rerank", False))

    @rerank.setter
    def rerank(self, on: bool) -> None:
        self._set("search/rerank", bool(on))

    def geometry(self) -> QByteArray | None:
        value = self._value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    def window_state(self) -> QByteArray | None:
        value = self._value("window/state")
        return value if isinstance(value, QByteArray) else None

    def splitter(self) -> QByteArray | None:
        value = self._value("window/splitter")
        return value if isinstance(value, QByteArray) else None

    def save_window(self, geometry: QByteArray, state: QByteArray, splitter: QByteArray) -> None:
        self._set("window/geometry", geometry)
        self._set("window/state", state)
        self._set("window/splitter", splitter)

    # -- machine -----------------------------------------------------------------------

    @property
    def encoder_speed(self) -> float | None:
        """Passages per second measured on this machine (for the wizard's estimate)."""
        value = self._value("machine/passages_per_s")
        try:
            return float(value) if value is not None else None
        except (TypeError, ValueError):
            return None

    @encoder_speed.setter
    def encoder_speed(self, value: float) -> None:
        self._set("machine/passages_per_s", float(value))


class _Writer:
    """One thread that owns the only QSettings writing the file; what is set while it
    writes is written together, next."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(
            target=self._run, name="desktop-search-settings", daemon=True
        )
        self._thread.start()

    def put(self, key: str, value) -> None:
        self._queue.put((key, value))

    def flush(self, timeout: float = 10.0) -> None:
        if not self._thread.is_alive():  # closed: everything set before was written
            return
        done = threading.Event()
        self._queue.put(done)
        done.wait(timeout)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(10.0)

    def _run(self) -> None:
        qs = QSettings(str(self.path), QSettings.Format.IniFormat)
        while True:
            items = [self._queue.get()]
            while not self._queue.empty():
                items.append(self._queue.get())
            for item in items:
                if isinstance(item, tuple):
                    qs.setValue(*item)
            qs.sync()
            for item in items:
                if isinstance(item, threading.Event):
                    item.set()
            if None in items:
                return


def keep_qt_settings_in(data_dir: Path) -> None:
    """Qt's own per-user settings (the file dialog's history: ``QtProject.conf``) go to the
    data folder, private, instead of ``~/.config``: the app writes nothing outside it."""
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(data_dir))
    _create_private(data_dir / "QtProject.conf")


def _create_private(path: Path) -> None:
    try:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    except OSError:  # a read-only data folder: Qt cannot write there either
        pass


def _list(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _bool(value) -> bool:
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return bool(value)
