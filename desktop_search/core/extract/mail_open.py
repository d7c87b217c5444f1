"""Opening one e-mail in the desktop's mail program: a message inside an mbox (or a
Maildir message, which has no suffix) is written as a private temporary .eml, which the
mail handler opens as it opens any saved message.

The copies go in one private folder per process (mode 0700, files 0600) and are removed
when the process ends; the mail program may still be reading them until then.
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import tempfile
from pathlib import Path

from desktop_search.core.errors import ExtractionError

from .dispatch import kind_of
from .mail import mbox_messages

_folder: Path | None = None


def message_file(path: str, n: int | None = None) -> Path:
    """A file the mail handler can open for message ``n`` (1-based) of ``path``: the file
    itself for an .eml, else a private temporary copy of that message."""
    kind = kind_of(path)
    if kind not in ("email", "mbox"):
        raise ExtractionError("not an e-mail or a mailbox")
    if Path(path).suffix.lower() == ".eml":
        return Path(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ExtractionError(f"cannot read the mailbox: {exc.strerror or exc}") from exc
    if kind == "mbox":
        messages = mbox_messages(data)
        found = next(itertools.islice(messages, n - 1, None), None) if n and n > 0 else None
        if found is None:
            raise ExtractionError("the message is no longer in the mailbox")
        data = found
    out = _private_folder() / f"message-{len(os.listdir(_private_folder())) + 1}.eml"
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return out


def _private_folder() -> Path:
    global _folder
    if _folder is None:
        _folder = Path(tempfile.mkdtemp(prefix="desktop-search-mail-"))  # mode 0700
        atexit.register(shutil.rmtree, _folder, True)
    return _folder
