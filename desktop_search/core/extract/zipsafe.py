"""Opening zip-based files (Office, OpenDocument, EPUB, archives) without being bombed.

A few MB of zip can unpack to gigabytes, list millions of members, or reuse one stretch
of compressed bytes for many entries (overlapping entries, CVE-2024-0450, which the
zipfile of Python 3.11.7 does not catch). ``open_zip`` checks the member count, the
declared unpacked total and the entries' layout before anything is inflated, and
``read_member``/``open_member`` count the inflated bytes as they stream (zipfile stops at
the declared size too), so a member that lies about its size is cut there. Each breach is
an ``ExtractionError`` with a one-line reason.
"""

from __future__ import annotations

import io
import struct
import zipfile
from typing import IO

from desktop_search.core.errors import ExtractionError

MAX_MEMBERS = 10_000
MAX_TOTAL_BYTES = 512 * 1024 * 1024  # all members together, as declared
MAX_MEMBER_BYTES = 64 * 1024 * 1024  # one member, as read
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")


class TooLarge(Exception):
    """Raised by a capped stream past its limit (callers turn it into their own message)."""


class Capped(io.RawIOBase):
    """A read-only stream that refuses to give more than ``limit`` bytes."""

    def __init__(self, raw: IO[bytes], limit: int) -> None:
        self.raw, self.left = raw, limit

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.raw.close()
        super().close()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size if size >= 0 else 1 << 16)
        self.left -= len(data)
        if self.left < 0:
            raise TooLarge
        return data


def open_zip(data: bytes, what: str, max_members: int = MAX_MEMBERS) -> zipfile.ZipFile:
    """The archive in ``data``, once its directory has passed the checks; ``what`` names
    the format in the messages (".odt document")."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
        raise ExtractionError(f"corrupt, or not a valid {what}") from exc
    if len(infos) > max_members:
        raise ExtractionError(f"the {what} has more than {max_members:,} members")
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_BYTES:
        raise ExtractionError(f"the {what} expands to more than {MAX_TOTAL_BYTES // 2**20} MB")
    if _overlapping(data, infos, archive.start_dir):
        raise ExtractionError(f"corrupt {what}: overlapping entries (a zip bomb)")
    return archive


def _overlapping(data: bytes, infos: list[zipfile.ZipInfo], directory: int) -> bool:
    """Whether any entry's local header and data run into the next entry or the central
    directory: a well-made zip stores each entry's bytes once, one after another."""
    ends: list[tuple[int, int]] = []
    for info in infos:
        at = info.header_offset
        try:
            fields = _LOCAL_HEADER.unpack_from(data, at)
        except struct.error:
            return True
        name_len, extra_len = fields[-2], fields[-1]
        ends.append((at, at + _LOCAL_HEADER.size + name_len + extra_len + info.compress_size))
    ends.sort()
    for (_, end), (nxt, _) in zip(ends, ends[1:]):
        if end > nxt:
            return True
    return bool(ends) and ends[-1][1] > directory


def member_info(archive: zipfile.ZipFile, name: str, what: str) -> zipfile.ZipInfo:
    try:
        return archive.getinfo(name)
    except KeyError as exc:
        raise ExtractionError(f"corrupt {what}: {name} is missing") from exc


def open_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int = MAX_MEMBER_BYTES
) -> Capped:
    """A stream of one member that raises ``TooLarge`` past ``limit`` inflated bytes;
    refused at once when the member says it is larger."""
    if info.file_size > limit:
        raise TooLarge
    return Capped(archive.open(info), limit)


def read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, what: str, limit: int = MAX_MEMBER_BYTES
) -> bytes:
    """One member's bytes, at most ``limit`` of them, or an ExtractionError that says why."""
    try:
        with open_member(archive, info, limit) as stream:
            return _read_all(stream)
    except TooLarge:
        raise ExtractionError(
            f"the {what}'s {info.filename} expands to more than {limit // 2**20} MB"
        ) from None
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as exc:
        raise ExtractionError(f"corrupt {what}: {info.filename} cannot be unpacked") from exc


def _read_all(stream: Capped) -> bytes:
    parts = []
    while chunk := stream.read(1 << 16):
        parts.append(chunk)
    return b"".join(parts)
