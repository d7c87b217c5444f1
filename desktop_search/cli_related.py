"""``desktop-search related`` and ``desktop-search topics``: what else the index holds on
a file's subject, and which subjects it holds at all.

The JSON output of ``related`` is a public interface:

    {"path": str,
     "related": [{"path": str, "score": float, "duplicate": false,
                  "why": {"score": float,
                          "this": {"text", "page", "start", "end", "highlights"},
                          "related": {"text", "page", "start", "end", "highlights"}}}],
     "duplicates": [the same, "duplicate": true]}

``why`` is the best-matching pair of passages: ``this`` in the file asked about,
``related`` in the listed file; ``highlights`` are [start, end] spans of the words the two
share. Near-duplicates of the file are listed apart and never among ``related``.

The JSON output of ``topics``: {"topics": [{"id": int, "parent": int|null,
"label": [str], "size": int, "central": [str]}]}, top-level topics first (largest
first), then sub-topics (``parent`` set); ``central`` lists the most central files' paths.
"""

from __future__ import annotations

import json
import sys

import click

from .cli_common import data_dir_option, json_option, open_engine, translate_errors
from .core.engine import render, snippet_window
from .core.sanitize import display_name


@click.command("related")
@click.argument("path", type=click.Path())
@click.option(
    "-k", "k", default=10, show_default=True, type=click.IntRange(1, 200), help="Files to show."
)
@data_dir_option
@json_option
@translate_errors
def related_command(path, k, data_dir, as_json) -> None:
    """Files closest in meaning to PATH, each with the pair of passages that match best."""
    with open_engine(data_dir) as engine:
        found = engine.related(path, k)
    if as_json:
        click.echo(json.dumps(found.as_json()))
        return
    if not found.files:
        click.echo("no related files")
    for n, f in enumerate(found.files, 1):
        click.echo(click.style(f"{n}. {display_name(f.path)}", fg="cyan") + f"  ({f.score:.3f})")
        click.echo(f"   here:  {_snippet(f.mine)}")
        click.echo(f"   there: {_snippet(f.theirs)}")
    for f in found.duplicates:
        click.echo(f"near-duplicate (not listed as related): {display_name(f.path)}", err=True)


def _snippet(p) -> str:
    s, e = snippet_window(p.text, p.highlights, 160)
    spans = [(a - s, b - s) for a, b in p.highlights if a >= s and b <= e]
    tty = sys.stdout.isatty()
    bold = click.style("", bold=True, reset=False) if tty else "["
    text = render(p.text[s:e], spans, bold, "\x1b[0m" if tty else "]").replace("\n", " ")
    page = f"p.{p.page} " if p.page else ""
    return f"{page}{'…' if s else ''}{text}{'…' if e < len(p.text) else ''}"


@click.command("topics")
@data_dir_option
@json_option
@translate_errors
def topics_command(data_dir, as_json) -> None:
    """The subjects the library covers: topics with their words, sizes and central files.

    Search one with `desktop-search search QUERY --topic N` (or `topic:N` in the query).
    """
    with open_engine(data_dir) as engine:
        found = engine.topics()
    if as_json:
        click.echo(json.dumps({"topics": [t.as_json() for t in found]}))
        return
    if not found:
        click.echo("no topics yet (they are computed once indexing has embedded the files)")
    for t in found:
        indent = "   " if t.parent is not None else ""
        head = f"{indent}{t.id}. {', '.join(t.label)}  ({t.size} files)"
        click.echo(click.style(head, fg="cyan" if t.parent is None else None))
        for path in t.central[:3]:
            click.echo(f"{indent}   {display_name(path)}")
