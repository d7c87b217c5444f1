"""``desktop-search repair``: rebuild a damaged index, keeping what can still be read.

Attach with ``cli.add_command(repair_command)``.
"""

from __future__ import annotations

import json

import click

from desktop_search.core.sanitize import display_name

from .cli_common import data_dir_option, json_option, model_option, translate_errors


@click.command("repair")
@data_dir_option
@model_option
@json_option
@translate_errors
def repair_command(data_dir, model_path, as_json) -> None:
    """Move a damaged index aside and rebuild it from your folders, reusing every vector
    that can still be read (so little is embedded again)."""
    from desktop_search.core.engine import Engine

    report = Engine.repair(data_dir, model_path=model_path)
    if as_json:
        click.echo(json.dumps(report.as_json()))
        return
    if report.damaged_copy is None:
        click.echo("the index is not damaged; brought it up to date")
    else:
        click.echo(
            f"moved the damaged index to {report.damaged_copy}; salvaged "
            f"{report.vectors_salvaged} vectors and {len(report.roots)} folders"
        )
    for root in report.roots_missing:
        click.echo(f"  ! {display_name(root)}: no longer readable; not indexed again", err=True)
    if report.sync is not None:
        s = report.sync
        click.echo(
            f"rebuilt: {s.files_added} files, {s.files_failed} failed; "
            f"embedded {s.passages_embedded} passages"
        )
