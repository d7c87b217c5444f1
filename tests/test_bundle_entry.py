"""A PyInstaller bundle's executable runs the CLI and takes no ``-m`` or ``-c``: the
program starts itself again with CLI arguments alone, and a reader's child gets its source
in an environment variable that ``cli.main`` runs first. Emulated with an entry script that
marks the interpreter frozen, as the bundle's bootloader does; the reader is the real one."""

from __future__ import annotations

import os
import subprocess
import sys

from desktop_search.core import children
from desktop_search.core.extract import rtf

RTF = rb"{\rtf1\ansi {\b Lighthouse} keepers trimmed the wicks at midnight.\par}"
WORDS = ["Lighthouse", "keepers", "trimmed", "the", "wicks", "at", "midnight."]


def test_a_bundle_runs_a_readers_source_and_its_cli_through_one_entry_point(tmp_path):
    entry = tmp_path / "bundle.py"
    entry.write_text("import sys\nsys.frozen = True\nfrom desktop_search.cli import main\nmain()\n")
    env = {**os.environ, children.SOURCE_VARIABLE: rtf._CHILD}
    done = subprocess.run(
        [sys.executable, str(entry)], input=RTF, env=env, capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert done.stdout.decode().split() == [
        "Lighthouse",
        "keepers",
        "trimmed",
        "the",
        "wicks",
        "at",
        "midnight.",
    ]
    cli = subprocess.run(
        [sys.executable, str(entry), "--help"], capture_output=True, text=True, timeout=120
    )
    assert cli.returncode == 0 and "Usage: desktop-search" in cli.stdout


def test_commands_in_a_bundle_and_installed(monkeypatch):
    assert children.cli_command("gui") == [sys.executable, "-m", "desktop_search.cli", "gui"]
    command, env = children.source_command("print(1)")
    assert command == [sys.executable, "-I", "-c", "print(1)"] and env is None
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert children.cli_command("launcher") == [sys.executable, "launcher"]
    command, env = children.source_command("print(1)")
    assert command == [sys.executable] and env[children.SOURCE_VARIABLE] == "print(1)"
