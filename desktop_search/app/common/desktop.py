"""Handing a file to the desktop from the app: ``core.service.opener`` first (a PDF at its page, a
folder through xdg-open), then QDesktopServices where no opener could be started.

A URL percent-encodes a path's exact bytes, so a file name that is not valid UTF-8 opens
the very file through Qt too.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from desktop_search.core.service import opener
from desktop_search.core.service.pdf_open import file_url


def local_url(path: str) -> QUrl:
    """A ``file://`` QUrl for ``path`` that keeps its bytes (``QUrl.fromLocalFile`` would
    drop what a str cannot carry into Qt: the surrogates of a name that is not UTF-8)."""
    if os.name == "nt":  # Windows names are UTF-16: a Qt string carries them whole
        return QUrl.fromLocalFile(path)
    return QUrl.fromEncoded(file_url(path).encode("ascii"))


def open_file(path: str, page: int | None = None) -> bool:
    """Open ``path`` (see ``opener.open_file``); without an opener, through Qt."""
    return opener.open_file(path, page) or QDesktopServices.openUrl(local_url(path))


def reveal_in_folder(path: str) -> bool:
    if opener.reveal_in_folder(path):
        return True
    # no xdg-open: let Qt find the desktop's file manager
    return QDesktopServices.openUrl(local_url(os.path.dirname(path) or "."))
