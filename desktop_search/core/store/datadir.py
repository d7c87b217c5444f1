"""Where a data directory is, who may write to it, and where its log goes.

Kept apart from the Engine so that a command that only reads the index (``status``) can
find it without loading the model.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from desktop_search.core.errors import IndexBusyError

from .database import can_write

ENV_HOME = "DESKTOP_SEARCH_HOME"


def resolve_data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    if data_dir:
        return Path(data_dir).expanduser().resolve()
    if os.environ.get(ENV_HOME):
        return Path(os.environ[ENV_HOME]).expanduser().resolve()
    import platformdirs

    return Path(platformdirs.user_data_dir("desktop-search", appauthor=False))


class WriterLock:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "writer.lock"
        self._fh = None

    def acquire(self) -> WriterLock:
        import fcntl

        fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
        fh = os.fdopen(fd, "r+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = fh.read().strip() or "?"
            fh.close()
            raise IndexBusyError(
                f"another desktop-search process (pid {holder}) is indexing {self.path.parent}; "
                "searching works meanwhile, indexing must wait until it finishes"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._fh = fh
        return self

    def release(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def setup_file_logging(data_dir: Path) -> None:
    """Repairs and per-file errors go to a private log in the data directory."""
    path = data_dir / "desktop-search.log"
    root = logging.getLogger("desktop_search")
    if any(getattr(h, "baseFilename", None) == str(path) for h in root.handlers):
        return
    if not can_write(data_dir):  # a read-only data folder: searching logs nothing
        return
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # Libraries' own reports go to the log, not the terminal: pypdf's about damaged PDFs, and
    # whatever any library raises through ``warnings``.
    logging.captureWarnings(True)
    for name in ("pypdf", "py.warnings"):
        lib = logging.getLogger(name)
        lib.addHandler(handler)
        lib.propagate = False
