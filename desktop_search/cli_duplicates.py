"""``desktop-search duplicates``: exact and near-duplicate passages or files.

Attach with ``cli.add_command(duplicates_command)``. The JSON output is a public interface:

    {"level": str, "threshold": float,
     "groups": [{"score": float,
                 "members": [{"path": str, "page": int|null, "start": int|null,
                              "end": int|null, "text": str|null}]}]}

At file level, start, end and text are null (page too).
"""

from __future__ import annotations

import json

import click

from .cli_common import data_dir_option, json_option, open_engine, translate_errors
from .core.duplicates import DEFAULT_MIN_CONTAINMENT, DEFAULT_THRESHOLD, LEVELS, MIN_THRESHOLD


@click.command("duplicates")
@click.option(
    "--level",
    type=click.Choice(LEVELS),
    default="passage",
    show_default=True,
    help="Near-duplicate passages, or files (exact copies, edited copies, files that contain others).",
)
@click.option(
    "--threshold",
    type=click.FloatRange(MIN_THRESHOLD, 1.0),
    default=DEFAULT_THRESHOLD,
    show_default=True,
    help="Cosine similarity from which two passages count as duplicates.",
)
@click.option(
    "--in",
    "folder",
    type=click.Path(file_okay=False),
    help="Only duplicates whose members are all under this folder.",
)
@click.option(
    "--min-containment",
    type=click.FloatRange(0.0, 1.0),
    default=DEFAULT_MIN_CONTAINMENT,
    show_default=True,
    help="File level: share of a file that must be covered by the other.",
)
@click.option(
    "--limit", type=click.IntRange(1), default=None, help="Show at most this many groups."
)
@data_dir_option
@json_option
@translate_errors
def duplicates_command(level, threshold, folder, min_containment, limit, data_dir, as_json) -> None:
    """Find duplicate and re-worded passages or files in the index."""
    from .core.duplicates import DuplicateFinder

    engine = open_engine(data_dir, writer=False)
    try:
        finder = DuplicateFinder.for_engine(engine)
        report = finder.scan(level, threshold, folder=folder, min_containment=min_containment)
    finally:
        engine.close()
    if limit is not None:
        report.groups = report.groups[:limit]
    if as_json:
        click.echo(json.dumps(report.as_json()))
        return
    if not report.groups:
        click.echo(f"no duplicates at threshold {threshold:.2f}")
        return
    for n, g in enumerate(report.groups, 1):
        click.echo(click.style(f"{n}. {_describe(g)}", fg="cyan"))
        for m in g.members:
            where = f" p.{m.page}" if m.page else ""
            click.echo(f"   {m.path}{where}")
            if m.text:
                snippet = " ".join(m.text.split())
                click.echo(f"      {snippet[:160]}{'…' if len(snippet) > 160 else ''}")


def _describe(group) -> str:
    size = len(group.members)
    if group.kind == "same-file":
        return f"{size} identical files"
    if group.kind in ("contains", "similar"):
        a_in_b = group.detail.get("a_in_b", 0.0)
        b_in_a = group.detail.get("b_in_a", 0.0)
        if group.kind == "contains":
            return (
                f"the first is contained in the second: {a_in_b:.0%} of the first is in the second, "
                f"{b_in_a:.0%} of the second in the first"
            )
        return (
            f"edited copies: {a_in_b:.0%} of the first is in the second, {b_in_a:.0%} the other way"
        )
    what = "identical passages" if group.kind == "exact" else "similar passages"
    return f"{size} {what} (score {group.score:.3f})"
