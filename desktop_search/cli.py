"""desktop-search command line: a thin click shell over the core.

Exit codes: 0 success, 1 error (one line on stderr), 2 usage error.
"""

from __future__ import annotations

import importlib
import json
import sys
from datetime import datetime

import click

from desktop_search.core.children import bundled, run_reader_source
from desktop_search.core.engine import MODES, with_images
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
    "launcher": "cli_launcher:launcher_command",
    "integrate": "cli_launcher:integrate_command",
    "related": "cli_related:related_command",
    "topics": "cli_related:topics_command",
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
        ctx.invoke(gui, data_dir=group_data_dir, query=None)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--exclude", multiple=True, help="Glob of names or paths to skip (repeatable).")
@click.option(
    "--type", "types", multiple=True, help="Only these file types, e.g. pdf (repeatable)."
)
@click.option(
    "--ocr-images",
    is_flag=True,
    help="Also read the text of images (.png, .jpg, .tif) by OCR: seconds per picture.",
)
@click.option(
    "--no-embed",
    is_flag=True,
    help="Stop after the keyword index (phase 1); a later `index` adds OCR and meaning search.",
)
@data_dir_option
@model_option
@json_option
@translate_errors
def index(paths, exclude, types, ocr_images, no_embed, data_dir, model_path, as_json) -> None:
    """Add folders to the index and bring them up to date.

    Phase 1 makes every file searchable by its words; then scanned PDFs (and images, if
    asked) are read by OCR; phase 2 embeds the passages for meaning search, newest first.
    """
    bar = _ProgressPrinter(enabled=sys.stderr.isatty() or not as_json)
    if ocr_images:
        types = with_images(types)
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
            + (f"; {report.files_for_ocr} files wait for OCR" if report.files_for_ocr else "")
        )
        for err in report.errors[:20]:
            click.echo(f"  ! {display_name(err['path'])}: {err['error']}", err=True)


@cli.command()
@click.argument("query", required=False)
@click.option("--saved", "saved_name", help="Run the saved search of this name (see --save).")
@click.option("--save", "save_name", help="Save this search (query, mode, filters) by this name.")
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
    "--topic",
    type=click.IntRange(1),
    help="Only files of this topic (see `desktop-search topics`); also `topic:N` in the query.",
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
    query,
    saved_name,
    save_name,
    k,
    mode,
    types,
    folder,
    after,
    before,
    topic,
    rerank,
    data_dir,
    model_path,
    as_json,
) -> None:
    """Search the index by meaning, by keyword, or both.

    Quote "a phrase" to require it; -word leaves out files that hold the word. Filters
    can be typed in the query too: type:pdf in:~/tax -in:~/old after:2024-01 before:2024-06
    date:2024 size>1M size<10k (see README).
    """
    from desktop_search.core.engine import (
        Filters,
        SavedSearch,
        Searches,
        read_query,
        render,
        resolve_data_dir,
        snippet_window,
    )

    searches = Searches(resolve_data_dir(data_dir))
    if saved_name:
        if query:
            raise click.UsageError("give a query or --saved NAME, not both")
        saved = searches.get(saved_name)
        query, mode = saved.query, saved.mode
    typed = read_query(query or "")
    if typed.hints:
        raise click.ClickException(typed.hints[0])
    if not typed.text.strip():
        raise click.UsageError(
            "the query has no words to search for"
            if (query or "").strip()
            else "the query is empty"
        )
    flags = Filters(
        folder=folder, types=tuple(types), after=_ts(after), before=_ts(before), topic=topic
    )
    if saved_name:
        flags = saved.filters.merged(flags)
    saving = SavedSearch(save_name, query, mode, flags) if save_name else None
    filters, query = flags.merged(typed.filters), typed.text
    with open_engine(data_dir, model_path) as engine:
        results = engine.search(
            query, k=k, mode=mode, filters=filters, best_sentence=not as_json, rerank=rerank
        )
        pending = engine.pending() if mode != "keyword" else {"passages": 0, "files": 0}
    if saving:
        searches.save(saving)
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
            where = f"[{p.span.text()}] " if p.span else ""
            click.echo(f"   {where}{'…' if s else ''}{text}{'…' if e < len(p.text) else ''}")


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
    if info["model_backend"]:
        click.echo(f"model runs: {info['model_backend']}")
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


@cli.command("open")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--member", help="A file inside the archive PATH (as results show it after ▸).")
@click.option("--print-path", is_flag=True, help="Print where it is; do not open it.")
@data_dir_option
@translate_errors
def open_command(path, member, print_path, data_dir) -> None:
    """Open a result with the desktop's default application; an archive's member is first
    unpacked into a private temporary folder."""
    if member:
        with open_engine(data_dir, writer=False) as engine:
            path = str(engine.unpack_member(path, member))
    if print_path:
        click.echo(path)
    else:
        click.launch(path)


@cli.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.argument("n", type=int, required=False)
@translate_errors
def message(path, n) -> None:
    """Write one e-mail as .eml on stdout: message N of an mbox (the "n" of a search
    result's span), or a Maildir message; e.g. `message box.mbox 2 > m.eml`."""
    from .core.engine import Engine

    target = Engine.message_file(path, n)
    sys.stdout.buffer.write(target.read_bytes())


@cli.command()
@click.option("--data-dir", type=click.Path(file_okay=False), envvar="DESKTOP_SEARCH_HOME")
@click.option("--query", help="Search this at once; an app already open takes it and comes up.")
def gui(data_dir, query) -> None:
    """Open the desktop app (one window per data folder)."""
    from desktop_search.app.main import run

    sys.exit(run(data_dir=data_dir, query=query))


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
        elif p.phase == "recognising" and p.files_total:
            line = (
                f"\rOCR {_bar(p.files_done, p.files_total)} "
                f"{p.files_done}/{p.files_total} files {p.passages_per_s:4.2f} pages/s"
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
    if bundled():  # a bundled app starts its indexing process and readers through here
        import multiprocessing

        run_reader_source()
        multiprocessing.freeze_support()
    cli(prog_name="desktop-search")


if __name__ == "__main__":
    main()
