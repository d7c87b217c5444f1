"""Opening a PDF at a page: which program the desktop opens PDFs with, and how to ask it for
a page. Plain Python (no Qt), so that the decision is tested on its own.

The default handler comes from ``xdg-mime query default application/pdf``, or where that
tool is missing from the ``mimeapps.list`` files it reads (XDG MIME Applications spec). Its
desktop entry's ``Exec`` line gives the command; the viewers below have a page option:

* evince and its forks (atril, xreader) and GNOME Papers: ``--page-index=N`` (the N-th page;
  ``--page-label`` would take the printed label, which differs in books with a preface);
* okular: ``-p N``; zathura: ``--page=N``; mupdf: the page after the file; qpdfview:
  ``file#N``;
* browsers (pdf.js, Chromium's viewer): the ``file://`` URL with ``#page=N``.

Any other viewer gets None, and the caller opens the file the usual way.
"""

from __future__ import annotations

import configparser
import os
import shlex
import subprocess
import urllib.parse
from collections.abc import Mapping
from pathlib import Path

PDF = "application/pdf"
INDEX_OPTION = frozenset({"evince", "atril", "xreader", "papers"})
BROWSERS = frozenset(
    {
        "firefox",
        "firefox-esr",
        "librewolf",
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
        "brave-browser",
        "microsoft-edge",
        "vivaldi-stable",
        "epiphany",
    }
)
_FIELD_CODES = ("%f", "%F", "%u", "%U")
_DROPPED_CODES = ("%i", "%c", "%k", "%d", "%D", "%n", "%N", "%v", "%m")


def file_url(path: str) -> str:
    """``file://`` URL of a path, percent-encoding its exact bytes (names that are not
    UTF-8 survive)."""
    return "file://" + urllib.parse.quote(os.fsencode(os.path.abspath(path)), safe="/")


def program_of(argv: list[str]) -> str:
    """The viewer's name behind an Exec command: ``env`` settings and a flatpak or snap
    wrapper are looked through (``flatpak run --command=evince org.gnome.Evince``)."""
    args = list(argv)
    while args and (os.path.basename(args[0]) == "env" or "=" in args[0]):
        args.pop(0)
    if not args:
        return ""
    name = os.path.basename(args[0])
    if name == "flatpak":
        for a in args:
            if a.startswith("--command="):
                return os.path.basename(a.split("=", 1)[1]).lower()
        ids = [a for a in args[1:] if not a.startswith("-") and a != "run" and "." in a]
        return ids[0].rsplit(".", 1)[-1].lower() if ids else ""
    return name.lower()


def page_command(exec_line: str, path: str, page: int) -> list[str] | None:
    """The argv that opens ``path`` at ``page`` (1 = the first page) with the program of a
    desktop entry's ``Exec`` line, or None if that program has no page option we know."""
    try:
        argv = shlex.split(exec_line)
    except ValueError:  # unbalanced quotes: not a command we can run safely
        return None
    if not argv or page < 1:
        return None
    program = program_of(argv)
    url = file_url(path) + f"#page={page}"
    if program in INDEX_OPTION:
        options, target = [f"--page-index={page}"], path
    elif program == "okular":
        options, target = ["-p", str(page)], path
    elif program == "zathura":
        options, target = [f"--page={page}"], path
    elif program == "qpdfview":
        options, target = [], f"{path}#{page}"
    elif program == "mupdf":
        options, target = [], path
    elif program in BROWSERS:
        options, target = [], url
    else:
        return None
    out: list[str] = []
    placed = False
    for arg in argv:
        if arg in _FIELD_CODES or arg.startswith("@@"):  # flatpak's file forwarding marks
            if not placed:
                out += options
                placed = True
            if arg in _FIELD_CODES:
                out.append(target)
                if program == "mupdf":
                    out.append(str(page))
            else:
                out.append(arg)
        elif arg not in _DROPPED_CODES:
            out.append(arg.replace("%%", "%"))
    if target not in out:  # an Exec line without a field code: the file goes last
        out += [*(options if not placed else []), target]
        if program == "mupdf":
            out.append(str(page))
    return out


def exec_line(desktop_entry: str) -> str | None:
    """The ``Exec`` key of a desktop entry's main group."""
    parser = configparser.RawConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # keys are case-sensitive
    try:
        parser.read_string(desktop_entry)
    except configparser.Error:
        return None
    return parser.get("Desktop Entry", "Exec", fallback=None)


def _data_dirs(env: Mapping[str, str]) -> list[Path]:
    home = env.get("XDG_DATA_HOME") or os.path.join(env.get("HOME", "~"), ".local/share")
    dirs = env.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share"
    return [Path(os.path.expanduser(home)), *(Path(d) for d in dirs.split(":") if d)]


def _config_dirs(env: Mapping[str, str]) -> list[Path]:
    home = env.get("XDG_CONFIG_HOME") or os.path.join(env.get("HOME", "~"), ".config")
    dirs = env.get("XDG_CONFIG_DIRS") or "/etc/xdg"
    return [Path(os.path.expanduser(home)), *(Path(d) for d in dirs.split(":") if d)]


def desktop_file(entry_id: str, env: Mapping[str, str] = os.environ) -> Path | None:
    """Where the desktop entry ``entry_id`` lives (``kde4-okular.desktop`` may be
    ``kde4/okular.desktop``, as the spec allows)."""
    if not entry_id or "/" in entry_id or entry_id.startswith("."):
        return None
    candidates = [entry_id]
    if "-" in entry_id:
        candidates.append(entry_id.replace("-", "/", 1))
    for base in _data_dirs(env):
        for rel in candidates:
            path = base / "applications" / rel
            if path.is_file():
                return path
    return None


def default_entry(mime: str = PDF, env: Mapping[str, str] = os.environ) -> str | None:
    """The desktop entry id that opens ``mime`` by default: xdg-mime's answer, else what
    the MIME list files say (mimeapps.list, defaults.list, then the installed
    applications' mimeinfo.cache), the first whose entry exists."""
    try:
        out = subprocess.run(
            ["xdg-mime", "query", "default", mime],
            capture_output=True,
            text=True,
            timeout=3,
            env=dict(env),
            check=False,
        ).stdout.strip()
        if out:
            return out.split(";")[0]
    except (OSError, subprocess.SubprocessError):
        pass
    desktops = [d.lower() for d in env.get("XDG_CURRENT_DESKTOP", "").split(":") if d]
    names = [*(f"{d}-mimeapps.list" for d in desktops), "mimeapps.list"]
    lists = [base / n for base in _config_dirs(env) for n in names]
    lists += [d / "applications" / n for d in _data_dirs(env) for n in names]
    apps = [d / "applications" for d in _data_dirs(env)]
    # the spec's order: defaults, then added associations, then what is installed
    for path, section in [
        *((p, "Default Applications") for p in lists),
        *((a / "defaults.list", "Default Applications") for a in apps),
        *((p, "Added Associations") for p in lists),
        *((a / "mimeinfo.cache", "MIME Cache") for a in apps),
    ]:
        for entry in _entries(path, section, mime):
            if desktop_file(entry, env):
                return entry
    return None


def _entries(path: Path, section: str, mime: str) -> list[str]:
    """The desktop entry ids listed for ``mime`` in one section of a MIME list file."""
    parser = configparser.RawConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError, OSError):
        return []
    return [e for e in parser.get(section, mime, fallback="").split(";") if e.strip()]


def open_at_page_command(
    path: str, page: int | None, env: Mapping[str, str] = os.environ
) -> list[str] | None:
    """The command that opens PDF ``path`` at ``page`` with the desktop's default viewer,
    or None when the page cannot be asked for (the caller then opens the file)."""
    if not page or not path.lower().endswith(".pdf"):
        return None
    entry = default_entry(PDF, env)
    where = desktop_file(entry, env) if entry else None
    if where is None:
        return None
    try:
        line = exec_line(where.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return None
    return page_command(line, path, page) if line else None
