"""Repairing the index in a child process, for the app: ``Engine.repair`` does the work
(salvage, then a sync that embeds what was lost), which is too much Python to run beside
the window. Messages back through the pipe: ``("progress", Progress)``, then
``("done", RepairReport)`` or ``("error", text)``.
"""

from __future__ import annotations

import logging
from multiprocessing.connection import Connection

from desktop_search.core.engine.api import Engine

from .priority import leave_a_core_free

log = logging.getLogger(__name__)


def main(conn: Connection, data_dir: str, model_path: str | None = None) -> None:
    leave_a_core_free()
    try:
        report = Engine.repair(
            data_dir, model_path=model_path, progress=lambda p: conn.send(("progress", p))
        )
        conn.send(("done", report))
    except Exception as exc:
        log.exception("repair failed")
        conn.send(("error", str(exc) or type(exc).__name__))
    finally:
        conn.close()
