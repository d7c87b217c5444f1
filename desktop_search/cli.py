"""desktop-search command line: a thin click shell over the core.

Exit codes: 0 success, 1 error (one line on stderr), 2 usage error.
"""

from __future__ import annotations

import importlib
import json
import sys
from datetime import datetime

import click

from desktop_search.core.engine import MODES
from desktop_search.core.sanitize import display_name

from .cli_common import data_dir_option, json_option, model_option, open_engine, translate_errors

#: Commands that live in their own modules, loaded when invoked: a search never imports
#: the duplicate finder or the trainer (click's documented lazy-group pattern).
LAZY_COMMANDS = {
    "duplicates": "cli_duplicates:duplicates_command",
    "train": "cli_train:train_command",
    "adapt": "cli_train:adapt_command",
    "switch-model": "cli_train:switch_model_command",
    "repair": "cli_repair:repair_command",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in LAZY_COMMANDS:
            return super().get_command(ctx, name)
        module, attr = LAZY_COMMANDS[name].split(":")
        return getattr(importlib.import_module(f"{__package__}.{module}"), attr)


@click.group(cls=_LazyGroup, invoke_without_command=True)
@click.version_option(package_name="desktop-search")
@click.option(
    "--data-dir",
    "group_data_dir",
    type=click.Path(file_okay=False),
    help="Where the index lives, for every command (same as DESKTOP_SEARCH_HOME).",
)
@click.pass_context
def cli(ctx: click.Context, group_data_dir: str | None) -> None:
    """Local, private, paraphrase-aware search over your documents.

    With no command, opens the desktop app.
    """
    if group_data_dir:  # the default of every subcommand's own --data-dir
        ctx.default_map = {name: {"data_dir": group_data_dir} for name in cli.list_commands(ctx)}
    if ctx.invoked_subcommand is None:
        ctx.invoke(gui, data_dir=group_data_dir)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--exclude", multiple=True, help="Glob of names or paths to skip (repeatable).")
@click.option(
    "--type", "types", multiple=True, help="Only these file types, e.g. pdf (repeatable)."
)
@click.option(
    "--no-embed",
    is_flag=True,
    help="Stop after the keyword index (phase 1); a later `index` adds meaning search.",
)
@data_dir_option
@model_option
@json_option
@translate_errors
def index(paths, exclude, types, no_embed, data_dir, model_path, as_json) -> None:
    """Add folders to the index and bring them up to date.

    Phase 1 makes every file searchable by its words; phase 2 embeds the passages for
    meaning search, newest files first.
    """
    bar = _ProgressPrinter(enabled=sys.stderr.isatty() or not as_json)
    try:
        with open_engine(data_dir, model_path, writer=True) as engine:
            report = engine.index(
                paths, include=types, exclude=exclude, progress=bar, embed=not no_embed
            )
            if not no_embed:  # the export needs torch, which --no-embed never loads
                engine.prepare_query_model()  # so that searches start without torch
    finally:
        bar.finish()  # an error then starts on a line of its own
    if as_json:
        click.echo(json.dumps(report.as_json()))
    else:
        click.echo(
            f"added {report.files_added}, updated {report.files_updated}, removed {report.files_removed}, "
            f"unchanged {report.files_unchanged}, failed {report.files_failed}; "
            f"embedded {report.passages_embedded} passages"
            + (
                f"; {report.passages_pending} passages wait for meaning search"
                if report.passages_pending
                else ""
            )
        )
        for err in report.errors[:20]:
            click.echo(f"  ! {display_name(err['path'])}: {err['error']}", err=True)


@cli.command()
@click.argument("query")
@click.option(
    "-k", "k", default=10, show_default=True, type=click.IntRange(1, 1000), help="Files to show."
)
@click.option("--mode", type=click.Choice(MODES), default="hybrid", show_default=True)
@click.option(
    "--type", "types", multiple=True, help="Only files of this type, e.g. pdf (repeatable)."
)
@click.option(
    "--in", "folder", type=click.Path(file_okay=False), help="Only files under this folder."
)
@click.option(
    "--after", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]), help="Modified on or after."
)
@click.option(
    "--before", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]), help="Modified before."
)
@click.option(
    "--rerank",
    is_flag=True,
    help="Rescore the best passages sentence by sentence (slower; see README).",
)
@data_dir_option
@model_option
@json_option
@translate_errors
def search(
    query, k, mode, types, folder, after, before, rerank, data_dir, model_path, as_json
) -> None:
    """Search the index by meaning, by keyword, or both.

    Quote "a phrase" to require it; -word leaves out files that hold the word.
    """
    from desktop_search.core.engine import Filters, render, snippet_window

    if not query.strip():
        raise click.UsageError("the query is empty")
    filters = Filters(folder=folder, types=tuple(types), after=_ts(after), before=_ts(before))
    with open_engine(data_dir, model_path) as engine:
        results = engine.search(
            query, k=k, mode=mode, filters=filters, best_sentence=not as_json, rerank=rerank
        )
        pending = engine.pending() if mode != "keyword" else {"passages": 0, "files": 0}
    weak = all(r.weak for r in results)
    if as_json:
        out = {
            "query": query,
            "mode": mode,
            "weak": weak,
            "pending": pending,
            "results": [r.as_json() for r in results],
        }
        click.echo(json.dumps(out))
        return
    if pending["passages"]:
        click.echo(
            f"meaning search does not cover {pending['passages']} passages of "
            f"{pending['files']} files yet (run `desktop-search index` to finish)",
            err=True,
        )
    if not results:
        click.echo("no results")
        return
    if weak:
        click.echo("no good matches; the closest are:", err=True)
    bold = click.style("", bold=True, reset=False)
    for n, r in enumerate(results, 1):
        click.echo(click.style(f"{n}. {display_name(r.path)}", fg="cyan") + f"  ({r.score:.3f})")
        for p in r.passages[:2]:
            s, e = snippet_window(p.text, p.highlights)
            spans = [(a - s, b - s) for a, b in p.highlights if a >= s and b <= e]
            text = render(
                p.text[s:e],
                spans,
                bold if sys.stdout.isatty() else "[",
                "\x1b[0m" if sys.stdout.isatty() else "]",
            ).replace("\n", " ")
            page = f"p.{p.page} " if p.page else ""
            click.echo(f"   {page}{'…' if s else ''}{text}{'…' if e < len(p.text) else ''}")


@cli.command()
@data_dir_option
@json_option
@translate_errors
def status(data_dir, as_json) -> None:
    """Roots, counts, and the files that failed with their errors."""
    from desktop_search.core.engine import Engine, resolve_data_dir

    if not as_json and not (resolve_data_dir(data_dir) / "index.db").exists():
        click.echo(f"no index yet in {resolve_data_dir(data_dir)}")
        return
    info = Engine.read_status(data_dir)
    if as_json:
        click.echo(json.dumps(info))
        return
    click.echo(f"data: {info['data_dir']}")
    click.echo(
        f"folders: {len(info['roots'])}  files: {info['files']}  passages: {info['passages']}  "
        f"failed: {info['failed']}  skipped: {info['skipped']}"
    )
    if info["passages_pending"]:
        click.echo(f"meaning search: {info['passages_pending']} passages still to embed")
    for root in info["roots"]:
        click.echo(f"  {display_name(root)}")
    for p in info["problems"]:
        click.echo(f"  ! {display_name(p['path'])}: {p['error']}")


@cli.command()
@click.argument("path", type=click.Path())
@data_dir_option
@translate_errors
def forget(path, data_dir) -> None:
    """Remove a folder (or file) and everything indexed under it."""
    with open_engine(data_dir, writer=True) as engine:
        n = engine.forget(path)
    click.echo(f"forgot {display_name(path)} ({n} passages)")


@cli.command()
@click.option("--data-dir", type=click.Path(file_okay=False), envvar="DESKTOP_SEARCH_HOME")
def gui(data_dir) -> None:
    """Open the desktop app."""
    from desktop_search.app.main import run

    sys.exit(run(data_dir=data_dir))


def _ts(value: datetime | None) -> float | None:
    return value.timestamp() if value else None


class _ProgressPrinter:
    """A one-line progress bar on stderr."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.shown = False

    def __call__(self, p) -> None:
        if not self.enabled:
            return
        eta = f"{p.eta_s:4.0f}s" if p.eta_s is not None else "  ?"
        if p.phase == "indexing" and p.files_total:
            line = (
                f"\r1/2 words {_bar(p.files_done, p.files_total)} "
                f"{p.files_done}/{p.files_total} files eta {eta}"
            )
        elif p.phase == "embedding" and p.passages_total:
            line = (
                f"\r2/2 meaning {_bar(p.passages_embedded, p.passages_total)} "
                f"{p.passages_embedded}/{p.passages_total} passages "
                f"{p.passages_per_s:5.1f}/s eta {eta}"
            )
        elif p.phase in ("scanning", "saving"):
            line = f"\r{p.phase}…"
        else:
            return
        click.echo(line.ljust(80), nl=False, err=True)
        self.shown = True

    def finish(self) -> None:
        if self.shown:
            click.echo("", err=True)


def _bar(done: int, total: int, width: int = 24) -> str:
    filled = int(width * done / total)
    return f"[{'#' * filled}{'.' * (width - filled)}]"


def main() -> None:
    if getattr(sys, "frozen", False):  # a bundled app starts its indexing process through here
        import multiprocessing

        multiprocessing.freeze_support()
    cli(prog_name="desktop-search")


if __name__ == "__main__":
    main()
