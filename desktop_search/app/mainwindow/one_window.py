"""The running app's end of ``core.service.app_socket``: a ``QLocalServer`` in the data folder that
takes a query from a second launch, searches it and raises the window."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from desktop_search.core.service.app_socket import socket_path

log = logging.getLogger(__name__)


class QueryServer(QObject):
    def __init__(self, data_dir: Path, window) -> None:
        super().__init__(window)
        self.window = window
        self.server = QLocalServer(self)
        name = str(socket_path(data_dir))
        QLocalServer.removeServer(name)  # a crashed app's socket (we hold the app lock)
        if not self.server.listen(name):
            log.warning("cannot listen on %s: %s", name, self.server.errorString())
        self.server.newConnection.connect(self._on_connection)

    def _on_connection(self) -> None:
        while self.server.hasPendingConnections():
            sock = self.server.nextPendingConnection()
            sock.readyRead.connect(lambda s=sock: self._on_ready(s))
            sock.disconnected.connect(sock.deleteLater)

    def _on_ready(self, sock: QLocalSocket) -> None:
        if not sock.canReadLine():
            return
        try:
            query = json.loads(bytes(sock.readLine().data()))["query"]
        except (ValueError, KeyError, TypeError):
            sock.disconnectFromServer()
            return
        w = self.window
        if query:
            w.search(query)
        w.showNormal()
        w.raise_()
        w.activateWindow()
        sock.write(json.dumps({"shown": w.search_box.text()}).encode() + b"\n")
        sock.flush()
        sock.disconnectFromServer()

    def close(self) -> None:
        self.server.close()
