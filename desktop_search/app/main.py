"""Entry point of the desktop app: ``desktop-search`` (no arguments), ``desktop-search gui``,
or ``desktop-search-gui``."""

from __future__ import annotations

import argparse
import multiprocessing
import signal
import sys

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QPixmap
from PySide6.QtWidgets import QApplication, QSplashScreen

from desktop_search.core.engine import has_export, resolve_data_dir
from desktop_search.core.service.app_socket import AppLock, hand_over

APP_NAME = "Desktop Search"


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName("desktop-search")
    app.setDesktopFileName("desktop-search")
    apply_style(app)
    return app


def apply_style(app: QApplication) -> None:
    from desktop_search.app.common.icons import app_icon, resources_dir

    app.setStyle("Fusion")
    app.setWindowIcon(app_icon())
    qss = resources_dir() / "style.qss"
    if qss.exists():
        app.setStyleSheet(qss.read_text(encoding="utf-8"))


def _splash() -> QSplashScreen:
    from desktop_search.app.common.icons import app_icon

    pix = QPixmap(360, 200)
    pix.fill(Qt.GlobalColor.white)
    from PySide6.QtGui import QPainter

    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    app_icon().paint(p, 140, 28, 80, 80)
    font = QFont()
    font.setPointSize(14)
    font.setBold(True)
    p.setFont(font)
    p.drawText(0, 120, 360, 30, Qt.AlignmentFlag.AlignCenter, APP_NAME)
    font.setBold(False)
    font.setPointSize(9)
    p.setFont(font)
    p.setPen(Qt.GlobalColor.darkGray)
    p.drawText(0, 150, 360, 24, Qt.AlignmentFlag.AlignCenter, "Loading the language model…")
    p.end()
    return QSplashScreen(pix)


def run(data_dir=None, *, query: str | None = None, argv: list[str] | None = None) -> int:
    """Open the main window (searching ``query``) and run the event loop; returns the exit
    code. If the data folder's app already runs, hand it the query and raise it instead."""
    folder = resolve_data_dir(data_dir)
    lock = AppLock(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        first = lock.acquire()
    except OSError:  # a data folder we cannot write to: no lock, no socket, one more window
        first = True
    if not first:
        answer = hand_over(folder, query)
        if answer is None:
            print(
                "desktop-search: the open window of this data folder does not answer",
                file=sys.stderr,
            )
            return 1
        print(f"desktop-search: the open window shows {answer.get('shown', '')!r}")
        return 0
    try:
        return _run_window(folder, query, argv)
    finally:
        lock.release()


def _run_window(data_dir, query: str | None, argv: list[str] | None) -> int:
    app = make_app(argv)
    app.setQuitOnLastWindowClosed(False)  # we quit once the workers have stopped
    splash = _splash()
    splash.show()
    app.processEvents()
    # Searching runs the model's ONNX export (core/query_encoder), without torch. With no
    # export yet (a first run) the first query loads torch: import it now, before any
    # window exists, since importing it in a worker thread would hold the GIL for long
    # stretches and stall the interface.
    if not has_export(resolve_data_dir(data_dir)):
        import torch  # noqa: F401
        import transformers  # noqa: F401
    from desktop_search.app.mainwindow.one_window import QueryServer
    from desktop_search.app.mainwindow.window import MainWindow

    try:
        window = MainWindow(data_dir=data_dir)
    except Exception as exc:  # a data directory we cannot create, say
        splash.close()
        print(f"desktop-search: {exc}", file=sys.stderr)
        return 1
    window.controller.shutdownComplete.connect(app.quit)
    server = QueryServer(data_dir, window)
    window.show()
    splash.finish(window)
    if query:
        window.search(query)

    # Ctrl+C in the terminal closes the window cleanly (Python only sees signals when it runs).
    previous = signal.signal(signal.SIGINT, lambda *_: window.close())
    ticker = QTimer()
    ticker.start(300)
    ticker.timeout.connect(lambda: None)
    try:
        return app.exec()
    finally:
        server.close()
        ticker.stop()
        signal.signal(signal.SIGINT, previous)


def main() -> None:
    multiprocessing.freeze_support()  # a bundled app starts its indexing process through here
    parser = argparse.ArgumentParser(
        prog="desktop-search-gui", description="Open the desktop-search app."
    )
    parser.add_argument("--data-dir", help="where the index lives (env DESKTOP_SEARCH_HOME)")
    parser.add_argument("--query", help="search this at once (in the open window, if one is)")
    args, rest = parser.parse_known_args()
    sys.exit(run(data_dir=args.data_dir, query=args.query, argv=[sys.argv[0], *rest]))


if __name__ == "__main__":
    main()
