"""A reader run in a child process, so that a time limit can stop it and a memory limit
(set by the child itself) cannot take the indexing process down with it: pure-Python
readers can be slow, and a Rust reader aborts the whole process when it runs out."""

from __future__ import annotations

import subprocess

from desktop_search.core.children import source_command
from desktop_search.core.errors import ExtractionError


def run_child(
    source: str, data: bytes, time_limit: float, *, late: str, reader: str
) -> subprocess.CompletedProcess:
    """Run ``source`` with ``data`` on stdin; ``late`` names the file in the time-out
    message ("RTF file", "the .xlsx spreadsheet"), ``reader`` the reader that cannot start.
    The caller reads the exit status, which means something different for each reader."""
    command, env = source_command(source)
    try:
        return subprocess.run(
            command,
            env=env,
            input=data,
            capture_output=True,
            timeout=time_limit,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ExtractionError(f"{late} took longer than {time_limit:g} s to read") from None
    except OSError as exc:
        raise ExtractionError(f"cannot start the {reader} reader: {exc.strerror or exc}") from exc
