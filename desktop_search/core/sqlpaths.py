"""SQL for "this folder or anything inside it", shared by every query that filters by folder.

Paths are stored as text (or raw bytes where a name is not valid UTF-8, see ``db_text``),
so the test is an exact match or a LIKE on the folder's prefix with %, _ and \\ escaped:
a folder named ``a_b`` must not match ``aXb``.
"""

from __future__ import annotations

import os

from .database import db_text


def prefix_like(path: str) -> str:
    """LIKE pattern for everything inside folder ``path`` (with % and _ escaped)."""
    prefix = path.rstrip(os.sep) + os.sep
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def under(column: str = "path") -> str:
    """SQL: ``column`` is the folder itself or anything inside it (args from ``under_args``)."""
    return f"({column} = CAST(? AS TEXT) OR {column} LIKE CAST(? AS TEXT) ESCAPE '\\')"


def under_args(path: str) -> tuple[bytes, bytes]:
    return db_text(path), db_text(prefix_like(path))
