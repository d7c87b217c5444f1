"""Handing a file to the desktop: open it, or show it in its folder.

Never through a shell: QDesktopServices for files, and a list-argument subprocess for
"reveal" (xdg-open on the folder, ``open -R``, ``explorer /select,``).
"""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices


def open_file(path: str) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(path))


def reveal_command(path: str, platform: str | None = None) -> list[str]:
    """The command (a list, never a shell string) that shows ``path`` in its folder."""
    platform = platform or sys.platform
    if platform == "darwin":
        return ["open", "-R", path]
    if platform.startswith("win"):
        return ["explorer", f"/select,{os.path.normpath(path)}"]
    return ["xdg-open", os.path.dirname(path) or "."]


def reveal_in_folder(path: str) -> bool:
    try:
        subprocess.Popen(
            reveal_command(path),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        return True
    except OSError:  # no xdg-open: let Qt find the desktop's file manager
        return QDesktopServices.openUrl(QUrl.fromLocalFile(os.path.dirname(path)))
