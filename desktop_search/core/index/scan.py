"""Walking the user's folders: which files exist, and which of them we index.

A Maildir folder (cur/, new/, tmp/) is one mailbox: the files in its cur/ and new/ are
e-mails whatever their names (they have no suffix), and its tmp/ is never read.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field

from desktop_search.core.extract.dispatch import SUPPORTED_SUFFIXES
from desktop_search.core.extract.maildir import MESSAGE_DIRS, is_maildir, is_maildir_message
from desktop_search.core.extract.ocr import IMAGE_SUFFIXES

ALWAYS_SKIPPED_DIRS = frozenset(
    {".git", "node_modules", "__pycache__", ".hg", ".svn", ".venv", ".tox"}
)


@dataclass(frozen=True)
class FileStat:
    path: str
    size: int
    mtime_ns: int


@dataclass
class ScanRules:
    include: frozenset[str] = SUPPORTED_SUFFIXES  # lower-case suffixes with the dot
    exclude: tuple[str, ...] = ()  # globs, matched against names and root-relative paths
    skip_hidden: bool = True

    @classmethod
    def from_lists(cls, include: Iterable[str] = (), exclude: Iterable[str] = ()) -> ScanRules:
        inc = frozenset(s.lower() if s.startswith(".") else "." + s.lower() for s in include if s)
        return cls(include=inc or SUPPORTED_SUFFIXES, exclude=tuple(e for e in exclude if e))

    def wants_dir(self, name: str, rel: str) -> bool:
        if name in ALWAYS_SKIPPED_DIRS or (self.skip_hidden and name.startswith(".")):
            return False
        return not self._excluded(name, rel)

    def wants_file(self, name: str, rel: str, message: bool = False) -> bool:
        """``message``: the file is a Maildir message, an e-mail whatever its name."""
        if self.skip_hidden and name.startswith("."):
            return False
        suffix = ".eml" if message else os.path.splitext(name)[1].lower()
        if suffix not in self.include:
            return False
        return not self._excluded(name, rel)

    def _excluded(self, name: str, rel: str) -> bool:
        return any(fnmatch.fnmatch(name, g) or fnmatch.fnmatch(rel, g) for g in self.exclude)

    def wants_path(self, root: str, path: str) -> bool:
        """Would a walk of ``root`` reach ``path``? (for watcher events)"""
        rel = os.path.relpath(path, root)
        if rel.startswith(".."):
            return False
        parts = rel.split(os.sep)
        for i, part in enumerate(parts[:-1]):
            if not self.wants_dir(part, os.sep.join(parts[: i + 1])):
                return False
        return self.wants_file(parts[-1], rel, is_maildir_message(path))


def with_images(include: Iterable[str]) -> list[str]:
    """A folder's file types with images added (images are indexed, by OCR, only when
    chosen: recognition costs seconds a picture, and most pictures hold no text)."""
    chosen = ScanRules.from_lists(include).include
    return sorted(chosen | IMAGE_SUFFIXES)


@dataclass
class ScanResult:
    files: list[FileStat] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (folder, message)


def scan(root: str, rules: ScanRules) -> ScanResult:
    """Iterative walk (no recursion limit at 200 levels); symlinked folders are followed once."""
    result = ScanResult()
    seen: set[tuple[int, int]] = set()
    try:
        st = os.stat(root)
    except OSError as exc:
        result.errors.append((root, f"cannot open folder: {exc.strerror or exc}"))
        return result
    seen.add((st.st_dev, st.st_ino))
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            result.errors.append((folder, f"cannot read folder: {exc.strerror or exc}"))
            continue
        mailbox = is_maildir(folder)  # one mailbox: its messages, never its tmp/
        messages = os.path.basename(folder) in MESSAGE_DIRS and is_maildir(os.path.dirname(folder))
        for entry in sorted(entries, key=lambda e: e.name, reverse=True):
            rel = os.path.relpath(entry.path, root)
            try:
                if entry.is_dir(follow_symlinks=True):
                    if not rules.wants_dir(entry.name, rel) or (mailbox and entry.name == "tmp"):
                        continue
                    dst = entry.stat(follow_symlinks=True)
                    key = (dst.st_dev, dst.st_ino)
                    if key in seen:  # symlink loop or a second link to the same folder
                        continue
                    seen.add(key)
                    stack.append(entry.path)
                elif entry.is_file(follow_symlinks=True) and rules.wants_file(
                    entry.name, rel, messages
                ):
                    fst = entry.stat(follow_symlinks=True)
                    if stat.S_ISREG(fst.st_mode):
                        result.files.append(FileStat(entry.path, fst.st_size, fst.st_mtime_ns))
            except OSError:
                continue  # vanished, or a dangling/looping symlink
    result.files.reverse()
    return result
