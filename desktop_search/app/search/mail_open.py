"""Opening a search hit that is one e-mail: the message goes to the desktop's mail program
as a private temporary .eml (``Engine.message_file``), written off the GUI thread (finding
a message means reading its whole mailbox)."""

from __future__ import annotations

import os
import threading

from PySide6.QtCore import QObject, Signal

from desktop_search.app.common.desktop import open_file
from desktop_search.core.engine import Engine
from desktop_search.core.errors import DesktopSearchError
from desktop_search.core.sanitize import display_name


class MessageOpener(QObject):
    failed = Signal(str)  # one line for the message bar

    def open(self, path: str, n: int | None) -> None:
        threading.Thread(target=self._open, args=(path, n), daemon=True).start()

    def _open(self, path: str, n: int | None) -> None:
        try:
            target = Engine.message_file(path, n)
        except DesktopSearchError as exc:
            name = display_name(os.path.basename(path))
            self.failed.emit(f"Cannot open the message in {name}: {exc}")
            return
        if not open_file(str(target)):
            self.failed.emit("No mail program could open the message")
