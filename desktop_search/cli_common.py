"""Options, error translation and engine opening shared by the CLI's command modules."""

from __future__ import annotations

import functools

import click

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    envvar="DESKTOP_SEARCH_HOME",
    help="Where the index lives (default: the platform's user data folder; env DESKTOP_SEARCH_HOME).",
)
model_option = click.option(
    "--model",
    "model_path",
    type=click.Path(exists=True, file_okay=False),
    help="A local sentence-transformers model folder (default: the embedded all-MiniLM-L6-v2).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")


def translate_errors(fn):
    """Core exceptions become one-line click errors (exit 1) instead of tracebacks."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from .core.encoder import ModelError
        from .core.engine import IndexBusyError
        from .core.search import SearchError
        from .core.store import StoreError

        try:
            return fn(*args, **kwargs)
        except (ModelError, IndexBusyError, SearchError, StoreError, FileNotFoundError) as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper


def open_engine(data_dir, model_path=None, writer=False):
    from .core.engine import Engine

    return Engine(data_dir, model_path=model_path, writer=writer)
