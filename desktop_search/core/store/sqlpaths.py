"""SQL for "this folder or anything inside it", shared by every query that filters by folder.

Paths are stored as text (or raw bytes where a name is not valid UTF-8, see ``db_text``)
and compared by SQLite's BINARY collation, byte by byte. Everything inside folder ``a``
sorts from ``a/`` up to, not including, ``a0`` (``0`` is the byte after ``/``), so the
test is an exact match or that range: exact in case, as Linux file systems are (SQLite's
LIKE would let ``/data/Docs`` take in ``/data/docs``), with no pattern characters to
escape (``%``, ``_`` and ``\\`` in a name are plain bytes), and answered from the path's
index. Where the usual file systems ignore case (Windows, macOS), the test ignores ASCII
case too: a LIKE on the folder's prefix with %, _ and \\ escaped.
"""

from __future__ import annotations

import os
import sys

from .database import db_text

#: The folder test ignores case where the platform's file systems usually do.
FOLDS_CASE = sys.platform in ("win32", "darwin")


def prefix_like(path: str) -> str:
    """LIKE pattern for everything inside folder ``path`` (with % and _ escaped)."""
    prefix = path.rstrip(os.sep) + os.sep
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def under(column: str = "path") -> str:
    """SQL: ``column`` is the folder itself or anything inside it (args from ``under_args``)."""
    if FOLDS_CASE:
        return f"({column} = CAST(? AS TEXT) OR {column} LIKE CAST(? AS TEXT) ESCAPE '\\')"
    inside = f"{column} >= CAST(? AS TEXT) AND {column} < CAST(? AS TEXT)"
    return f"({column} = CAST(? AS TEXT) OR ({inside}))"


def under_args(path: str) -> tuple[bytes, ...]:
    if FOLDS_CASE:
        return db_text(path), db_text(prefix_like(path))
    folder = path.rstrip(os.sep)
    after = chr(ord(os.sep) + 1)  # the first byte past the separator
    return db_text(path), db_text(folder + os.sep), db_text(folder + after)
