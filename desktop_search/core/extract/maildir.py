"""Maildir folders: a folder with cur/, new/ and tmp/ is one mailbox, whose messages (files
without a suffix in cur/ and new/) are e-mails; tmp/ holds messages still being delivered.
"""

from __future__ import annotations

import os
from pathlib import Path

MESSAGE_DIRS = ("cur", "new")


def is_maildir(folder: str | os.PathLike) -> bool:
    return all(os.path.isdir(os.path.join(folder, d)) for d in ("cur", "new", "tmp"))


def is_maildir_message(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a message of a Maildir (by where it lies: it has no suffix)."""
    parent = Path(path).parent
    return parent.name in MESSAGE_DIRS and is_maildir(parent.parent)
