"""Handing a file to the desktop: open it (a PDF at the matching page where the viewer can),
or show it in its folder.

Never through a shell: QDesktopServices for files, and a list-argument subprocess for a
viewer asked for a page and for "reveal" (xdg-open on the folder, ``open -R``,
``explorer /select,``). Paths travel as their exact bytes: a URL percent-encodes them and
a subprocess argument is encoded back by ``os.fsencode``, so a file name that is not
valid UTF-8 opens the very file.
"""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from .pdf_open import file_url, open_at_page_command


def local_url(path: str) -> QUrl:
    """A ``file://`` QUrl for ``path`` that keeps its bytes (``QUrl.fromLocalFile`` would
    drop what a str cannot carry into Qt: the surrogates of a name that is not UTF-8)."""
    if os.name == "nt":  # Windows names are UTF-16: a Qt string carries them whole
        return QUrl.fromLocalFile(path)
    return QUrl.fromEncoded(file_url(path).encode("ascii"))


def _spawn(argv: list[str]) -> bool:
    try:
        subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        return True
    except OSError:
        return False


def open_file(path: str, page: int | None = None) -> bool:
    """Open ``path`` with the desktop's default application; a PDF at ``page`` when its
    viewer takes a page (see ``pdf_open``). On Linux through ``xdg-open`` (what Qt runs
    too, outside a sandbox); without it, through Qt."""
    if sys.platform.startswith("linux"):
        argv = open_at_page_command(path, page) if page else None
        if argv and _spawn(argv):
            return True
        if _spawn(["xdg-open", path]):
            return True
    return QDesktopServices.openUrl(local_url(path))


def reveal_command(path: str, platform: str | None = None) -> list[str]:
    """The command (a list, never a shell string) that shows ``path`` in its folder."""
    platform = platform or sys.platform
    if platform == "darwin":
        return ["open", "-R", path]
    if platform.startswith("win"):
        return ["explorer", f"/select,{os.path.normpath(path)}"]
    return ["xdg-open", os.path.dirname(path) or "."]


def reveal_in_folder(path: str) -> bool:
    if _spawn(reveal_command(path)):
        return True
    # no xdg-open: let Qt find the desktop's file manager
    return QDesktopServices.openUrl(local_url(os.path.dirname(path) or "."))
