"""Handing a file to the desktop without Qt: open it (a PDF at its page where the viewer
can, see ``pdf_open``) or show it in its folder. The app adds Qt's own opener as a last
resort; the launcher service, which loads no Qt, uses this alone.

Never through a shell: list-argument subprocesses, so a path travels as its exact bytes
(``os.fsencode``) and a file name that is not valid UTF-8 opens the very file.
"""

from __future__ import annotations

import os
import subprocess
import sys

from .pdf_open import open_at_page_command


def spawn(argv: list[str]) -> bool:
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
    """Open ``path`` with the desktop's default application, a PDF at ``page`` when its
    viewer takes a page; False where no opener could be started (not Linux, no xdg-open)."""
    if not sys.platform.startswith("linux"):
        return False
    argv = open_at_page_command(path, page) if page else None
    return bool(argv and spawn(argv)) or spawn(["xdg-open", path])


def reveal_command(path: str, platform: str | None = None) -> list[str]:
    """The command (a list, never a shell string) that shows ``path`` in its folder."""
    platform = platform or sys.platform
    if platform == "darwin":
        return ["open", "-R", path]
    if platform.startswith("win"):
        return ["explorer", f"/select,{os.path.normpath(path)}"]
    return ["xdg-open", os.path.dirname(path) or "."]


def reveal_in_folder(path: str) -> bool:
    return spawn(reveal_command(path))
