"""One bridge for user-facing messages (vorta/qutebrowser style).

Anything, in any thread, calls ``messages.info/warning/error(text)``; the main window
shows them in the status bar, and problems (a file or folder that failed) go to the
non-modal Problems list. Qt delivers the signals to the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class MessageBridge(QObject):
    #: (level: "info" | "warning" | "error", text)
    message = Signal(str, str)
    #: (path, problem): something the user should know about a file or folder
    problem = Signal(str, str)

    def info(self, text: str) -> None:
        self.message.emit("info", text)

    def warning(self, text: str) -> None:
        self.message.emit("warning", text)

    def error(self, text: str) -> None:
        self.message.emit("error", text)

    def report_problem(self, path: str, text: str) -> None:
        self.problem.emit(path, text)
