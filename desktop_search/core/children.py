"""How this program starts itself again: the CLI for the launcher and the app's desktop
entry, Python source for a reader's child process.

Installed, the program is this interpreter running ``desktop_search.cli``. In a PyInstaller
bundle ``sys.executable`` is the bundle, which runs the CLI and takes no ``-m`` or ``-c``:
it is started with the CLI's arguments alone, and a reader's source travels in
``SOURCE_VARIABLE``, which ``cli.main`` runs before anything else.
"""

from __future__ import annotations

import os
import sys

SOURCE_VARIABLE = "DESKTOP_SEARCH_READER_SOURCE"


def bundled() -> bool:
    return bool(getattr(sys, "frozen", False))


def cli_command(*args: str) -> list[str]:
    """The command line of ``desktop-search ARGS`` as this program runs."""
    if bundled():
        return [sys.executable, *args]
    return [sys.executable, "-m", "desktop_search.cli", *args]


def source_command(source: str) -> tuple[list[str], dict[str, str] | None]:
    """(command, environment or None for this one's) that runs Python ``source`` isolated
    from the user's site and environment variables where the interpreter allows it."""
    if bundled():
        return [sys.executable], {**os.environ, SOURCE_VARIABLE: source}
    return [sys.executable, "-I", "-c", source], None


def run_reader_source() -> None:
    """In a bundle's reader child: run the source it was started for, then exit."""
    source = os.environ.pop(SOURCE_VARIABLE, None)
    if source is None:
        return
    exec(compile(source, "<reader>", "exec"), {"__name__": "__main__"})  # noqa: S102
    sys.exit(0)
