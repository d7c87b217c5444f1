"""``desktop-search integrate``: the files that make the desktop's launchers find us.

Per user, written here: the D-Bus service file (so the bus starts the service on the
first search), KRunner's D-Bus plugin entry, and the app's desktop entry (GNOME names a
provider by its app). GNOME Shell reads provider ``.ini`` files only from the system data
folders, so that one file is written into the data folder and the root command that
installs it is printed. ``packaging/`` carries the same files for distributions.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from desktop_search.core.children import cli_command

from .names import BUS_NAME, GNOME_PATH, KRUNNER_PATH

GNOME_PROVIDERS = Path("/usr/share/gnome-shell/search-providers")
PROVIDER_INI = "desktop-search-search-provider.ini"
APP_ID = "desktop-search.desktop"


def data_home(env=os.environ) -> Path:
    return Path(env.get("XDG_DATA_HOME") or Path(env.get("HOME", "~"), ".local/share")).expanduser()


def service_command(data_dir: Path | None) -> str:
    """How the bus starts the service: this interpreter, so a virtual environment works."""
    argv = cli_command("launcher")
    if data_dir is not None:
        argv += ["--data-dir", str(data_dir)]
    return shlex.join(argv)


def dbus_service(command: str) -> str:
    return f"[D-BUS Service]\nName={BUS_NAME}\nExec={command}\n"


def krunner_entry() -> str:
    return (
        "[Desktop Entry]\nType=Service\nName=Desktop Search\n"
        "Comment=Search your documents by what they mean\nIcon=system-search\n"
        "X-KDE-ServiceTypes=Plasma/Runner\nX-KDE-PluginInfo-Name=desktop-search\n"
        "X-KDE-PluginInfo-EnabledByDefault=true\nX-Plasma-API=DBus\n"
        f"X-Plasma-DBusRunner-Service={BUS_NAME}\nX-Plasma-DBusRunner-Path={KRUNNER_PATH}\n"
    )


def gnome_provider() -> str:
    return (
        f"[Shell Search Provider]\nDesktopId={APP_ID}\nBusName={BUS_NAME}\n"
        f"ObjectPath={GNOME_PATH}\nVersion=2\n"
    )


def app_entry(data_dir: Path | None) -> str:
    gui = cli_command("gui")
    if data_dir is not None:
        gui += ["--data-dir", str(data_dir)]
    return (
        "[Desktop Entry]\nType=Application\nName=Desktop Search\n"
        "Comment=Find your documents by what they mean\n"
        f"Exec={shlex.join(gui)}\nIcon=system-search\nTerminal=false\nCategories=Utility;\n"
    )


def user_files(data_dir: Path | None, env=os.environ) -> dict[Path, str]:
    home = data_home(env)
    return {
        home / "dbus-1" / "services" / f"{BUS_NAME}.service": dbus_service(
            service_command(data_dir)
        ),
        home / "krunner" / "dbusplugins" / "desktop-search.desktop": krunner_entry(),
        home / "applications" / APP_ID: app_entry(data_dir),
    }


def install(data_dir: Path | None, provider_dir: Path, env=os.environ) -> tuple[list[Path], str]:
    """Write the per-user files and the provider file (in ``provider_dir``); the written
    paths, and the root command that puts the provider where GNOME Shell reads it."""
    written = []
    for path, text in user_files(data_dir, env).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    provider_dir.mkdir(parents=True, exist_ok=True)
    ini = provider_dir / PROVIDER_INI
    ini.write_text(gnome_provider(), encoding="utf-8")
    written.append(ini)
    target = GNOME_PROVIDERS / PROVIDER_INI
    return written, f"sudo install -Dm644 {shlex.quote(str(ini))} {shlex.quote(str(target))}"


def remove(provider_dir: Path, env=os.environ) -> tuple[list[Path], str | None]:
    """Remove what ``install`` wrote; the root command for GNOME's copy, if there is one."""
    removed = []
    for path in [*user_files(None, env), provider_dir / PROVIDER_INI]:
        if path.exists():
            path.unlink()
            removed.append(path)
    target = GNOME_PROVIDERS / PROVIDER_INI
    return removed, (f"sudo rm -f {shlex.quote(str(target))}" if target.exists() else None)
