"""Opening the index database: where it lives, how it is opened, what its errors mean.

A data folder the user cannot write to (read-only on purpose, or another user's) is opened
read-only rather than changed; reading commands never create an index; SQLite's own
failures (a damaged file, a full disk) become one-line errors that say what to do.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from desktop_search.core.errors import StoreError
from desktop_search.core.faults import page_limit

DB_NAME = "index.db"


class DamagedIndexError(StoreError):
    """SQLite found the database file damaged (a disk fault, a bad copy, a crash of the OS)."""

    def __init__(self, path: Path | str | None = None) -> None:
        super().__init__(
            f"the index database{f' {path}' if path else ''} is damaged; run "
            "`desktop-search repair` (it keeps what it can read and rebuilds the rest)"
        )


class DiskFullError(StoreError):
    """The disk filled up mid-run; everything committed so far is kept."""

    def __init__(self, files_done: int) -> None:
        self.files_done = files_done
        super().__init__(f"disk full after {files_done} files; free space and run again")


class NoIndexError(StoreError):
    """A reading command on a data folder that holds no index (nothing is created)."""

    def __init__(self, data_dir: Path | str, hint: str = "") -> None:
        super().__init__(
            f"no index yet in {data_dir}; run `desktop-search index FOLDER` first"
            + (f", {hint}" if hint else "")
        )


class ReadOnlyError(StoreError):
    """A writing command on a data folder the user cannot write to."""

    def __init__(self, data_dir: Path | str, why: str = "") -> None:
        super().__init__(
            f"cannot write to the data folder {data_dir}"
            f"{f' ({why})' if why else ''}: it is read-only or owned by another user; "
            "searching works, indexing needs write access"
        )


class NotIndexedError(StoreError):
    """``forget`` of a path that was never indexed."""


_SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_NOTADB = 11, 13, 26


def is_damage(exc: BaseException) -> bool:
    """SQLite's "malformed" / "not a database": the file itself is bad, not the query."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    return "malformed" in str(exc) or "not a database" in str(exc)


@contextmanager
def damage_is_named(db_path: Path | None = None) -> Iterator[None]:
    """SQLite's "malformed" met in the middle of some work becomes the one-line
    ``DamagedIndexError`` that says what to do."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            raise DamagedIndexError(db_path) from exc
        raise


@contextmanager
def plain_write_errors(files_done: Callable[[], int], db_path: Path | None) -> Iterator[None]:
    """A full disk or a damaged database ends a writing run with one plain error; what
    was committed stays committed (``files_done`` says how much that was)."""
    try:
        with damage_is_named(db_path):
            yield
    except (sqlite3.OperationalError, OSError) as exc:
        if is_disk_full(exc):
            raise DiskFullError(files_done()) from exc
        raise


def is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, DiskFullError):
        return True
    if isinstance(exc, sqlite3.OperationalError):
        code = getattr(exc, "sqlite_errorcode", None)
        return (code & 0xFF == _SQLITE_FULL) if code is not None else "is full" in str(exc)
    return isinstance(exc, OSError) and exc.errno == errno.ENOSPC


def private_dir(path: Path) -> Path:
    """Create a directory readable by the user only (the index holds private text).

    An existing folder is only ever tightened (group and other bits dropped, when it is
    ours); a folder the user made read-only stays read-only, one owned by someone else is
    left alone, and the Store then opens the index read-only.
    """
    try:
        path.mkdir(parents=True, mode=0o700)
    except FileExistsError:
        pass
    except PermissionError as exc:
        raise ReadOnlyError(path.parent, "cannot create the data folder in it") from exc
    st = path.stat()
    if st.st_uid == os.geteuid() and st.st_mode & 0o077:
        os.chmod(path, stat.S_IMODE(st.st_mode) & ~0o077)
    return path


def touch_private(path: Path) -> None:
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    os.chmod(path, 0o600)


def can_write(data_dir: Path) -> bool:
    """Whether this process may change the index in ``data_dir`` (folder and database file)."""
    db = data_dir / DB_NAME
    return os.access(data_dir, os.W_OK | os.X_OK) and (not db.exists() or os.access(db, os.W_OK))


def require_index(data_dir: Path, hint: str = "") -> None:
    """Reading commands call this first, so that they never create an empty index."""
    if not (data_dir / DB_NAME).is_file():
        raise NoIndexError(data_dir, hint)


def db_text(value: str) -> str | bytes:
    """A path as SQL binds it (with ``CAST(? AS TEXT)``): file names that are not valid UTF-8
    (Latin-1 archives) travel as their exact bytes, and come back through the connection's
    surrogateescape text factory as the very ``str`` that ``os.fsdecode`` gives."""
    return value.encode("utf-8", "surrogateescape")


def _decode_text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def connect(path: Path, readonly: bool) -> sqlite3.Connection:
    """A connection; read-only ones use ``mode=ro``, and ``immutable`` when SQLite cannot make
    its WAL side files in a folder nobody here may write (then nobody here changes it)."""
    if not readonly:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        page_limit(conn)
    else:
        uri = "file:" + urllib.parse.quote(str(path)) + "?mode=ro"
        try:
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            conn = sqlite3.connect(
                uri + "&immutable=1", uri=True, isolation_level=None, check_same_thread=False
            )
        conn.execute("PRAGMA busy_timeout=30000")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.text_factory = _decode_text
    return conn
