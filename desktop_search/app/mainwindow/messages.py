"""One path for user-facing messages (vorta/qutebrowser style).

Anything, in any thread, calls ``messages.info/warning/error(text)``; the main window
shows them in the status bar (the only code that writes a status-bar message), and
problems (a file or folder that failed) go to the non-modal Problems list. Qt delivers
the signals to the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

#: How long each level stays in the status bar, in milliseconds.
SHOW_MS = {"info": 5000, "warning": 12000, "error": 12000}


class MessageBridge(QObject):
    #: (level: "info" | "warning" | "error", text, milliseconds to show it)
    message = Signal(str, str, int)
    #: (path, problem): something the user should know about a file or folder
    problem = Signal(str, str)

    def info(self, text: str, ms: int = SHOW_MS["info"]) -> None:
        self.message.emit("info", text, ms)

    def warning(self, text: str, ms: int = SHOW_MS["warning"]) -> None:
        self.message.emit("warning", text, ms)

    def error(self, text: str, ms: int = SHOW_MS["error"]) -> None:
        self.message.emit("error", text, ms)

    def report_problem(self, path: str, text: str) -> None:
        self.problem.emit(path, text)
