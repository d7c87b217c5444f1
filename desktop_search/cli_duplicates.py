"""``desktop-search duplicates``: exact and near-duplicate passages or files.

Attach with ``cli.add_command(duplicates_command)``. The JSON output is a public interface:

    {"level": str, "threshold": float,
     "groups": [{"score": float, "kind": "identical"|"edited"|"reordered"|"paraphrase",
                 "members": [{"path": str, "page": int|null, "start": int|null,
                              "end": int|null, "text": str|null}],
                 "shares": [float, float], "contained": bool}]}

Groups come in kind order (identical, edited, reordered, paraphrase), then by score.
At file level, start, end and text are null (page too); ``shares`` (file level only) is
the share of each member's text present in the other, ``contained`` says the second file
holds much more besides. Progress (phase, count, time left) goes to stderr.
"""

from __future__ import annotations

import json
import sys
import time

import click

from desktop_search.core.engine import (
    DEFAULT_MIN_CONTAINMENT,
    DEFAULT_THRESHOLD,
    LEVELS,
    MIN_THRESHOLD,
    ProgressText,
)
from desktop_search.core.sanitize import display_name

from .cli_common import data_dir_option, json_option, open_engine, translate_errors


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
    help="Cosine similarity from which two passages are compared at all (the pair judge and"
    " the word measures then decide the kind, or that they are not duplicates).",
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
    help="File level: share of the smaller file's text that must be present in the other.",
)
@click.option(
    "--limit", type=click.IntRange(1), default=None, help="Show at most this many groups."
)
@data_dir_option
@json_option
@translate_errors
def duplicates_command(level, threshold, folder, min_containment, limit, data_dir, as_json) -> None:
    """Find duplicate and re-worded passages or files in the index."""
    progress = _StderrProgress()
    with open_engine(data_dir, writer=False) as engine:
        report = engine.duplicates(
            level, threshold, folder=folder, min_containment=min_containment, progress=progress
        )
    progress.finish()
    if limit is not None:
        report.groups = report.groups[:limit]
    if as_json:
        click.echo(json.dumps(report.as_json()))
        return
    if report.pending["passages"]:
        click.echo(
            f"{report.pending['passages']} passages of {report.pending['files']} files are not "
            "embedded yet and were left out (run `desktop-search index` to finish)",
            err=True,
        )
    if not report.groups:
        click.echo(f"no duplicates at threshold {threshold:.2f}")
        return
    for n, g in enumerate(report.groups, 1):
        click.echo(click.style(f"{n}. {_describe(g)}", fg="cyan"))
        for m in g.members:
            where = f" p.{m.page}" if m.page else ""
            click.echo(f"   {display_name(m.path)}{where}")
            if m.text:
                snippet = " ".join(m.text.split())
                click.echo(f"      {snippet[:160]}{'…' if len(snippet) > 160 else ''}")


class _StderrProgress:
    """Phase, count and time left on stderr: one rewritten line on a terminal, else a
    line every few seconds (logs stay short)."""

    def __init__(self) -> None:
        self.text = ProgressText()
        self.tty = sys.stderr.isatty()
        self.last = 0.0
        self.shown = ""

    def __call__(self, done: int, total: int, phase: str) -> None:
        line = self.text(done, total, phase)
        now = time.monotonic()
        if line == self.shown or (now - self.last < (0.2 if self.tty else 5.0) and done < total):
            return
        self.last, self.shown = now, line
        if self.tty:
            click.echo(f"\r\033[K{line}", err=True, nl=False)
        else:
            click.echo(line, err=True)

    def finish(self) -> None:
        if self.tty and self.shown:
            click.echo("", err=True)


KIND_WORDS = {
    "identical": "identical",
    "edited": "edited copies",
    "reordered": "reordered copies",
    "paraphrase": "paraphrases",
}


def _describe(group) -> str:
    size = len(group.members)
    what = KIND_WORDS.get(group.kind, group.kind)
    if "a_in_b" not in group.detail:  # passages, or identical files
        unit = (
            "files" if group.kind == "identical" and group.members[0].text is None else "passages"
        )
        return f"{size} {unit}: {what} (score {group.score:.3f})"
    a_in_b, b_in_a = group.detail["a_in_b"], group.detail["b_in_a"]
    if group.detail.get("contained"):
        return (
            f"{what}, the first inside the second (score {group.score:.3f}): "
            f"{a_in_b:.0%} of the first is in the second, {b_in_a:.0%} of the second in the first"
        )
    return (
        f"{what} (score {group.score:.3f}): {a_in_b:.0%} of the first is in the second, "
        f"{b_in_a:.0%} the other way"
    )
