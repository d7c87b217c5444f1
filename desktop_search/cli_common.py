"""Options, error translation and engine opening shared by the CLI's command modules."""

from __future__ import annotations

import functools
import sqlite3

import click

from desktop_search.core.engine import DamagedIndexError, is_damage, require_index
from desktop_search.core.errors import DesktopSearchError

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
    """The one place core errors become one-line click errors (exit 1) instead of tracebacks.

    Every error the core raises on purpose derives from ``DesktopSearchError``; an
    ``OSError`` (a folder that vanished, a full disk) is the user's to fix too.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (DesktopSearchError, OSError) as exc:
            raise click.ClickException(str(exc)) from exc
        except sqlite3.DatabaseError as exc:  # damage found on first use, past the open
            if not is_damage(exc):
                raise
            raise click.ClickException(str(DamagedIndexError())) from exc
        except KeyboardInterrupt:
            raise click.Abort() from None

    return wrapper


def open_engine(data_dir, model_path=None, writer=False, *, need_index=True, hint=""):
    """The Engine, imported here so that ``--help`` and usage errors never load torch.
    A reading command on an empty data folder says "no index yet" (plus ``hint``) and
    creates nothing."""
    from desktop_search.core.engine import Engine, resolve_data_dir

    if not writer and need_index:
        require_index(resolve_data_dir(data_dir), hint)
    return Engine(data_dir, model_path=model_path, writer=writer)
