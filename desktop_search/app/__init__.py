"""The desktop app (PySide6): search window, folder wizard, background indexing and watching.

``from desktop_search.app import MainWindow`` builds the window in-process (tests,
scripts); ``desktop_search.app.main.run()`` is the program.
"""

from __future__ import annotations

__all__ = ["MainWindow"]


def __getattr__(name: str):
    # Lazy, so that `desktop_search.app.main` can set up Qt before the window module loads.
    if name == "MainWindow":
        from desktop_search.app.mainwindow.window import MainWindow

        return MainWindow
    raise AttributeError(name)
