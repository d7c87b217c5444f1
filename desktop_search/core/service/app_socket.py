"""One app window per data folder: its lock, and handing a query to it over a local socket.

The first app to start takes ``app.lock`` in the data folder (an ``flock`` held while it
runs, so a crash frees it) and listens on ``app.socket`` beside it (a ``QLocalServer``, a
Unix stream socket). A second launch, or the desktop launcher's "open the app", finds the
lock taken and sends its query instead: one JSON line, answered with one JSON line once the
window shows it. So one app, and so one indexing process, holds the writer lock.

Plain Python sockets, so that the launcher service hands queries over without Qt.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

APP_LOCK = "app.lock"
APP_SOCKET = "app.socket"


class AppLock:
    """Held by the one running app of a data folder."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / APP_LOCK
        self._fd: int | None = None

    def acquire(self) -> bool:
        """True if this process is now the app of the folder; False if another one is."""
        import fcntl

        fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def socket_path(data_dir: Path) -> Path:
    return Path(data_dir) / APP_SOCKET


def hand_over(data_dir: Path, query: str | None, wait_s: float = 20.0) -> dict | None:
    """Send ``query`` (None: just raise the window) to the running app; its answer (what the
    search box now holds), or None if no app answered within ``wait_s`` (one that is still
    starting gets that long to listen)."""
    path = os.fsencode(socket_path(data_dir))
    message = json.dumps({"query": query}).encode() + b"\n"
    deadline = time.monotonic() + wait_s
    while True:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(max(1.0, deadline - time.monotonic()))
                sock.connect(path)
                sock.sendall(message)
                reply = sock.makefile("rb").readline()
            return json.loads(reply) if reply else None
        except (ConnectionRefusedError, FileNotFoundError):
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.1)
        except (OSError, ValueError):
            return None
