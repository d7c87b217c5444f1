"""What the app remembers between runs, in a QSettings INI file next to the index.

Keeping it in the data directory means one index, one set of settings (and tests that
use a temporary data directory never touch the user's).
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

DEFAULT_TYPES = ("documents", "web", "text")


class AppSettings:
    def __init__(self, data_dir: Path) -> None:
        try:
            Path(data_dir).mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError:
            pass  # the engine reports an unusable data folder in words
        keep_qt_settings_in(Path(data_dir))
        path = Path(data_dir) / "app-settings.ini"
        _create_private(path)  # Qt rewrites it through a temp file that keeps these bits
        self.qs = QSettings(str(path), QSettings.Format.IniFormat)

    def sync(self) -> None:
        self.qs.sync()

    # -- folders and rules -------------------------------------------------------------

    @property
    def folders(self) -> list[str]:
        return _list(self.qs.value("index/folders", []))

    @folders.setter
    def folders(self, paths: list[str]) -> None:
        self.qs.setValue("index/folders", list(paths))

    @property
    def type_groups(self) -> list[str]:
        value = self.qs.value("index/types", None)
        return list(DEFAULT_TYPES) if value is None else _list(value)

    @type_groups.setter
    def type_groups(self, groups: list[str]) -> None:
        self.qs.setValue("index/types", list(groups))

    @property
    def exclude(self) -> list[str]:
        return _list(self.qs.value("index/exclude", []))

    @exclude.setter
    def exclude(self, patterns: list[str]) -> None:
        self.qs.setValue("index/exclude", list(patterns))

    @property
    def first_run(self) -> bool:
        return not _bool(self.qs.value("app/wizard_done", False))

    def mark_wizard_done(self) -> None:
        self.qs.setValue("app/wizard_done", True)

    # -- window ------------------------------------------------------------------------

    @property
    def mode(self) -> str:
        return str(self.qs.value("search/mode", "hybrid"))

    @mode.setter
    def mode(self, mode: str) -> None:
        self.qs.setValue("search/mode", mode)

    @property
    def rerank(self) -> bool:
        return _bool(self.qs.value("search/rerank", False))

    @rerank.setter
    def rerank(self, on: bool) -> None:
        self.qs.setValue("search/rerank", bool(on))

    def geometry(self) -> QByteArray | None:
        value = self.qs.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    def window_state(self) -> QByteArray | None:
        value = self.qs.value("window/state")
        return value if isinstance(value, QByteArray) else None

    def splitter(self) -> QByteArray | None:
        value = self.qs.value("window/splitter")
        return value if isinstance(value, QByteArray) else None

    def save_window(self, geometry: QByteArray, state: QByteArray, splitter: QByteArray) -> None:
        self.qs.setValue("window/geometry", geometry)
        self.qs.setValue("window/state", state)
        self.qs.setValue("window/splitter", splitter)

    # -- machine -----------------------------------------------------------------------

    @property
    def encoder_speed(self) -> float | None:
        """Passages per second measured on this machine (for the wizard's estimate)."""
        value = self.qs.value("machine/passages_per_s")
        try:
            return float(value) if value is not None else None
        except (TypeError, ValueError):
            return None

    @encoder_speed.setter
    def encoder_speed(self, value: float) -> None:
        self.qs.setValue("machine/passages_per_s", float(value))


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
