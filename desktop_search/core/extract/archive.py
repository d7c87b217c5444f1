"""Zip archives: each member that the index reads becomes a span of the archive's text.

Members are read in memory, one at a time, and never unpacked to disk. ``zipsafe`` checks
the archive before anything is inflated (member count, declared total, overlapping
entries: the zip bomb of CVE-2024-0450 that Python 3.11.7's zipfile lets through) and
caps each member as it streams. Reading stops with a plain reason past the unpacked total
or the time limit, so one archive can neither fill the memory nor hold up the indexer.
A member is read by the extractor its name picks; a container inside (an archive or a
mailbox) shows its own members only to ``extract.MAX_NESTING`` levels. "Open" unpacks the
one member asked for into a private temporary folder (``extract_member``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from desktop_search.core.errors import ExtractionError

from .extracted import MAX_SECONDS, Budget, Extracted, join_spans
from .zipsafe import MAX_MEMBER_BYTES, member_info, open_zip, read_member

WHAT = "zip archive"
#: All members read, together: 30 MB of text members peaked at 186 MB RSS in a child
#: process (60 MB at 369 MB), and one file's extraction must stay under 300 MB.
MAX_READ_BYTES = 32 * 1024 * 1024
#: Separates the archive from the member in what results show: ``a.zip ▸ docs/b.pdf``.
ARROW = " ▸ "

Reader = Callable[[bytes, str], "Extracted | None"]
"""Reads one member (bytes, member path) to its text, or None when its type is not indexed;
raises ExtractionError when the member cannot be read."""


def zip_text(data: bytes, read: Reader | None, max_seconds: float = MAX_SECONDS) -> Extracted:
    """One span of kind "member" per member read, labelled with its path in the archive.

    ``read`` is None past the nesting limit: the archive then lists its members' names
    (still searchable by name) without opening them."""
    archive = open_zip(data, WHAT)
    budget = Budget(WHAT, max_seconds)
    pieces: list[tuple[str, int | None, str | None, str | None]] = []
    total = 0
    for n, info in enumerate(archive.infolist(), start=1):
        if info.is_dir():
            continue
        budget.check()
        name = info.filename
        if read is None:
            pieces.append((name, n, "member", name))
            continue
        total += info.file_size
        if total > MAX_READ_BYTES:
            raise ExtractionError(f"the {WHAT} expands to more than {MAX_READ_BYTES // 2**20} MB")
        body = read_member(archive, info, WHAT, MAX_READ_BYTES)  # damage here fails the archive
        try:
            doc = read(body, name)
        except ExtractionError as exc:  # one unreadable member costs only itself
            pieces.append((f"{name}\n(not read: {exc})", n, "member", name))
            continue
        if doc is not None:
            pieces.append((f"{name}\n{budget.take(doc.text)}", n, "member", name))
    if not pieces:
        raise ExtractionError(f"the {WHAT} holds no file of a type that is indexed")
    return join_spans(pieces, "zip")


def member_display(archive: str, member: str) -> str:
    """``archive.zip ▸ folder/report.pdf``"""
    return f"{archive}{ARROW}{member}"


def extract_member(archive_path: str | os.PathLike, member: str) -> Path:
    """Unpack one member into a new private temporary folder (mode 0700) and return its
    path: what "Open" hands to the desktop. Only the member's base name is used on disk,
    so a name like ``../../x`` cannot write outside the folder."""
    try:
        data = Path(archive_path).read_bytes()
    except OSError as exc:
        raise ExtractionError(f"cannot read the archive: {exc.strerror or exc}") from exc
    archive = open_zip(data, WHAT)
    info = member_info(archive, member, WHAT)
    body = read_member(archive, info, WHAT, MAX_MEMBER_BYTES)
    name = PurePosixPath(member.replace("\\", "/")).name or "member"
    folder = Path(tempfile.mkdtemp(prefix="desktop-search-member-"))
    target = folder / name
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(body)
    return target
