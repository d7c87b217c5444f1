"""``desktop-search launcher`` (the D-Bus service) and ``desktop-search integrate``."""

from __future__ import annotations

from pathlib import Path

import click

from .cli_common import data_dir_option, translate_errors


@click.command("launcher")
@data_dir_option
@translate_errors
def launcher_command(data_dir) -> None:
    """Serve GNOME Shell's and KRunner's searches on the session bus (started by D-Bus)."""
    from desktop_search.launcher.service import main

    main(data_dir)


@click.command("integrate")
@click.option("--remove", is_flag=True, help="Undo it: remove every file integrate wrote.")
@data_dir_option
@translate_errors
def integrate_command(remove, data_dir) -> None:
    """Make GNOME Shell's overview and KRunner search your documents."""
    from desktop_search.core.engine import resolve_data_dir

    from .launcher import integrate

    folder = resolve_data_dir(data_dir)
    if remove:
        removed, root = integrate.remove(folder)
        for path in removed:
            click.echo(f"removed {path}")
        if root:
            click.echo(f"GNOME Shell: to remove its search provider, run as root:\n  {root}")
        return
    written, root = integrate.install(Path(data_dir) if data_dir else None, folder)
    for path in written:
        click.echo(f"wrote {path}")
    click.echo("KRunner: ready (restart it or log in again if it was running).")
    click.echo(f"GNOME Shell: reads search providers from a system folder; run as root:\n  {root}")
