"""``desktop-search integrate`` writes the per-user files and ``--remove`` takes them away;
``packaging/`` carries the same files for distributions."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from desktop_search.launcher import integrate
from desktop_search.launcher.names import BUS_NAME

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"


def _run(env: dict, *args: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "desktop_search.cli", "integrate", *args],
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_integrate_writes_the_user_files_and_remove_undoes_them(tmp_path):
    share, data = tmp_path / "share", tmp_path / "data"
    env = {"XDG_DATA_HOME": str(share), "DESKTOP_SEARCH_HOME": str(data)}
    out = _run(env)
    service = share / "dbus-1" / "services" / f"{BUS_NAME}.service"
    runner = share / "krunner" / "dbusplugins" / "desktop-search.desktop"
    app = share / "applications" / "desktop-search.desktop"
    ini = data / integrate.PROVIDER_INI
    for path in (service, runner, app, ini):
        assert path.is_file() and f"wrote {path}" in out
    assert f"launcher --data-dir {data}" in service.read_text()
    assert f"sudo install -Dm644 {ini} /usr/share/gnome-shell/search-providers/" in out
    assert ini.read_text() == (PACKAGING / integrate.PROVIDER_INI).read_text()
    assert runner.read_text() == (PACKAGING / "desktop-search-krunner.desktop").read_text()
    packaged = (PACKAGING / f"{BUS_NAME}.service").read_text()
    assert packaged == integrate.dbus_service("/usr/bin/desktop-search launcher")

    out = _run(env, "--remove")
    for path in (service, runner, app, ini):
        assert not path.exists() and f"removed {path}" in out
